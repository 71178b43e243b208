"""A game as a TRL tool environment: ``GRPOTrainer(environment_factory=game_environment(...))``.

TRL's newer multi-turn integration (checked against TRL 1.16, which marks it experimental) makes one
environment object per rollout, calls ``reset(**row)`` with the dataset row (its return is appended to
the row's last user message), exposes the object's other public methods to the model as tools, and,
where the object has ``get_reward()``, adds its value as a reward. It works with TRL's vLLM and async
trainers, which :class:`~llm_arena_env.training.grpo.GameRollout` (transformers generation) does not.

Here the model plays one seat by calling ``make_move(move)``; the other seats are played by agents inside
the call, whose answer is what happened and the next position (or the end of the game). The reward is the
learner's return, plus ``legal_bonus`` per accepted move where asked.

An opponent whose model call failed for good plays no move: the game stops there, ``make_move`` says so,
and ``get_reward()`` returns None, which TRL counts as unscorable (no advantage): a failed call is never
scored as anyone's move. A fatal failure (rejected key, missing model) raises ``FatalModelError``.

>>> from trl import GRPOConfig, GRPOTrainer
>>> dataset = tool_prompt_dataset("openspiel/tic_tac_toe", seeds=range(256))
>>> trainer = GRPOTrainer(model=path, train_dataset=dataset, args=GRPOConfig(...),
...                       environment_factory=game_environment("openspiel/tic_tac_toe", opponents="random"))

Chat templates: TRL refuses a template that cannot render a tool call and its result
(``trl.chat_template_utils.supports_tool_calling``). Checked with TRL 1.16's own template files: Qwen2.5,
Qwen3 (and 3.5-3.8, VL), Llama 3.1 and 3.2, Gemma 4, GLM-4-MoE, DeepSeek-V3, gpt-oss, LFM2.5 and Nemotron 3
qualify; Llama 3(.0), Gemma 1-3, Phi-3/3.5, Cohere, DeepSeek-R1-distill, Qwen2.5-VL, Idefics3, SmolVLM and
LFM2 do not. Nor does SmolLM2-135M-Instruct's template, so SmolLM2 trains through ``GameRollout`` with
plain-text moves; so do self-play and CPU runs.
"""

from __future__ import annotations

import itertools
import random
from typing import Any, Iterator, Mapping

from llm_arena_env.core.outcome import Outcome
from llm_arena_env.agents.base import decide
from llm_arena_env.training.generation import require
from llm_arena_env.wrappers.single_agent import opponent_failure

INSTRUCTION = ("You are playing {game} as {player}. Call the make_move tool with your move each turn, "
               "until the game is over.\n\n")


ANSWER_FORMAT = "Answer by calling make_move with your move."
STOPPED = "The game stopped: your opponent could not move (its model call failed). It is not scored."
_VERBS = {Outcome.WIN: "won", Outcome.LOSS: "lost", Outcome.DRAW: "drew", Outcome.SUCCESS: "succeeded", Outcome.FAILURE: "failed"}


def _outcome_text(info: Mapping[str, Any]) -> str:
    outcome = str(info.get("outcome", ""))
    detail = info.get("end_detail") or ""
    return f"The game is over: you {_VERBS.get(outcome, 'finished')} ({outcome}). {detail}".strip()


class GameToolEnv:
    """One game for one rollout; see the module docstring. Made by :func:`game_environment`."""

    game: str = ""
    opponents: Any = "random"
    game_kwargs: Mapping[str, Any] = {}
    legal_bonus: float = 0.0
    resets: Iterator[int] = itertools.count()  # each class made by game_environment has its own

    def __init__(self) -> None:
        self._env: Any = None
        self._learner = ""
        self._agents: dict[str, Any] = {}
        self._return = 0.0
        self._accepted = 0
        self._error: dict[str, str] | None = None  # an opponent's failed model call stopped the game

    def reset(self, seed: int | None = None, player: str | None = None, **_: Any) -> str:
        """Start the row's game (``seed``, ``player``; the first seat by default) and show the first position."""
        from llm_arena_env import make
        from llm_arena_env.agents.specs import make_agent

        self._env = make(self.game, **dict(self.game_kwargs))
        self._env.reset(seed=seed)
        self._learner = player or self._env.possible_agents[0]
        self._return, self._accepted, self._error = 0.0, 0, None
        # Opponents differ within a group (every reset of this class draws anew) and replay in a rerun.
        draw = random.Random(f"{seed}/{self._learner}/{next(self.resets)}")
        self._agents = {}
        for seat in self._env.possible_agents:
            if seat != self._learner:
                spec = self.opponents.get(seat, "random") if isinstance(self.opponents, Mapping) else self.opponents
                self._agents[seat] = make_agent(spec, seed=draw.randrange(2**31)) if isinstance(spec, str) else spec
        header = INSTRUCTION.format(game=self.game, player=self._learner)
        return header + self._advance()

    def make_move(self, move: str) -> str:
        """Play your move in the game.

        Args:
            move: Your move, written as the game's prompt asks (for example x(1,1) in tic-tac-toe).

        Returns:
            What happened after your move, and the position for your next move, or the end of the game.
        """
        env = self._env
        if env is None:
            return "No game is running."
        if self._over():
            return STOPPED if self._error is not None else _outcome_text(env.infos.get(self._learner, {}))
        env.step(str(move))
        self._collect()
        rejection = env.infos.get(self._learner, {}).get("rejection")
        self._accepted += not rejection
        return self._advance()

    def get_reward(self) -> float | None:
        """The learner's return so far, plus the legal-move bonus; None where an opponent's call failed."""
        if self._error is not None:
            return None
        return self._return + self.legal_bonus * self._accepted

    # ------------------------------------------------------------------ internals

    def _over(self) -> bool:
        return self._error is not None or not self._env.agents or bool(self._env.terminations.get(self._learner)
                                             or self._env.truncations.get(self._learner))

    def _collect(self) -> None:
        self._return += float(self._env.rewards.get(self._learner, 0.0))

    def _advance(self) -> str:
        """Let the other seats move until the learner is to move or the game ends; what the learner sees."""
        env = self._env
        while not self._over() and env.agent_selection != self._learner:
            player = env.agent_selection
            decision = decide(self._agents[player], env.observe(player))
            self._error = opponent_failure(decision, player, self._agents[player])
            if self._error is None:
                env.step(decision.action)
                self._collect()
        if self._error is not None:
            return STOPPED
        if self._over():
            return _outcome_text(env.infos.get(self._learner, {}))
        return str(env.observe(self._learner)["text"])


def game_environment(game: str, *, opponents: Any = "random", game_kwargs: Mapping[str, Any] | None = None,
                     legal_bonus: float = 0.0) -> type[GameToolEnv]:
    """An ``environment_factory`` for TRL: a :class:`GameToolEnv` class bound to ``game`` (TRL calls it with
    no arguments, once per rollout). ``opponents``: one agent spec or agent for every other seat, or a
    mapping seat -> spec/agent."""
    from llm_arena_env import make

    kwargs = {"answer_format": ANSWER_FORMAT, **dict(game_kwargs or {})}  # the model answers by tool call
    attributes = {"game": game, "opponents": opponents, "game_kwargs": kwargs,
                  "legal_bonus": float(legal_bonus), "resets": itertools.count()}
    make(game, **kwargs)  # a bad game or option fails here, not in the trainer
    return type("GameToolEnv", (GameToolEnv,), attributes)


def tool_prompt_dataset(game: str, seeds: Any, *, players: Any = None,
                        game_kwargs: Mapping[str, Any] | None = None) -> Any:
    """Rows for the tool environment: ``prompt`` (one user message, to which ``reset`` appends the game),
    ``seed`` and ``player``, one per seed and seat."""
    from llm_arena_env import make

    seats = list(players or make(game, **dict(game_kwargs or {})).possible_agents)
    rows = [{"prompt": [{"role": "user", "content": f"Let's play {game}."}], "seed": int(seed), "player": seat}
            for seed in seeds for seat in seats]
    return require("datasets").Dataset.from_list(rows)


__all__ = ["GameToolEnv", "game_environment", "tool_prompt_dataset"]
