"""MajorityVote: sample several replies and play the move most of them chose.

>>> agent = MajorityVote(Parse(LLMAgent(backend, temperature=1.0)), n=5, seed=0)  # doctest: +SKIP

The inner agent must give parsed attempts (wrap it in :class:`~llm_arena_env.wrappers.parse.Parse`):
samples whose last attempt's verdict is unparsed or a transport error do not vote.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import replace
from typing import Any, Sequence

from llm_arena_env.agents.base import AgentWrapper, Attempt, Decision, Observation, Verdict, adecide_batch, decide_batch
from llm_arena_env.wrappers.parse import COULD_NOT_PARSE


class MajorityVote(AgentWrapper):
    """Asks ``agent`` for ``n`` samples per observation, all at once, and plays the most voted move.

    Ties are broken at random among the tied moves: with ``seed`` given, by a generator seeded from the
    seed and the observation, so the same seed picks the same move for the same position however the
    calls are batched. The decision keeps every sample's attempts, in order, then one last attempt for the
    vote: the first winning sample's reply with the ``votes`` counted (it costs no tokens). When no sample
    parses, the action is the first raw reply, for the env to reject."""

    def __init__(self, agent: Any, n: int = 5, seed: int | None = None):
        if not isinstance(n, int) or n < 1:
            raise ValueError(f"n must be an int >= 1, got {n!r}")
        self.agent = agent
        self.n = n
        self.seed = seed
        self._rng = random.Random()  # only used without a seed

    def decide(self, observation: Observation) -> Decision:
        return self.decide_batch([observation])[0]

    def decide_batch(self, observations: Sequence[Observation]) -> list[Decision]:
        copies = [o for o in observations for _ in range(self.n)]
        samples = decide_batch(self.agent, copies)
        return [self._vote(o, samples[k * self.n : (k + 1) * self.n]) for k, o in enumerate(observations)]

    async def adecide(self, observation: Observation) -> Decision:
        """The ``n`` samples are awaited together: requests to a server go out concurrently."""
        return self._vote(observation, await adecide_batch(self.agent, [observation] * self.n))

    def _vote(self, observation: Observation, samples: Sequence[Decision]) -> Decision:
        attempts = tuple(a for d in samples for a in d.attempts or (Attempt(raw_output=d.action),))
        finals = [d.attempts[-1] if d.attempts else Attempt(raw_output=d.action) for d in samples]
        ballots = [a for a in finals if a.verdict not in (Verdict.UNPARSED, Verdict.ERROR)]
        if not ballots:
            return self._no_vote(finals, attempts)
        votes = Counter(a.parsed for a in ballots)
        top = max(votes.values())
        tied = sorted(move for move, count in votes.items() if count == top)
        winner = tied[0] if len(tied) == 1 else self._tie_breaker(observation).choice(tied)
        note = f"tie between {', '.join(tied)} ({top} votes each); picked {winner} at random" if len(tied) > 1 else ""
        chosen = next(a for a in ballots if a.parsed == winner)
        return Decision(winner, attempts + (_vote_record(chosen, votes=dict(votes), reason=note),))

    def _no_vote(self, finals: list[Attempt], attempts: tuple[Attempt, ...]) -> Decision:
        """Nothing parsed: the first raw reply goes to the env; if every call failed, the failure passes on."""
        replies = [a for a in finals if a.verdict is not Verdict.ERROR]
        if not replies:
            return Decision("", attempts + (_vote_record(finals[0]),))
        first = _vote_record(replies[0], parsed=None, reason=COULD_NOT_PARSE)
        return Decision(first.raw_output, attempts + (first,))

    def _tie_breaker(self, observation: Observation) -> random.Random:
        if self.seed is None:
            return self._rng
        return random.Random(f"{self.seed}|{observation.get('text', '')}")


def _vote_record(sample: Attempt, **changes: Any) -> Attempt:
    """The attempt that stands for the vote: a sample's reply, without tokens or time of its own."""
    return replace(sample, prompt_tokens=0, completion_tokens=0, latency_s=0.0, **changes)
