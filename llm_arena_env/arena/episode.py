"""Playing one episode: agents take turns through the AEC loop, and every step is recorded.

>>> record = play_episode(make("chess"), [RandomAgent(0), RandomAgent(1)], seed=0, game="chess")
>>> record.outcomes["black"] is Outcome.WIN, record.end_detail
(True, 'checkmate')

:class:`EpisodeStepper` is the loop taken apart: it stops wherever a player has to decide, so the runner can
advance many episodes at once, each as soon as its player has decided. A record holds what
is needed to play its episode again (game id, make() kwargs, seed, reset options, every action):
:func:`replay` does that, for board images at every move. Records themselves (and reading them back from
``episode.json``) are in :mod:`llm_arena_env.arena.records`.

A decision whose model call failed for good (:attr:`Decision.transport_error`) is not played: the episode
ends there with outcome ``error`` for every player, end reason ``error`` and the failure in ``error``
(player, agent, kind, message); it is not a step. The env never sees it, so it is never judged as an
(empty) move. An env that raises mid-game ends its episode the same way in ``llm-arena run``
(:meth:`EpisodeStepper.end_in_game_error`, kind ``"game"``), so one broken game does not stop a run.
"""

from __future__ import annotations

import re
import time
import traceback
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, Sequence

from llm_arena_env.agents.base import Decision, Observation, decide
from llm_arena_env.arena.records import EpisodeError, EpisodeRecord, StepRecord, as_record, to_plain
from llm_arena_env.core.outcome import EndReason, Outcome

GAME_ERROR = "game"  # the error kind of an episode whose env raised (EpisodeStepper.end_in_game_error)

class EpisodeStepper:
    """One episode in progress, advanced from outside: ``pending()`` says who must decide on what, and
    ``apply(decision)`` plays it. ``record()`` is the finished episode.

    ``game`` and ``game_kwargs`` are only recorded: pass the registry id and make() kwargs the env was made
    with, so the record can replay the episode. ``agent_names`` (one per seat) name the agents in the
    record, e.g. the specs they were built from; by default their ``agent_spec``, else their repr."""

    def __init__(
        self,
        env: Any,
        agents: Mapping[str, Any] | Sequence[Any],
        seed: int | None = None,
        options: Mapping[str, Any] | None = None,
        *,
        game: str | None = None,
        game_kwargs: Mapping[str, Any] | None = None,
        episode_id: str = "",
        agent_names: Sequence[str] | None = None,
        on_step: Callable[[StepRecord], None] | None = None,
    ):
        self.env = env
        self.players = seat_agents(env, agents)
        names = [describe_agent(a) for a in self.players.values()] if agent_names is None else list(agent_names)
        if len(names) != len(self.players):
            raise ValueError(f"{len(names)} agent names given for {len(self.players)} players")
        self.agent_names = dict(zip(self.players, (scrub(str(n)) for n in names)))
        self.seed = seed
        self.options = dict(options) if options is not None else None
        self.game = game or game_name(env)
        self.game_kwargs = dict(game_kwargs or {})
        self.episode_id = episode_id
        self.on_step = on_step
        self.steps: list[StepRecord] = []
        self.rewards = {player: 0.0 for player in env.possible_agents}
        self._outcomes: dict[str, Outcome] = {}
        self._teams: dict[str, str] = {}
        self._end_info: dict[str, Any] = {}
        self._pending: tuple[str, Observation] | None = None
        self._error: EpisodeError | None = None
        self.done = False
        env.reset(seed=seed, options=None if self.options is None else dict(self.options))
        for agent in self.players.values():  # agents that judge or show with the env itself (a person)
            if callable(bind := getattr(agent, "bind_env", None)):
                bind(env)
        self._started = time.perf_counter()
        self._seconds = 0.0

    def pending(self) -> tuple[str, Any, Observation] | None:
        """``(player, agent, observation)`` of the decision the episode waits for; None once it is over."""
        if self._pending is None and not self.done:
            self._pending = self._advance()
        if self._pending is None:
            return None
        player, observation = self._pending
        return player, self.players[player], observation

    def apply(self, decision: Decision) -> StepRecord | None:
        """Play ``decision`` for the pending player and record the step (None: the model call failed, and
        the episode ended in error)."""
        if self.pending() is None:
            raise RuntimeError("the episode is over; there is no decision to apply")
        player, observation = self._pending  # type: ignore[misc]  (set by pending())
        self._pending = None
        failed = decision.transport_error
        if failed is not None:
            self._end_in_error(player, failed)
            return None
        self.env.step(decision.action)
        rejection = self.env.infos.get(player, {}).get("rejection")
        attempts = decision.attempts
        prompt_tokens = sum(a.prompt_tokens for a in attempts)
        completion_tokens = sum(a.completion_tokens for a in attempts)
        step = StepRecord(
            player=player,
            observation=str(observation.get("text", "")),
            decision=decision,
            action=decision.action,
            accepted=rejection is None,
            rejection=str(rejection or ""),
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            tokens=prompt_tokens + completion_tokens,
            latency_s=sum(a.latency_s for a in attempts),
        )
        self.steps.append(step)
        if self.on_step is not None:
            self.on_step(step)
        return step

    def _end_in_error(self, player: str, failed: Any) -> None:
        """End the episode where ``player``'s model call failed. The failure is kept in the record's
        ``error``, not as a step: steps are moves, and this was none."""
        self._end(EpisodeError(player=player, agent=self.agent_names[player], kind=failed.error_kind or "local",
                               message=failed.error))

    def end_in_game_error(self, error: Exception) -> None:
        """End the episode where the env itself raised (in ``observe``, ``last`` or ``step``): a bug of the
        game, not anyone's move. Recorded like a failed model call, kind ``"game"``, the game in ``agent``."""
        frame = traceback.extract_tb(error.__traceback__)[-1:]
        where = f" (in {frame[0].name}, {Path(frame[0].filename).name}:{frame[0].lineno})" if frame else ""
        message = scrub(f"{type(error).__name__}: {error}{where}")
        self._end(EpisodeError(player=str(self.env.agent_selection), agent=self.game, kind=GAME_ERROR, message=message))

    def _end(self, error: EpisodeError) -> None:
        """End the episode in ``error``: outcome ``error`` for every player, so it is never scored."""
        self._error = error
        self._outcomes = {p: Outcome.ERROR for p in self.env.possible_agents}
        self._end_info = {"end_reason": EndReason.ERROR,
                          "end_detail": f"{error.agent} ({error.player}): {error.kind}: {error.message}"}
        self.done = True
        self._seconds = time.perf_counter() - self._started

    def _advance(self) -> tuple[str, Observation] | None:
        """Step past players whose game is over (the AEC loop's ``step(None)``) to the next one to move."""
        env = self.env
        while env.agents:
            player = env.agent_selection
            observation, reward, terminated, truncated, info = env.last()
            self.rewards[player] += float(reward)
            if terminated or truncated:
                if "outcome" in info:
                    self._outcomes[player] = Outcome(info["outcome"])
                if "team" in info:
                    self._teams[player] = str(info["team"])
                self._end_info = self._end_info or dict(info)
                env.step(None)
                continue
            return player, observation
        self.done = True
        self._seconds = time.perf_counter() - self._started
        return None

    def record(self) -> EpisodeRecord:
        if not self.done:
            raise RuntimeError("the episode is not over yet")
        end = self._end_info
        return EpisodeRecord(
            game=self.game,
            seed=self.seed,
            agents=dict(self.agent_names),
            steps=tuple(self.steps),
            rewards=dict(self.rewards),
            outcomes=dict(self._outcomes),
            end_reason=EndReason(end["end_reason"]) if end.get("end_reason") else None,
            end_detail=str(end.get("end_detail", "")),
            scores=dict(end.get("scores", {})),
            num_steps=len(self.steps),
            seconds=self._seconds,
            game_kwargs=to_plain(self.game_kwargs),
            options=to_plain(self.options),
            episode_id=self.episode_id,
            error=self._error,
            teams=dict(self._teams),
            pgn=str(end.get("pgn", "")),
        )


def play_episode(
    env: Any,
    agents: Mapping[str, Any] | Sequence[Any],
    seed: int | None = None,
    options: dict | None = None,
    *,
    on_step: Callable[[StepRecord], None] | None = None,
    game: str | None = None,
    game_kwargs: Mapping[str, Any] | None = None,
    episode_id: str = "",
) -> EpisodeRecord:
    """Reset ``env`` and play it to the end with ``agents`` (player -> agent, or a list in seat order)."""
    stepper = EpisodeStepper(
        env, agents, seed, options, game=game, game_kwargs=game_kwargs, episode_id=episode_id, on_step=on_step
    )
    while (pending := stepper.pending()) is not None:
        _, agent, observation = pending
        stepper.apply(decide(agent, observation))
    return stepper.record()


class ReplayError(ValueError):
    """A record's actions do not fit the game it names (another version of the game, or an edited file)."""


def replay(record: EpisodeRecord | Mapping[str, Any], *, game_kwargs: Mapping[str, Any] | None = None
           ) -> Iterator[tuple[Any, StepRecord | None]]:
    """Play a recorded episode (an :class:`EpisodeRecord` or its ``to_dict()``) again, move by move.

    Yields ``(env, None)`` after the reset, then ``(env, step)`` after each recorded step, rejected actions
    included; the env is made anew from the record's game id and kwargs (``game_kwargs`` instead, where
    given: e.g. with a render mode) and closed at the end."""
    import llm_arena_env

    record = as_record(record)
    env = llm_arena_env.make(record.game, **dict(record.game_kwargs if game_kwargs is None else game_kwargs))
    try:
        options = record.options
        env.reset(seed=record.seed, options=dict(options) if options is not None else None)
        yield env, None
        for index, step in enumerate(record.steps):
            while env.agents and (env.terminations[env.agent_selection] or env.truncations[env.agent_selection]):
                env.step(None)
            if not env.agents or env.agent_selection != step.player:
                now = env.agent_selection if env.agents else "nobody (the game is over)"
                raise ReplayError(f"step {index} is {step.player!r}'s, but the game has {now} to move")
            env.step(step.action)
            yield env, step
    finally:
        env.close()


def seat_agents(env: Any, agents: Mapping[str, Any] | Sequence[Any]) -> dict[str, Any]:
    """``agents`` as player -> agent, checked against the env's players."""
    expected = list(env.possible_agents)
    if isinstance(agents, Mapping):
        if set(agents) != set(expected):
            raise ValueError(f"agents are given for {sorted(agents)}, but the players are {expected}")
        return {player: agents[player] for player in expected}
    agents = list(agents)
    if len(agents) != len(expected):
        raise ValueError(f"{len(agents)} agents given for {len(expected)} players {expected}")
    return dict(zip(expected, agents))


def game_name(env: Any) -> str:
    """The registry id the env was made with (``make`` sets ``env.spec``), else its metadata name."""
    spec = getattr(env, "spec", None)
    if spec is not None and getattr(spec, "id", None):
        return spec.id
    return str(getattr(env, "metadata", {}).get("name") or type(env).__name__)


# Keys a careless repr might show, and credentials in URLs; records must never carry them.
_SECRET_PATTERNS = (
    (re.compile(r"(api[_-]?key|token|secret|password)(['\"]?\s*[=:]\s*)(['\"]?)[^,'\"\s)]+", re.IGNORECASE),
     r"\1\2\3***"),
    # a bare key, also glued to a name ("OPENAI_sk-..."): \b would not see a word start after "_"
    (re.compile(r"(?<![A-Za-z0-9])sk-[A-Za-z0-9_-]{8,}"), "sk-***"),
    (re.compile(r"(\w+://)[^/@\s]+@"), r"\1***@"),  # https://user:password@host
)


def scrub(text: str) -> str:
    """``text`` with anything key-like masked: for records, manifests and messages that show specs."""
    for pattern, replacement in _SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def describe_agent(agent: Any) -> str:
    """How records name an agent: the spec it was made from, else its repr, with anything key-like masked."""
    return scrub(str(getattr(agent, "agent_spec", "") or repr(agent)))
