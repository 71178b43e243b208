"""What the speed benchmarks share: random play through the AEC API, and fair interleaved timing.

The machine is shared and wall-clock runs swing, so the ways being compared take turns in short slices
and are timed in CPU seconds of this process.
"""

from __future__ import annotations

import random
import time
from typing import Any, Iterator

import numpy as np

SLICE_S = 0.2  # each way plays this long before the next takes its turn


def aec_steps(env: Any, rnd: random.Random) -> Iterator[None]:
    """Random play through the AEC API, the acting player observing each turn; yields after each move."""
    episode = 0
    while True:
        env.reset(seed=episode)
        episode += 1
        for _ in env.agent_iter():
            observation, _, terminated, truncated, info = env.last()
            if terminated or truncated:
                env.step(None)
                continue
            mask = observation["action_mask"] if isinstance(observation, dict) else info["action_mask"]
            legal = np.flatnonzero(mask)
            env.step(int(legal[rnd.randrange(len(legal))]))
            yield


def measure(players: dict[str, Iterator[None]], seconds: float, *, batch: int = 20) -> dict[str, float]:
    """Steps per CPU second of each way, run in turns of SLICE_S until each has had ``seconds``."""
    steps = dict.fromkeys(players, 0)
    spent = dict.fromkeys(players, 0.0)
    while min(spent.values()) < seconds:
        for way, moves in players.items():
            start = time.process_time()
            deadline = start + SLICE_S
            while time.process_time() < deadline:
                for _ in range(batch):  # read the clock only every `batch` moves
                    next(moves)
                steps[way] += batch
            spent[way] += time.process_time() - start
    return {way: steps[way] / spent[way] for way in players}
