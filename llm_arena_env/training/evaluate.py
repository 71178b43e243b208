"""Judge training by play: full games on held-out seeds against fixed opponents.

:func:`evaluate` plays one game per seed and seat with a model (through
:class:`~llm_arena_env.training.grpo.GameRollout`, its turns batched) and counts, for the model's side:

- the legal-move rate per move: the share of its replies the env accepted (every reply counts, retries
  after a rejection too), as opposed to a rate on opening positions, where almost anything is legal;
- the forfeit rate: games it lost by breaking the rules too often;
- wins, draws and losses (forfeits among the losses), each with a 95% Wilson score interval.

A game an opponent's failed model call ended (outcome ``error``) is no game of the model's: it is counted
in ``errors`` and left out of every rate.

:class:`EvaluationCallback` runs it every N steps of a transformers/TRL ``Trainer`` and logs the figures.

>>> result = evaluate(model, tokenizer, "openspiel/tic_tac_toe", seeds=range(10_000, 10_100))
>>> print(result.table())
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any, Mapping, Sequence

from llm_arena_env.core.outcome import EndReason, Outcome
from llm_arena_env.training.generation import ModelGenerator

Z_95 = 1.959964


def wilson_interval(successes: int, trials: int, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval of a proportion (95% by default); (0, 1) where there are no trials."""
    if trials <= 0:
        return 0.0, 1.0
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Evaluation:
    """Counts from full games, the model's side of each; rates and intervals derive from them."""

    games: int
    moves: int  # the model's replies
    legal_moves: int  # of them accepted by the env
    forfeits: int  # games lost by breaking the rules
    wins: int
    draws: int
    losses: int  # forfeits included
    errors: int = 0  # games ended by an opponent's failed model call: not in ``games``, not scored

    @property
    def legal_move_rate(self) -> float:
        return self.legal_moves / self.moves if self.moves else 0.0

    def rate(self, name: str) -> float:
        """``"wins"``, ``"draws"``, ``"losses"`` or ``"forfeits"`` per game."""
        return getattr(self, name) / self.games if self.games else 0.0

    def interval(self, name: str) -> tuple[float, float]:
        """95% interval of :meth:`rate` (or of the legal-move rate, ``"legal_moves"``, per move)."""
        trials = self.moves if name == "legal_moves" else self.games
        return wilson_interval(getattr(self, name), trials)

    def metrics(self, prefix: str = "eval_") -> dict[str, float]:
        """Flat figures for a trainer's log."""
        return {f"{prefix}legal_move_rate": self.legal_move_rate, f"{prefix}forfeit_rate": self.rate("forfeits"),
                f"{prefix}win_rate": self.rate("wins"), f"{prefix}draw_rate": self.rate("draws"),
                f"{prefix}loss_rate": self.rate("losses")}

    def table(self) -> str:
        """The figures as a small text table, each with its 95% interval."""
        lines = [f"{'':<16}{'rate':>7}   95% interval   (count)"]
        rows = [("legal moves", "legal_moves", self.legal_move_rate, self.moves)]
        rows += [(name, name, self.rate(name), self.games) for name in ("forfeits", "wins", "draws", "losses")]
        for label, name, rate, trials in rows:
            low, high = self.interval(name)
            lines.append(f"{label:<16}{rate:>7.3f}   [{low:.3f}, {high:.3f}]   ({getattr(self, name)}/{trials})")
        if self.errors:
            lines.append(f"{self.errors} more game(s) ended by an opponent's failed model call, not scored")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def evaluate(
    model: Any,
    tokenizer: Any,
    game: str,
    *,
    seeds: Sequence[int],
    opponents: Any = "random",
    players: Sequence[str] | None = None,
    game_kwargs: Mapping[str, Any] | None = None,
    max_new_tokens: int = 32,
    temperature: float = 0.0,
    batch_size: int = 32,
    sample_seed: int = 0,
    generator: Any = None,
    stop: Sequence[str] = (),
    **rollout_options: Any,
) -> Evaluation:
    """Play one full game per seed and seat (``players``, default every seat) against ``opponents`` and
    count the model's moves and results. Greedy by default (``temperature=0``); with sampling, replies
    are seeded from ``sample_seed``. ``generator`` replaces the model's sampler (any ``Generator`` of
    :mod:`~llm_arena_env.training.grpo`). ``stop``: strings that end the model's replies (``("\\n",)``: the
    first line), as ``GameRollout(stop=...)`` in training. ``rollout_options`` go to ``GameRollout`` (``parser``...)."""
    from llm_arena_env.training.grpo import GameRollout

    seeds = list(seeds)
    if not seeds:
        raise ValueError("seeds is empty")
    rollout = GameRollout(game, opponents=opponents, game_kwargs=game_kwargs, **rollout_options)
    seats = list(players) if players is not None else rollout.players
    starts = [(seed, seat) for seed in seeds for seat in seats]
    if generator is None:
        generator = ModelGenerator(model, tokenizer, max_new_tokens=max_new_tokens, temperature=temperature,
                                   seed=sample_seed, stop=stop)
    was_training = getattr(model, "training", False)
    if model is not None:
        model.eval()
    counts = dict(games=0, moves=0, legal_moves=0, forfeits=0, wins=0, draws=0, losses=0, errors=0)
    try:
        for start in range(0, len(starts), batch_size):
            out = rollout.play(starts[start:start + batch_size], generator)
            for turns, illegal, outcome, reason in zip(out["learner_turns"], out["illegal_actions"],
                                                       out["outcome"], out["end_reason"]):
                if outcome == Outcome.ERROR:
                    counts["errors"] += 1
                    continue
                counts["games"] += 1
                counts["moves"] += turns
                counts["legal_moves"] += turns - illegal
                counts["forfeits"] += outcome == Outcome.LOSS and reason == EndReason.ILLEGAL_ACTION
                counts["wins"] += outcome == Outcome.WIN
                counts["draws"] += outcome == Outcome.DRAW
                counts["losses"] += outcome == Outcome.LOSS
    finally:
        if was_training:
            model.train()
    return Evaluation(**counts)


def evaluation_callback(game: str, *, seeds: Sequence[int], every: int = 50, **evaluate_options: Any) -> Any:
    """A ``transformers.TrainerCallback`` that runs :func:`evaluate` every ``every`` steps (and at the end),
    logs its figures (``eval_legal_move_rate``...) and keeps each result in ``callback.results`` as
    ``(step, Evaluation)``. Works with TRL's trainers, which are transformers ``Trainer`` subclasses."""
    from transformers import TrainerCallback

    if every < 1:
        raise ValueError(f"every must be >= 1, got {every}")

    class EvaluationCallback(TrainerCallback):
        def __init__(self) -> None:
            self.results: list[tuple[int, Evaluation]] = []

        def _run(self, state: Any, model: Any, processing_class: Any) -> None:
            tokenizer = getattr(processing_class, "tokenizer", processing_class)
            result = evaluate(model, tokenizer, game, seeds=seeds, **evaluate_options)
            self.results.append((state.global_step, result))
            state.log_history.append({"step": state.global_step, **result.metrics()})

        def on_step_end(self, args: Any, state: Any, control: Any, model: Any = None,
                        processing_class: Any = None, **kwargs: Any) -> None:
            if state.global_step % every == 0:
                self._run(state, model, processing_class)

        def on_train_end(self, args: Any, state: Any, control: Any, model: Any = None,
                         processing_class: Any = None, **kwargs: Any) -> None:
            if not self.results or self.results[-1][0] != state.global_step:
                self._run(state, model, processing_class)

    return EvaluationCallback()


__all__ = ["Evaluation", "evaluate", "evaluation_callback", "wilson_interval"]
