"""Hand-built board positions whose right answer depends on the board, for learning tests and benchmarks.

:func:`one_open_column` (connect four): every column full but one, drawn from the seed, so the one legal
reply names that column; no fixed answer is right more than about 1 time in 7.
"""

from __future__ import annotations

import random
from typing import Any, Callable, Sequence

SHORT_PROMPT = "You are {player}.\n{board}\nLegal moves: {legal_moves}"  # short prompts keep tests fast


def one_open_column(seed: int, *, prompt_template: str = SHORT_PROMPT) -> tuple[Any, str]:
    """Connect four with every column full but one (which one, drawn from the seed), x to move: the one
    legal reply names that column. Returns (env, player to move).

    The full columns hold x and o in alternate pairs of columns (x o x o... up one column, o x o x... up
    the next two), so no row, column or diagonal holds four alike; moves fill them bottom-up in a random
    order that alternates x and o."""
    import llm_arena_env

    rng = random.Random(seed)
    open_column = rng.randrange(7)
    columns = [c for c in range(7) if c != open_column]
    wanted = {c: ["x" if (row + (c // 2) % 2) % 2 == 0 else "o" for row in range(6)] for c in columns}
    while True:  # a random bottom-up filling order that alternates x and o (restart where it gets stuck)
        height, order, symbol = dict.fromkeys(columns, 0), [], "x"
        while len(order) < 36:
            ready = [c for c in columns if height[c] < 6 and wanted[c][height[c]] == symbol]
            if not ready:
                break
            column = rng.choice(ready)
            order.append(column)
            height[column] += 1
            symbol = "o" if symbol == "x" else "x"
        if len(order) == 36:
            break
    env = llm_arena_env.make("openspiel/connect_four", prompt_template=prompt_template)
    env.reset(seed=seed)
    for column in order:
        env.step(str(column))
    return env, env.agent_selection


def best_constant_rate(positions: Callable[[int], tuple[Any, str]], seeds: Sequence[int],
                       answers: Sequence[str]) -> float:
    """The share of positions where the env accepts the best single fixed answer (the same for all)."""
    found = [positions(seed) for seed in seeds]
    return max(sum(env.check_action(player, answer)[0] for env, player in found) / len(found) for answer in answers)
