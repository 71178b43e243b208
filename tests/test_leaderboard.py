"""The leaderboard's table, CSV, JSON and PNG, and the `llm-arena score` / `leaderboard` commands."""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import llm_arena_env
from llm_arena_env.agents.specs import make_agent
from llm_arena_env.arena.episode import play_episode
from llm_arena_env.arena.leaderboard import (
    build_leaderboard,
    format_leaderboard,
    plot_leaderboard,
    plot_size,
    png_bytes,
    write_leaderboard,
)
from llm_arena_env.cli import main

STRENGTHS = {"random": 0.0, "weak": 200.0, "strong": 500.0}


def synthetic(strengths=STRENGTHS, games_per_pair=30, seed=0):
    """Episode dicts of a round-robin whose outcomes follow the Bradley-Terry model."""
    rng = np.random.default_rng(seed)
    names, episodes = list(strengths), []
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            p = 1 / (1 + 10 ** ((strengths[b] - strengths[a]) / 400))
            for game in range(games_per_pair):
                a_wins = rng.random() < p
                seats = {"player_0": a, "player_1": b} if game % 2 == 0 else {"player_0": b, "player_1": a}
                winner = a if a_wins else b
                episodes.append({
                    "game": "openspiel/tic_tac_toe", "seed": game, "agents": seats, "steps": [], "scores": {},
                    "outcomes": {seat: "win" if spec == winner else "loss" for seat, spec in seats.items()},
                })
    return episodes


def test_the_leaderboard_ranks_players_and_counts_their_games():
    board = build_leaderboard(synthetic(), anchors={"random": 0}, bootstrap=100, seed=0)
    assert [row.player for row in board.rows] == ["strong", "weak", "random"]
    assert [row.rank for row in board.rows] == [1, 2, 3]
    for row in board.rows:
        assert row.games == 60 and row.wins + row.losses == 60 and row.draws == 0
        assert row.score == pytest.approx(row.wins / 60) and row.bt_low <= row.bt <= row.bt_high
    assert board.rows[2].anchored and board.rows[2].bt == 0.0 and board.games == ("openspiel/tic_tac_toe",)
    text = format_leaderboard(board)
    header, rule, first, *_ = text.splitlines()
    assert header.split()[:3] == ["rank", "player", "bradley-terry"] and first.split()[:2] == ["1", "strong"]
    assert "0*" in text and "* anchored: random = 0" in text and "90 rated episode(s)" in text


def test_files_are_written_and_deterministic(tmp_path):
    board = build_leaderboard(synthetic(), bootstrap=50, seed=3)
    paths = write_leaderboard(board, tmp_path / "a")
    again = write_leaderboard(build_leaderboard(synthetic(), bootstrap=50, seed=3), tmp_path / "b")
    for kind in ("csv", "json", "png"):
        assert paths[kind].read_bytes() == again[kind].read_bytes()
    rows = list(csv.DictReader(io.StringIO(paths["csv"].read_text())))
    assert [r["player"] for r in rows] == [r.player for r in board.rows]
    assert float(rows[0]["bt"]) == pytest.approx(board.rows[0].bt)
    data = json.loads(paths["json"].read_text())
    assert data["bootstrap"] == 50 and data["players"][0]["player"] == board.rows[0].player
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["leaderboard.csv", "leaderboard.json",
                                                                  "leaderboard.png"]  # no temporary files left


def test_without_a_bootstrap_the_intervals_are_empty_not_nan_in_json(tmp_path):
    board = build_leaderboard(synthetic(), bootstrap=0)
    assert math.isnan(board.rows[0].bt_low) and "no bootstrap" in format_leaderboard(board)
    path = write_leaderboard(board, tmp_path)["json"]
    assert json.loads(path.read_text())["players"][0]["bt_low"] is None  # JSON has no NaN


def test_the_plot_has_the_right_size_and_changes_with_the_ratings():
    board = build_leaderboard(synthetic(), anchors={"random": 0}, bootstrap=50)
    image = Image.open(io.BytesIO(png_bytes(board)))
    assert image.format == "PNG" and image.size == plot_size(3) and plot_size(3)[1] < plot_size(4)[1]
    moved = build_leaderboard(synthetic(), anchors={"random": 0, "strong": 900.0}, bootstrap=50)
    before, after = np.asarray(plot_leaderboard(board)), np.asarray(plot_leaderboard(moved))
    assert before.shape == after.shape and (before != after).any()
    assert png_bytes(board) == png_bytes(board)
    four = build_leaderboard(synthetic({**STRENGTHS, "a-very-long-agent-spec:" + "x" * 80: 100.0}, 10), bootstrap=0)
    assert Image.open(io.BytesIO(png_bytes(four))).size == plot_size(4)


# ---------------------------------------------------------------------------------------------- CLI


def write_results(root: Path, episodes) -> Path:
    """Episodes laid out as the results store lays them out: <run>/<game>/<pairing>/<id>/episode.json."""
    for index, episode in enumerate(episodes):
        folder = root / "run" / "game" / "__vs__".join(episode["agents"].values()) / f"{index:05d}"
        folder.mkdir(parents=True)
        (folder / "episode.json").write_text(json.dumps(episode))
    return root


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_score_prints_the_table_and_writes_json_and_csv(tmp_path, capsys):
    env = llm_arena_env.make("openspiel/tic_tac_toe")
    played = [{**play_episode(env, [make_agent("random", seed=s), make_agent("random", seed=s + 9)], seed=s).to_dict(),
               "game": "openspiel/tic_tac_toe"} for s in range(3)]  # the registry id, as the runner records it
    results = write_results(tmp_path / "results", played + synthetic(games_per_pair=2))
    code, out, err = run(capsys, "score", results, "--json", tmp_path / "s.json", "--csv", tmp_path / "s.csv")
    assert code == 0, err
    assert out.splitlines()[0].split()[:3] == ["game", "player", "games"]
    random_row = next(line for line in out.splitlines() if line.split()[1:2] == ["random"])
    assert random_row.split()[2] == str(2 * 3 + 4)  # 3 self-play episodes (two seats) + 4 synthetic games
    data = json.loads((tmp_path / "s.json").read_text())
    assert {row["player"] for row in data["rows"]} == set(STRENGTHS)
    assert (tmp_path / "s.csv").read_text().startswith("game,player,games,wins")


def test_leaderboard_command_writes_table_csv_json_png(tmp_path, capsys):
    results = write_results(tmp_path / "results", synthetic())
    code, out, err = run(capsys, "leaderboard", results, "--anchor", "random=0", "--bootstrap", "40",
                         "--out", tmp_path / "out")
    assert code == 0, err
    assert out.splitlines()[2].split()[:2] == ["1", "strong"] and "random = 0" in out
    assert {p.name for p in (tmp_path / "out").iterdir()} == {"leaderboard.csv", "leaderboard.json", "leaderboard.png"}
    assert json.loads((tmp_path / "out" / "leaderboard.json").read_text())["anchors"] == {"random": 0.0}
    code, _, err = run(capsys, "leaderboard", results, "--bootstrap", "0")  # default out: inside the results
    assert code == 0 and (results / "leaderboard" / "leaderboard.png").exists()


@pytest.mark.parametrize("argv, message", [
    (["score", "{tmp}/nowhere"], "no results at"),
    (["leaderboard", "{tmp}/nowhere"], "no results at"),
    (["score", "{tmp}/empty"], "no episodes found under"),
    (["leaderboard", "{results}", "--anchor", "random"], "expected AGENT=RATING"),
    (["leaderboard", "{results}", "--anchor", "random=zero"], "is not a number"),
    (["leaderboard", "{results}", "--anchor", "=3"], "expected AGENT=RATING"),
    (["leaderboard", "{results}", "--anchor", "random=nan"], "must be finite"),
    (["leaderboard", "{results}", "--anchor", "gpt=0"], "'gpt' is not among the rated players"),
    (["leaderboard", "{results}", "--anchor", "random=0", "--anchor", "random=5"], "the same agent twice"),
    (["leaderboard", "{results}", "--bootstrap", "-1"], "must be >= 0"),
    (["leaderboard", "{results}", "--game", "chess"], "no episodes of chess"),
    (["leaderboard", "{dialogue}"], "no rated matches"),
])
def test_mistakes_are_one_line_and_exit_2(tmp_path, capsys, argv, message):
    (tmp_path / "empty").mkdir()
    results = write_results(tmp_path / "results", synthetic(games_per_pair=2))
    dialogue = write_results(tmp_path / "dialogue", [
        {"game": "dialogue/taboo", "seed": 0, "agents": {"a": "m", "b": "m"}, "steps": [],
         "outcomes": {"a": "success", "b": "success"}, "scores": {"Aborted": 0, "Main Score": 100.0}}])
    names = {"tmp": tmp_path, "results": results, "dialogue": dialogue}
    code, out, err = run(capsys, *(a.format(**names) for a in argv))
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and message in err and "Traceback" not in err


def test_unreadable_episode_files_are_skipped_with_a_warning(tmp_path, capsys):
    results = write_results(tmp_path / "results", synthetic(games_per_pair=2))
    broken = results / "run" / "game" / "x" / "1"
    broken.mkdir(parents=True)
    (broken / "episode.json").write_text("{not json")
    code, out, err = run(capsys, "score", results)
    assert code == 0 and "warning: skipping" in err and "strong" in out
