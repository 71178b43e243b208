"""clembench v3's language variants (dond de/it, hot_air_balloon de/it, clean_up de/it/zh-CN, the clean_up
variants' de/zh-CN) load unchanged from a clembench checkout and play as clembench's game master plays them.

The golden files under tests/golden/clembench_v3/languages/ are clembench's verdicts on the first instance
of each experiment of its own files (scripts/clembench_diff_<game>.py --first 1 --hash-text): the text
shown to the players is kept as its SHA-256 only (clembench's prompts are not ours to commit), so these
tests need the checkout: set CLEMBENCH_V3 to a checkout of https://github.com/clembench/clembench. Without
it they are skipped.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

import llm_arena_env
from tests.clembench_v3_replay import replay

GOLDEN = Path(__file__).parent / "golden" / "clembench_v3" / "languages"
FOLDERS = {"dond": "dond", "hot_air_balloon": "air_balloon_survival"}  # clembench's folder of each game
CHECKOUT = os.environ.get("CLEMBENCH_V3")

RECORDINGS = [json.loads(path.read_text(encoding="utf-8")) for path in sorted(GOLDEN.glob("*.json"))]


def _instances(recording: dict) -> Path:
    if not CHECKOUT:
        pytest.skip("set CLEMBENCH_V3 to a clembench/clembench checkout to replay clembench's own files")
    path = Path(CHECKOUT) / FOLDERS.get(recording["game"], "clean_up") / "in" / recording["instances"]
    if hashlib.sha256(path.read_bytes()).hexdigest() != recording["instances_sha256"]:
        pytest.skip(f"{path} is not the file these verdicts were recorded on (another clembench version)")
    return path


def test_every_language_clembench_ships_has_golden_cases():
    files = {(r["game"], r["instances"]) for r in RECORDINGS}
    for game in ("dond", "hot_air_balloon", "clean_up"):
        languages = {name.removesuffix(".json").rpartition("_")[2] for g, name in files if g == game}
        assert {"v3.0", "de", "it"} <= languages, (game, languages)
    assert ("clean_up", "instances_zh-CN.json") in files
    for variant in ("st_clean_up", "hybrid_clean_up", "mm_clean_up"):
        assert {(variant, f"{variant.removesuffix('_clean_up')}_instances_{lang}.json") for lang in ("de", "zh-CN")} <= files
    for recording in RECORDINGS:  # each file: a player who plays by the rules succeeds, and rule breaks abort
        outcomes = {c["outcome"] for c in recording["cases"] if c["case"].startswith("perfect")}
        assert outcomes == {"success"} and "aborted" in {c["outcome"] for c in recording["cases"]}, recording["instances"]


@pytest.mark.parametrize("recording", RECORDINGS, ids=[r["instances"] for r in RECORDINGS])
def test_clembench_verdicts_replay_on_its_language_files(recording):
    path = _instances(recording)  # one test per file (a skip per case would be ~1000 lines of "s" in CI)
    differences = {f"{case['experiment']}/{case['case']}": found for case in recording["cases"]
                   if (found := replay(f"dialogue/{recording['game']}", case, path))}
    assert differences == {}


@pytest.mark.parametrize("recording", RECORDINGS, ids=[r["instances"] for r in RECORDINGS])
def test_the_prompts_are_the_checkouts_own_in_its_language(recording):
    path = _instances(recording)
    data = json.loads(path.read_text(encoding="utf-8"))
    experiment = data["experiments"][0]
    env = llm_arena_env.make(f"dialogue/{recording['game']}", instances=str(path))
    env.reset(seed=0, options={"instance": (experiment["name"], experiment["game_instances"][0]["game_id"])})
    first = env.observe(env.agent_selection)["text"]
    case = next(c for c in recording["cases"] if c["experiment"] == experiment["name"])
    assert hashlib.sha256(first.encode("utf-8")).hexdigest() == case["seen"][0]["context_sha256"]
