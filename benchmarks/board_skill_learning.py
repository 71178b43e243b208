"""Does REINFORCE teach a tiny model to read the board? A skill no constant answer has.

    nice -n 10 python benchmarks/board_skill_learning.py [--steps 100]

Connect four positions with every column full but one (drawn from the seed): the one legal reply names
the open column, so a policy must read the board (or the "Legal moves" line) to be right more often
than the best fixed answer. The tiny random 2-layer Llama of ``tests/tiny_models.py`` is trained with
REINFORCE on legality (one-token replies, +1 legal / -1 illegal), as the fast test
``tests/test_training_improves.py`` trains it on opening positions, and measured on held-out seeds.

Measured (shared 2-core CPU, 100 steps x 32): 0.000 before, 0.135 after; best constant answer 0.185;
uniform over the 7 digits 0.143. The model learns to answer a column digit (the format), not which
column is open: this budget does not teach the tiny model a board-dependent skill, which is why the fast
test checks format legality only and this measurement lives here.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.tiny_models

SHORT_PROMPT = "You are {player}.\n{board}\nLegal moves: {legal_moves}"
HELD_OUT = range(100_000, 100_200)


def one_open_column_positions(seed: int):
    """Connect four with every column full but one (which one, drawn from the seed), x to move: the one
    legal reply names that column, so the board decides the answer.

    The full columns hold x and o in alternate pairs of columns (x o x o... up one column, o x o x... up
    the next two), so no row, column or diagonal holds four alike; moves fill them bottom-up in a random
    order that alternates x and o."""
    import random

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
    env = llm_arena_env.make("openspiel/connect_four", prompt_template=SHORT_PROMPT)
    env.reset(seed=seed)
    for column in order:
        env.step(str(column))
    return env, env.agent_selection


def best_constant_rate(positions, seeds) -> float:
    """The legal-move rate of the best single fixed answer (one column for every position)."""
    found = [positions(seed) for seed in seeds]
    return max(sum(env.check_action(player, str(c))[0] for env, player in found) / len(found) for c in range(7))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--learning-rate", type=float, default=1e-2)
    args = parser.parse_args()
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from llm_arena_env.training.policy_gradient import LegalMoves, Policy, legal_move_rate, reinforce
    from tests.tiny_models import build_chat_model

    with tempfile.TemporaryDirectory() as folder:
        path = build_chat_model(Path(folder) / "model", seed=0)
        policy = Policy(AutoModelForCausalLM.from_pretrained(path), AutoTokenizer.from_pretrained(path),
                        max_new_tokens=1)
    constant = best_constant_rate(one_open_column_positions, HELD_OUT)
    before = legal_move_rate(policy, one_open_column_positions, HELD_OUT, seed=1)
    reinforce(policy, LegalMoves(one_open_column_positions), train_seeds=range(5_000), steps=args.steps,
              batch_size=32, learning_rate=args.learning_rate, seed=0)
    after = legal_move_rate(policy, one_open_column_positions, HELD_OUT, seed=1)
    print(f"open-column rate on {len(HELD_OUT)} held-out positions: {before:.3f} before, {after:.3f} after "
          f"{args.steps} steps; best constant answer {constant:.3f}; uniform digit {1 / 7:.3f}")


if __name__ == "__main__":
    main()
