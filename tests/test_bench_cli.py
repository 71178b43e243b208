"""`llm-arena bench` and `llm-arena eval`: clembench's run-then-eval loop, game selectors and --instances."""

from __future__ import annotations

import csv
import io
import json
import math
import re

import pytest

from llm_arena_env.games.dialogue.clembench_benchmark import benchmark_games

from llm_arena_env.arena.bench_cli import clem_table, format_clem_table
from llm_arena_env.arena.selectors import select_games
from llm_arena_env.cli import main
from tests.fake_openai_server import FakeOpenAIServer, Reply


def episodes_in(folder) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted(folder.rglob("episode.json"))]


# ---------------------------------------------------------------------- selectors


def test_selectors_expand_in_id_order_and_filter_by_kind():
    wordles = select_games(["dialogue/wordle*"])
    assert wordles == ["dialogue/wordle", "dialogue/wordle_withclue", "dialogue/wordle_withcritic"]
    dialogue = select_games(["all"], kind="dialogue")
    assert dialogue == select_games([], kind="dialogue") and set(wordles) < set(dialogue)
    assert all(g.startswith("dialogue/") for g in dialogue)
    assert select_games(["chess", "openspiel/*_poker", "chess"]) == ["chess", "openspiel/kuhn_poker",
                                                                       "openspiel/leduc_poker",
                                                                       "openspiel/universal_poker"]
    with pytest.raises(ValueError, match="no game matches 'dialogue/nope\\*'"):
        select_games(["dialogue/nope*"])
    with pytest.raises(ValueError, match="not dialogue"):
        select_games(["chess"], kind="dialogue")


def test_run_takes_selectors_and_instances(tmp_path, capsys):
    code = main(["run", "dialogue/wordle*", "--players", "random", "--instances", "2", "--results-root",
                 str(tmp_path), "--run-name", "r", "--no-progress"])
    # wordle_withcritic has two seats: one player spec does not fill it, and the error says so
    assert code == 2 and "wordle_withcritic has 2 players" in capsys.readouterr().err
    assert main(["run", "dialogue/wordle", "dialogue/wordle_withclue", "--players", "random", "--instances", "2",
                 "--results-root", str(tmp_path), "--run-name", "r", "--no-progress"]) == 0
    records = episodes_in(tmp_path / "r")
    assert len(records) == 4
    assert sorted({r["game"] for r in records}) == ["dialogue/wordle", "dialogue/wordle_withclue"]
    # a sample of 2 is the same sample on the next run (so the run resumes instead of growing)
    assert main(["run", "dialogue/wordle", "dialogue/wordle_withclue", "--players", "random", "--instances", "2",
                 "--results-root", str(tmp_path), "--run-name", "r", "--no-progress"]) == 0
    assert "(4 already played)" in capsys.readouterr().err


def test_instances_on_a_run_of_board_and_dialogue_games_apply_where_there_is_an_instance_set(tmp_path):
    assert main(["run", "openspiel/tic_tac_toe", "dialogue/taboo", "--players", "random", "random",
                 "--instances", "3", "--results-root", str(tmp_path), "--run-name", "r", "--no-progress"]) == 0
    games = [r["game"] for r in episodes_in(tmp_path / "r")]
    assert games.count("dialogue/taboo") == 3 and games.count("openspiel/tic_tac_toe") == 1


# ---------------------------------------------------------------------- bench


def test_bench_plays_every_instance_in_self_play_and_resumes(tmp_path, capsys):
    args = ["bench", "-m", "random", "-g", "dialogue/wordle", "dialogue/taboo", "--instances", "3",
            "--results-root", str(tmp_path), "--no-progress"]
    assert main(args) == 0
    out = capsys.readouterr()
    records = episodes_in(tmp_path / "bench-random")
    assert len(records) == 6
    assert all(set(r["agents"].values()) == {"random"} for r in records)  # every seat
    assert len({(r["game"], json.dumps(r.get("options"))) for r in records}) == 6  # distinct instances
    assert "clemscore" in out.out and "llm-arena eval" in out.out
    assert json.loads((tmp_path / "bench-random" / "run.json").read_text())["config"]["bench"]["model"] == "random"
    assert main(args) == 0
    assert "(6 already played)" in capsys.readouterr().err


def test_bench_against_a_partner_swaps_the_seats(tmp_path):
    with FakeOpenAIServer() as server:
        partner = f"openai:fake@{server.url}"
        assert main(["bench", "-m", "random", "-g", "dialogue/taboo", "--partner", partner, "--instances", "2",
                     "--results-root", str(tmp_path), "--no-progress"]) == 0
    records = episodes_in(next(tmp_path.glob("bench-random-vs-*")))
    seatings = {tuple(r["agents"].values()) for r in records}
    assert seatings == {("random", partner), (partner, "random")} and len(records) == 4
    assert main(["bench", "-m", "random", "-g", "dialogue/taboo", "--partner", "nope", "--results-root",
                 str(tmp_path), "--no-progress"]) == 2


def test_bench_by_default_is_the_clembench_set_with_all_instances(tmp_path, monkeypatch):
    from llm_arena_env.arena import bench_cli

    seen = {}
    monkeypatch.setattr(bench_cli, "bench_jobs", lambda model, games, **kw: seen.update(games=games, **kw) or [])
    main(["bench", "-m", "random", "--results-root", str(tmp_path), "--no-progress"])
    assert seen["games"] == benchmark_games()[0] and seen["instances"] == "all"
    assert "grid/textmapworld" in seen["games"] and "dialogue/cloudgame" not in seen["games"]  # clembench's counted games
    main(["bench", "-m", "random", "--benchmark", "3.0", "-g", "dialogue/cloudgame", "--results-root", str(tmp_path)])
    assert seen["games"] == benchmark_games("3.0")[0] + ["dialogue/cloudgame"]
    assert seen["partner"] is None


def test_a_registered_model_benched_on_real_wordle_instances_then_evaluated(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LLM_ARENA_MODELS", raising=False)
    with FakeOpenAIServer() as server:
        # A model that always guesses "crane": it plays (no abort) and rarely wins.
        server.responder = lambda body: Reply.answer("explanation: a common opener\nguess: crane")
        (tmp_path / "llm-arena-models.toml").write_text(
            f'[models.crane-bot]\nbackend = "openai"\nmodel = "fake"\nbase_url = "{server.url}"\n')
        assert main(["bench", "-m", "crane-bot", "-m", "random", "-g", "dialogue/wordle", "--instances", "2",
                     "--no-progress", "--concurrency", "2"]) == 0
    capsys.readouterr()
    assert main(["eval", "results", "--format", "json"]) == 0
    table = json.loads(capsys.readouterr().out)
    rows = {m["model"]: m for m in table["models"]}
    assert table["games"] == ["dialogue/wordle"]
    assert rows["crane-bot"]["played"] == 100.0 and rows["random"]["played"] == 0.0
    assert [m["model"] for m in table["models"]] == sorted(rows, key=lambda m: -rows[m]["clemscore"])


# ---------------------------------------------------------------------- eval


def _dialogue(game, agents, main_score):
    aborted = main_score is None
    scores = {"Aborted": int(aborted), "Success": int(not aborted and main_score > 0),
              "Main Score": math.nan if aborted else float(main_score)}
    outcome = "aborted" if aborted else "success" if main_score else "failure"
    return {"game": game, "seed": 0, "agents": agents, "steps": [], "outcomes": {s: outcome for s in agents},
            "rewards": {}, "scores": scores, "end_reason": "game_over", "end_detail": "", "num_steps": 0}


def hand_worked_episodes():
    taboo_m = [_dialogue("dialogue/taboo", {"a": "m", "b": "m"}, s) for s in (None, 80, 40)]
    wordle_m = [_dialogue("dialogue/wordle", {"g": "m"}, s) for s in (100, 0)]
    taboo_n = [_dialogue("dialogue/taboo", {"a": "n", "b": "n"}, s) for s in (100, 100)]
    chess = [{"game": "chess", "agents": {"w": "m", "b": "n"}, "scores": {"aborted": 0.0}, "steps": [],
              "outcomes": {"w": "win", "b": "loss"}, "seed": 0}]
    return taboo_m + wordle_m + taboo_n + chess


def test_the_clemscore_table_side_by_side_on_hand_worked_numbers():
    table = clem_table(hand_worked_episodes())
    assert table["games"] == ["dialogue/taboo", "dialogue/wordle"]  # chess has no clembench scores
    n, m = table["models"]  # sorted by clemscore
    # m: % played mean(66.67, 100) = 83.33; quality mean(60, 50) = 55; clemscore 45.83
    assert m["model"] == "m" and m["played"] == pytest.approx(250 / 3) and m["quality"] == 55.0
    assert m["clemscore"] == pytest.approx(45.8333, abs=1e-4)
    assert m["games"]["dialogue/taboo"] == {"episodes": 3, "played": pytest.approx(200 / 3), "quality": 60.0}
    # n played taboo only: its clemscore is over the games it played, and wordle shows as missing
    assert (n["model"], n["clemscore"], n["games"]["dialogue/wordle"]) == ("n", 100.0, None)


def test_the_table_as_csv_markdown_and_text():
    table = clem_table(hand_worked_episodes())
    rows = list(csv.reader(io.StringIO(format_clem_table(table, "csv"))))
    assert rows[0][:4] == ["model", "clemscore", "% played", "quality"]
    assert rows[0][4:] == ["taboo % played", "taboo quality", "wordle % played", "wordle quality"]
    assert rows[2] == ["m", "45.83", "83.33", "55.00", "66.67", "60.00", "100.00", "50.00"]
    assert rows[1][-2:] == ["-", "-"]
    markdown = format_clem_table(table, "markdown").splitlines()
    assert markdown[0].startswith("| model | clemscore |") and re.fullmatch(r"\|---(\|---:)+\|", markdown[1])
    assert markdown[3].startswith("| m | 45.83 |")
    text = format_clem_table(table, "table").splitlines()
    assert text[0].split() == ["model", "clemscore", "%", "played", "quality"]
    assert text[3].split() == ["m", "45.83", "83.33", "55.00"]
    assert ["dialogue/taboo", "m", "3", "66.67", "60.00"] in [line.split() for line in text]
    assert not any(line.startswith("dialogue/wordle  n") for line in text)  # n never played wordle


def test_markdown_cells_cannot_break_the_table():
    table = clem_table([_dialogue("dialogue/taboo", {"a": "x|<b>y</b>", "b": "x|<b>y</b>"}, 50)])
    line = format_clem_table(table, "markdown").splitlines()[2]
    assert "x\\|&lt;b&gt;y&lt;/b&gt;" in line and line.count(" | ") == 5


def test_eval_writes_a_file_and_says_when_nothing_is_clembench_scored(tmp_path, capsys):
    folder = tmp_path / "run" / "g" / "p" / "0000"
    folder.mkdir(parents=True)
    for i, episode in enumerate(hand_worked_episodes()):
        path = tmp_path / "run" / "g" / "p" / f"{i:04d}"
        path.mkdir(parents=True, exist_ok=True)
        (path / "episode.json").write_text(json.dumps(episode, allow_nan=True))
    out = tmp_path / "clemscore.md"
    assert main(["eval", str(tmp_path / "run"), "--format", "markdown", "--output", str(out)]) == 0
    assert out.read_text().startswith("| model | clemscore |")
    chess_only = tmp_path / "chess" / "0000"
    chess_only.mkdir(parents=True)
    (chess_only / "episode.json").write_text(json.dumps(hand_worked_episodes()[-1]))
    assert main(["eval", str(tmp_path / "chess")]) == 2
    assert "no clembench-scored episodes" in capsys.readouterr().err


def test_score_filters_by_selector(tmp_path, capsys):
    assert main(["run", "dialogue/wordle", "openspiel/tic_tac_toe", "--players", "random", "random",
                 "--results-root", str(tmp_path), "--run-name", "r", "--no-progress"]) == 2  # wordle has one seat
    assert main(["run", "openspiel/tic_tac_toe", "openspiel/connect_four", "--players", "random", "random",
                 "--results-root", str(tmp_path), "--run-name", "r", "--no-progress"]) == 0
    capsys.readouterr()
    assert main(["score", str(tmp_path / "r"), "--game", "openspiel/tic_*"]) == 0
    out = capsys.readouterr().out
    assert "openspiel/tic_tac_toe" in out and "connect_four" not in out
