"""Agreement of our envs with clembench's verdicts recorded by scripts/clembench_diff_<game>.py.

Runs in the project's venv (it replays through llm_arena_env); the recorded file and the instance file it
was recorded on are given in pairs, e.g. on clembench's own instances::

    python scripts/clembench_v3_compare.py dialogue/dond /tmp/dond_v3.json /path/to/clembench/dond/in/instances_v3.0.json

Prints per file: cases, and in how many our env agreed on the outcome, the Main Score, the request counts
and the text shown to the players, then up to 8 disagreements.
"""

from __future__ import annotations

import collections
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.clembench_v3_replay import replay  # noqa: E402

ENDED = ("ended", "not over")


def main(argv: list[str]) -> None:
    if len(argv) < 3 or len(argv) % 2 == 0:
        sys.exit(__doc__)
    game, pairs = argv[0], list(zip(argv[1::2], argv[2::2]))
    shown = []
    for golden, instances in pairs:
        agree = collections.Counter()
        for case in json.loads(Path(golden).read_text(encoding="utf-8"))["cases"]:
            problems = replay(game, case, Path(instances))
            agree["cases"] += 1
            agree["outcome"] += not any(p.startswith(("outcome",) + ENDED) for p in problems)
            agree["Main Score"] += not any(p.startswith(("Main Score",) + ENDED) for p in problems)
            agree["requests"] += not any("Request" in p or p.startswith(ENDED) for p in problems)
            agree["text shown"] += not any(p.startswith("reply") for p in problems)
            if problems and len(shown) < 8:
                shown.append(f"{case['experiment']} {case['game_id']} {case['case']}: {'; '.join(problems[:3])}")
        print(Path(instances).name, dict(agree))
    print("\n".join(shown))


if __name__ == "__main__":
    main(sys.argv[1:])
