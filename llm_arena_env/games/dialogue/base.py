"""The shared machinery of clembench-style dialogue games: :class:`DialogueEnv`.

A dialogue game is a conversation between a game master (the env) and its players. The env prompts a
player, the player replies, the env checks the reply, updates the game and passes what the rules say on
to the other player. Each player sees only its own side: ``observe(p)["messages"]`` is the game's prompts
to ``p`` and what the game relayed to it (as ``user``), and ``p``'s own replies (as ``assistant``);
never another player's instructions.

Writing a game: subclass DialogueEnv, set ``game_name`` (its folder under ``resources/``, for the shipped
instances), and fill in these hooks:

``_setup(instance, experiment)``
    Start an episode from one instance (a dict) and its experiment's parameters (a dict, empty for an
    instance given directly). Set the game state and ``tell`` the first player(s) their prompt.
``_current_agent()``
    The player to reply now.
``_parse_action(agent, text)``
    Check the reply's *format*: return the move or raise ``IllegalAction(reason)``. Must not change
    state. A rejected reply is a format violation: by clembench's rules the episode is aborted
    (Outcome.ABORTED for all, EndReason.ILLEGAL_ACTION, Main Score NaN); with ``max_illegal_actions=N``
    the player is asked again, with the reason, up to N times.
``_play(agent, move)``
    Apply an accepted reply. Use ``tell(player, text)`` to pass things on, ``end_game(...)`` when the
    game is over (success, or a loss by the rules: a rule violation such as a taboo word loses), and
    ``count_violation()`` when a reply parsed but the game counts it as a violated request, and
    ``abort_game(detail)`` when a game rule aborts the episode (it counts the reply as violated).
    Do not override ``_apply``: it records the reply in the player's history, then calls ``_play``.
``_measures()`` (optional)
    The game's own episode measures (``{"Repetition-Guesser": 1, ...}``), added to the scores at every
    ending, aborted ones included (``self.aborted`` tells which; NaN values are fine).
``_request_totals()`` (optional)
    ``(requests, violated)`` of the episode for the scores, where the game's clembench scorer counts
    otherwise than one request per reply (taboo counts rounds). Default: the sums over players.
``_rewards(success, main_score)`` (optional)
    Rewards at a played ending. Default (cooperative): every player gets ``main_score / 100``.

What the base does for every game:

- A reply rejected by ``_parse_action`` (when ``max_illegal_actions`` allows a re-ask) is not kept in
  the history: the player is asked again with the reason and the same pending text.
- Requests are counted automatically: every reply of a live player is a request; a rejected one is a
  violated request (plus those the game counts with ``count_violation``); the rest are parsed.
- At the end, ``infos[p]["scores"]`` holds clembench's metrics (see ``scores.py``) and the game's
  measures; ``infos[p]["requests"]`` holds ``p``'s own request counts.
- Outcomes: ``Outcome.SUCCESS`` / ``Outcome.FAILURE`` for all players at a played ending,
  ``Outcome.ABORTED`` for all on a format violation (rewards 0).
- Instances: ``make(id, instances=PATH_OR_DICT)`` loads a user's set (clembench layout accepted);
  ``reset(options={"instance": dict | index | (experiment, game_id)})`` picks one, else the seeded RNG
  draws one from the set (see ``instances.py``).
- ``max_replies``: an optional cap on accepted replies per episode; reaching it loses the game
  (EndReason.MAX_TURNS). Games keep their own round limits (taboo's 3 rounds) as ``make`` keywords.
- The prompt template's ``{state}`` field is what is new for the player (everything told to it since
  its last reply, joined by blank lines); games may add fields by extending ``_prompt_fields``.
- ``render()`` shows the transcript: who said what to whom.

A tiny example game lives in ``tests/test_dialogue_base.py``.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass, replace
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from llm_arena_env.core.outcome import EndReason, Outcome, Result
from llm_arena_env.core.render import text_to_image
from llm_arena_env.core.text_env import IllegalAction, TextEnv
from llm_arena_env.games.dialogue import instances as inst
from llm_arena_env.games.dialogue.schemas import check_instance
from llm_arena_env.games.dialogue import scores as sc

GAME_MASTER = "GM"


@dataclass(frozen=True)
class Utterance:
    """One entry of the transcript: ``speaker`` said ``text`` to ``listener`` (one of them is the GM)."""

    speaker: str
    listener: str
    text: str


@dataclass
class RequestCounts:
    """A player's requests in this episode: every reply is one; violated ones could not be used."""

    requests: int = 0
    violated: int = 0

    @property
    def parsed(self) -> int:
        return self.requests - self.violated


class DialogueEnv(TextEnv):
    """Base of the dialogue games. See the module docstring for the hooks a game fills in."""

    metadata = {"render_modes": ["human", "ansi", "rgb_array"], "name": "dialogue_env", "is_parallelizable": False}
    has_picture = False  # the picture below is the transcript's text: rgb_array renders only
    default_prompt_template = "{state}"
    #: Folder under ``resources/`` holding the shipped ``instances.json``; "" for none.
    game_name: str = ""

    def __init__(
        self,
        players: Sequence[str],
        *,
        instances: Any = None,
        max_replies: int | None = None,
        **kwargs: Any,
    ):
        if max_replies is not None and (not isinstance(max_replies, int) or max_replies < 1):
            raise ValueError(f"max_replies must be None or an int >= 1, got {max_replies!r}")
        self.max_replies = max_replies
        self.instance_set = inst.load_instances(instances) if instances is not None else inst.shipped_instances(self.game_name)
        if instances is not None:  # a user's set: every field checked now, not at the reset that reads it
            for experiment, instance in self.instance_set.entries():
                check_instance(self.game_name, instance, experiment.name)
        super().__init__(players, **kwargs)

    # ------------------------------------------------------------------ helpers for games

    def tell(self, player: str, text: str) -> None:
        """The game master says ``text`` to ``player``; it is part of the player's next user message."""
        self._pending[player].append(text)
        self.transcript.append(Utterance(GAME_MASTER, player, text))

    def end_game(self, *, success: bool, main_score: float, detail: str = "",
                 measures: Mapping[str, float] | None = None) -> None:
        """End a played episode (reached the goal or not). ``measures`` add to ``_measures()``."""
        rewards = self._rewards(success, main_score)
        outcome = Outcome.SUCCESS if success else Outcome.FAILURE
        scores = {sc.SUCCESS: int(success), sc.MAIN_SCORE: float(main_score), **(measures or {})}
        self._ending = Result(rewards, {a: outcome for a in self.possible_agents}, EndReason.GAME_OVER, detail, scores)

    def abort_game(self, detail: str, *, violated: bool = True) -> None:
        """Abort the episode now, as a format violation by the player who just replied would (a game rule
        says so, e.g. wordle after too many words outside its list); the reply counts as violated."""
        if violated:
            self.count_violation()
        self._ending = self._forfeit(self._replier, detail)

    def count_violation(self) -> None:
        """Count the reply being played as a violated request though it parsed (a game rule says so)."""
        self._requests[self._replier].violated += 1

    @property
    def aborted(self) -> bool:
        """Whether the episode ended (or is ending) by an abort; ``_measures`` may use it."""
        ending = self.result or self._closing
        return ending is not None and ending.reason is EndReason.ILLEGAL_ACTION

    @property
    def request_counts(self) -> dict[str, RequestCounts]:
        """Each player's request counts in this episode."""
        return {a: replace(c) for a, c in self._requests.items()}

    def history(self, player: str) -> list[dict[str, str]]:
        """``player``'s finished exchanges: its past user messages and its replies."""
        return [dict(m) for m in self._history[player]]

    # ------------------------------------------------------------------ hooks for games

    def _setup(self, instance: dict[str, Any], experiment: dict[str, Any]) -> None:
        raise NotImplementedError

    def _play(self, agent: str, move: Any) -> None:
        raise NotImplementedError

    def _measures(self) -> dict[str, float]:
        return {}

    def _request_totals(self) -> tuple[int, int]:
        return sum(c.requests for c in self._requests.values()), sum(c.violated for c in self._requests.values())

    def _rewards(self, success: bool, main_score: float) -> dict[str, float]:
        value = 0.0 if math.isnan(main_score) else main_score / 100
        return {a: value for a in self.possible_agents}

    # ------------------------------------------------------------------ TextEnv hooks, done once here

    def _new_game(self, options: dict) -> None:
        self.transcript: list[Utterance] = []
        self._pending: dict[str, list[str]] = {a: [] for a in self.possible_agents}
        self._history: dict[str, list[dict[str, str]]] = {a: [] for a in self.possible_agents}
        self._requests = {a: RequestCounts() for a in self.possible_agents}
        self._ending: Result | None = None
        self._closing: Result | None = None  # the result being finished, while _finish runs
        self._reply: Any = None
        self._replier = ""
        self.replies = 0
        if isinstance(options.get("instance"), Mapping):
            check_instance(self.game_name, options["instance"])
        self.experiment, self.instance = inst.choose(self.instance_set, options.get("instance"), self.np_random)
        self._setup(self.instance, self.experiment)

    def step(self, action: Any) -> None:
        agent = self.agent_selection
        if self.result is None and not (self.terminations[agent] or self.truncations[agent]):
            self._requests[agent].requests += 1
            self._reply, self._replier = action, agent
        super().step(action)

    def _reject(self, agent: str, action: Any, reason: str) -> None:
        self._requests[agent].violated += 1
        super()._reject(agent, action, reason)

    def _apply(self, agent: str, move: Any) -> None:
        self.record_reply(agent, str(self._reply))
        self.replies += 1
        self._play(agent, move)

    def record_reply(self, agent: str, text: str) -> None:
        """Put what ``agent`` was told and its reply ``text`` into its history and the transcript. Accepted
        replies are recorded by the base; games that re-ask a rejected reply in clembench's way (the reply
        stays in the player's history) call it from ``_reject``."""
        pending = self._pending[agent]
        if pending:
            self._history[agent].append({"role": "user", "content": "\n\n".join(pending)})
        self._history[agent].append({"role": "assistant", "content": text})
        self._pending[agent] = []
        self.transcript.append(Utterance(agent, GAME_MASTER, text))

    def _result(self) -> Result | None:
        if self._ending is None and self.max_replies is not None and self.replies >= self.max_replies:
            self.end_game(success=False, main_score=0.0, detail=f"reached the limit of {self.max_replies} replies")
            self._ending = replace(self._ending, reason=EndReason.MAX_TURNS)
        return self._ending

    def _forfeit(self, offender: str, message: str) -> Result:
        """A format violation aborts the episode for everyone (clembench); nobody is rewarded."""
        agents = self.possible_agents
        return Result({a: 0.0 for a in agents}, {a: Outcome.ABORTED for a in agents},
                      EndReason.ILLEGAL_ACTION, f"{offender}: {message}")

    def _finish(self, result: Result) -> None:
        self._closing = result
        aborted = result.reason is EndReason.ILLEGAL_ACTION
        requests, violated = self._request_totals()
        scores = sc.episode_scores(
            aborted=aborted,
            success=bool(result.scores.get(sc.SUCCESS, 0)),
            requests=requests,
            violated=violated,
            main_score=result.scores.get(sc.MAIN_SCORE, math.nan),
            measures={**self._measures(), **result.scores},
        )
        super()._finish(replace(result, scores=scores))
        for agent in self.agents:
            counts = self._requests[agent]
            self.infos[agent]["requests"] = {sc.REQUEST_COUNT: counts.requests, sc.PARSED_REQUEST_COUNT: counts.parsed,
                                             sc.VIOLATED_REQUEST_COUNT: counts.violated}

    def _messages(self, agent: str, text: str) -> list[dict[str, str]]:
        system = self._system_prompt(agent)
        messages = [{"role": "system", "content": system}] if system else []
        messages += self.history(agent)
        if text:
            messages.append({"role": "user", "content": text})
        return messages

    def _prompt_fields(self, agent: str) -> dict[str, Callable[[], str]]:
        return {"state": lambda: "\n\n".join(self._pending[agent])}

    def _render_text(self) -> str:
        lines = [f"[{u.speaker} -> {u.listener}] {u.text}" for u in self.transcript]
        if self.result is not None:
            lines.append(f"[end] {self.result.reason}: {self.result.detail}")
        return "\n".join(lines)

    def _render_image(self, agent: str | None) -> np.ndarray:
        """The tail of the transcript (or of ``agent``'s new text), wrapped so that it stays readable."""
        text = self._render_text() if agent is None else self._observation_text(agent)
        wrapped = [part for line in text.splitlines() for part in (textwrap.wrap(line, 60) or [""])]
        return text_to_image("\n".join(wrapped[-40:]) or " ", self.image_size)


__all__ = ["DialogueEnv", "IllegalAction", "RequestCounts", "Utterance", "GAME_MASTER"]
