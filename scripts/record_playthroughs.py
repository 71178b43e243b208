"""Write the golden playthroughs: one episode of every registered game, played by its scripted player.

    python scripts/record_playthroughs.py                 # every registered game
    python scripts/record_playthroughs.py dialogue/taboo  # some of them

Each goes to ``tests/golden/playthroughs/<id>.txt`` (see ``llm_arena_env/core/playthrough.py``);
``tests/test_playthroughs.py`` replays the moves and compares turn by turn. Re-record after a deliberate
change to a game and read the diff before committing it.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout, not an installed copy

import llm_arena_env  # noqa: E402
from llm_arena_env.core.playthrough import record  # noqa: E402

FOLDER = Path(__file__).resolve().parent.parent / "tests" / "golden" / "playthroughs"
# Arguments that keep an episode short where the default would play long (none needed yet).
KWARGS: dict[str, dict] = {}


def main(game_ids: list[str]) -> None:
    for game_id in game_ids or [spec.id for spec in llm_arena_env.list_games()]:
        path = FOLDER / f"{game_id}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(record(game_id, seed=0, **KWARGS.get(game_id, {})), encoding="utf-8")
        print(f"wrote {path.relative_to(FOLDER.parent.parent.parent)}")


if __name__ == "__main__":
    main(sys.argv[1:])
