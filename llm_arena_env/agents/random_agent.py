"""A baseline that plays uniformly at random: the floor every other agent should beat."""

from __future__ import annotations

import random
import string

from llm_arena_env.agents.base import Attempt, BaseAgent, Decision, Observation

# Free-text games list no legal moves; a random word is the closest thing to a random move there.
_WORD_CHARS = string.ascii_lowercase
_MAX_WORD_LENGTH = 8


class RandomAgent(BaseAgent):
    """Picks uniformly among ``observation["legal_actions"]``; sends a random short word where none are listed.

    Owns its generator, so ``RandomAgent(seed=0)`` replays the same choices given the same observations and
    the global ``random`` state is never touched.
    """

    def __init__(self, seed: int | None = None):
        self.seed = seed
        self._rng = random.Random(seed)

    def decide(self, observation: Observation) -> Decision:
        legal = observation.get("legal_actions") or ()
        if legal:
            action = str(self._rng.choice(list(legal)))
        else:
            length = self._rng.randint(1, _MAX_WORD_LENGTH)
            action = "".join(self._rng.choice(_WORD_CHARS) for _ in range(length))
        return Decision(action, (Attempt(raw_output=action, parsed=action),))

    async def adecide(self, observation: Observation) -> Decision:
        return self.decide(observation)  # no waiting to overlap: decided on the spot, not on a thread

    def __repr__(self) -> str:
        return f"RandomAgent(seed={self.seed!r})"
