"""`llm-arena export` and training.export: rows from a results directory, as JSONL or Parquet."""

from __future__ import annotations

import json
import sys

import pytest

import llm_arena_env
from llm_arena_env.agents import RandomAgent
from llm_arena_env.arena.episode import play_episode
from llm_arena_env.cli import main
from llm_arena_env.training.export import export, load_results
from tests.test_trajectory import SometimesIllegal

TTT = "openspiel/tic_tac_toe"


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    """A results folder as the arena writes it: <root>/<run>/<game>/<pairing>/<episode_id>/episode.json."""
    root = tmp_path_factory.mktemp("results")
    for seed in range(6):
        record = play_episode(llm_arena_env.make(TTT), [RandomAgent(seed), RandomAgent(seed + 9)], seed=seed, game=TTT,
                              episode_id=f"ttt-{seed}")
        _write(root / "run1" / "openspiel__tic_tac_toe" / "random__vs__random" / f"ttt-{seed}", record.to_dict())
    chess = play_episode(llm_arena_env.make("chess", max_illegal_actions=1), [SometimesIllegal(0), SometimesIllegal(1)],
                         seed=0, game="chess", game_kwargs={"max_illegal_actions": 1}, episode_id="chess-0")
    _write(root / "run1" / "chess" / "a__vs__b" / "chess-0", chess.to_dict())
    return root


def _write(folder, data):
    folder.mkdir(parents=True)
    (folder / "episode.json").write_text(json.dumps(data), encoding="utf-8")


def _lines(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_load_results_reads_every_episode(results):
    episodes = load_results(results)
    assert len(episodes) == 7 and {e["game"] for e in episodes} == {TTT, "chess"}
    assert len(load_results(results / "run1" / "chess" / "a__vs__b" / "chess-0" / "episode.json")) == 1


def test_cli_exports_winning_chats_as_jsonl(results, tmp_path, capsys):
    out = tmp_path / "wins.jsonl"
    assert main(["export", str(results), "--kind", "sft", "--outcome", "win", "--game", TTT, "--out", str(out)]) == 0
    rows = _lines(out)
    winners = sum(1 for e in load_results(results) if e["game"] == TTT for o in e["outcomes"].values() if o == "win")
    assert len(rows) == winners > 0
    assert all(r["outcome"] == "win" and r["messages"][-1]["role"] == "assistant" for r in rows)
    assert f"wrote {len(rows)} sft rows" in capsys.readouterr().err


def test_cli_exports_rl_rows_and_preference_pairs(results, tmp_path):
    rl = tmp_path / "rl.jsonl"
    assert main(["export", str(results), "--kind", "rl", "--player", "player_0", "--decay", "0.5", "--out", str(rl)]) == 0
    rows = _lines(rl)
    assert rows and {r["player"] for r in rows} == {"player_0"}
    assert {"prompt", "completion", "reward", "episode_return", "advantage"} <= set(rows[0])
    pairs = tmp_path / "pairs.jsonl"
    assert main(["export", str(results), "--kind", "preference", "--out", str(pairs)]) == 0
    assert {(p["game"], p["source"]) for p in _lines(pairs)} == {("chess", "illegal")}


def test_parquet_round_trip(results, tmp_path):
    datasets = pytest.importorskip("datasets")
    out = tmp_path / "rl.parquet"  # the suffix picks the format
    count = export(results, kind="rl", out=out, game=TTT)
    table = datasets.Dataset.from_parquet(str(out))
    assert table.num_rows == count > 0
    assert table[0]["completion"][0]["role"] == "assistant"


def test_nan_scores_become_null_in_jsonl(tmp_path):
    episode = {"game": "g", "seed": 0, "agents": {"a": "x"}, "outcomes": {"a": "aborted"}, "rewards": {"a": 0.0},
               "scores": {"Main Score": float("nan")},
               "steps": [{"player": "a", "observation": "o", "decision": {}, "action": "m", "accepted": True}]}
    out = tmp_path / "sft.jsonl"
    assert export([episode], kind="sft", out=out) == 1
    assert "NaN" not in out.read_text() and _lines(out)[0]["score"] is None


def test_cli_mistakes_are_one_line_usage_errors(results, tmp_path, capsys, monkeypatch):
    out = str(tmp_path / "x.jsonl")
    assert main(["export", str(tmp_path / "nowhere"), "--kind", "sft", "--out", out]) == 2
    assert "no results folder" in capsys.readouterr().err
    assert main(["export", str(results), "--kind", "sft", "--decay", "0.9", "--out", out]) == 2
    assert "--decay applies to --kind rl only" in capsys.readouterr().err
    assert main(["export", str(results), "--kind", "dpo", "--out", out]) == 2
    monkeypatch.setitem(sys.modules, "datasets", None)  # parquet without the train extra
    assert main(["export", str(results), "--kind", "sft", "--out", str(tmp_path / "x.parquet")]) == 2
    assert "llm-arena-env[train]" in capsys.readouterr().err
    assert not (tmp_path / "x.parquet").exists()


def test_export_game_filter_takes_selectors(results, tmp_path):
    out = tmp_path / "ttt.jsonl"
    assert main(["export", str(results), "--kind", "sft", "--game", "openspiel/tic_*", "--out", str(out)]) == 0
    assert {r["game"] for r in _lines(out)} == {TTT}
    assert main(["export", str(results), "--kind", "sft", "--game", "nothing/*", "--out", str(out)]) == 2
