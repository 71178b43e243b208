"""Golden playthroughs: every registered game's recorded episode, replayed move by move.

A file of ``tests/golden/playthroughs`` holds one episode (observation per turn, moves, rewards, how it
ended); replaying its moves must give the same text, turn by turn, so any change in a game's behaviour
fails here with the first turn that differs. After a deliberate change, re-record with
``python scripts/record_playthroughs.py <id>`` and read the diff.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

import llm_arena_env
from llm_arena_env.core.playthrough import moves_of, record, replay, turns

FOLDER = Path(__file__).parent / "golden" / "playthroughs"
GAME_IDS = [spec.id for spec in llm_arena_env.list_games()]


def test_every_registered_game_has_a_playthrough():
    recorded = {str(p.relative_to(FOLDER).with_suffix("")) for p in FOLDER.rglob("*.txt")}
    assert sorted(set(GAME_IDS) - recorded) == [], "record them: python scripts/record_playthroughs.py <id>"


@pytest.mark.parametrize("game_id", GAME_IDS)
def test_replaying_the_moves_gives_the_recorded_episode(game_id):
    path = FOLDER / f"{game_id}.txt"
    if not path.exists():
        pytest.skip("no playthrough recorded yet (the test above fails for it)")
    golden = path.read_text(encoding="utf-8")
    assert moves_of(golden) and "--- end" in golden and "not over after" not in golden
    replayed = replay(golden)
    for number, (want, got) in enumerate(zip(turns(golden), turns(replayed))):
        if want != got:
            diff = "\n".join(difflib.unified_diff(want.split("\n"), got.split("\n"), "recorded", "replayed", lineterm=""))
            pytest.fail(f"{game_id}: block {number} differs from {path.name}:\n{diff}")
    assert len(turns(golden)) == len(turns(replayed))


def test_a_changed_game_shows_as_a_diff(monkeypatch):
    """The check can fail: a reply the env now reads otherwise changes the replayed text."""
    from llm_arena_env.games.dialogue import taboo

    golden = (FOLDER / "dialogue" / "taboo.txt").read_text(encoding="utf-8")
    monkeypatch.setattr(taboo, "normalize_guess", lambda guess: guess.upper())  # a planted bug
    assert replay(golden) != golden


def test_recording_is_deterministic():
    assert record("openspiel/kuhn_poker", seed=3) == record("openspiel/kuhn_poker", seed=3)
