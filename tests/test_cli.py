"""The `llm-arena` command line, run in-process through main() (and once as the installed script)."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from llm_arena_env.cli import DEMO_GAMES, DEMO_MODEL_GAMES, _bundled_model_missing, main, parse_game_args, parse_value


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_list_games_is_a_table_of_the_registry(capsys):
    code, out, _ = run(capsys, "list", "games")
    header, rule, *rows = out.splitlines()
    assert code == 0
    assert header.split()[:4] == ["id", "kind", "players", "observations"]
    chess_row = next(row for row in rows if row.startswith("chess "))
    assert "board" in chess_row and "text,image" in chess_row and "python-chess" in chess_row


def test_list_games_of_one_kind(capsys):
    _, board, _ = run(capsys, "list", "games", "--kind", "board")
    _, grid, _ = run(capsys, "list", "games", "--kind", "grid")
    assert "\nchess " in board and "\nchess " not in grid


def test_list_agents_shows_every_kind_with_help(capsys):
    code, out, _ = run(capsys, "list", "agents")
    assert code == 0
    for kind in ("random", "stockfish", "human"):
        assert any(line.startswith(kind + " ") and len(line.split()) > 2 for line in out.splitlines())


def test_help_shows_examples(capsys):
    code, out, _ = run(capsys, "--help")
    assert code == 0 and "examples:" in out and "llm-arena play chess --players" in out


def test_play_tic_tac_toe_prints_each_episode_and_a_summary(capsys):
    code, out, err = run(capsys, "play", "openspiel/tic_tac_toe", "--players", "random", "random",
                         "--episodes", "3", "--seed", "5")
    assert code == 0, err
    episodes, summary = out.strip().split("\n\n")
    rows = episodes.splitlines()[2:]
    assert [row.split()[:2] for row in rows] == [["1", "5"], ["2", "6"], ["3", "7"]]
    lines = summary.splitlines()
    assert lines[0].split()[:5] == ["player", "agent", "wins", "draws", "losses"]
    player_0 = lines[2].split()
    assert player_0[:2] == ["player_0", "random"] and sum(int(n) for n in player_0[2:5]) == 3
    assert "3/3" in err  # the progress bar goes to stderr


def test_play_is_reproducible_with_a_seed(capsys):
    argv = ("play", "openspiel/tic_tac_toe", "--players", "random", "random", "--episodes", "4", "--seed", "1")
    first, second = run(capsys, *argv), run(capsys, *argv)
    assert first[0] == 0 and first[1] == second[1]


def test_play_passes_game_args_and_max_illegal(capsys):
    code, out, err = run(capsys, "play", "chess", "--players", "stockfish:20", "random", "--max-illegal", "2",
                         "--game-arg", "observation_mode=text", "--seed", "0")
    assert code == 0, err
    assert "stockfish:20" in out


@pytest.mark.parametrize("argv, message", [
    (["play", "chesss", "--players", "random", "random"], "Did you mean 'chess'"),
    (["play", "chess", "--players", "random", "robot"], "unknown agent spec 'robot'"),
    (["play", "chess", "--players", "random"], "chess has 2 players (white, black)"),
    (["play", "chess", "--players", "random", "random", "--game-arg", "oops"], "KEY=VALUE"),
    (["play", "chess", "--players", "random", "random", "--game-arg", "no_such_option=1"], "no_such_option"),
    (["play", "chess", "--players", "random", "random", "--episodes", "-1"], "--episodes: must be >= 1"),
    (["play", "chess", "--players", "random", "random", "--seed", "x"], "expected an integer"),
    (["play", "chess"], "--players"),
    (["list", "agents", "--kind", "board"], "--kind applies to `list games` only"),
    (["fly"], "invalid choice"),
    ([], "required"),
])
def test_wrong_arguments_give_one_line_and_exit_2(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert out == ""


def test_a_human_who_quits_gets_a_goodbye_and_130(capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("quit\n"))
    code, out, err = run(capsys, "play", "openspiel/tic_tac_toe", "--players", "human", "random")
    assert code == 130 and "Goodbye" in err and "Traceback" not in err
    assert "Legal moves" in out  # the person was shown the board first


def test_demo_plays_every_demo_game_into_a_results_folder_with_transcripts(capsys, tmp_path):
    code, out, _ = run(capsys, "demo", "--results-root", str(tmp_path))
    assert code == 0
    for game, _players in DEMO_GAMES:
        (line,) = [line for line in out.splitlines() if line.startswith(game) and "smollm2" not in line]
        assert any(word in line for word in ("win", "draw", "loss", "success", "failure")), line
    (run_dir,) = tmp_path.iterdir()
    assert (run_dir / "index.html").exists()
    model_games = () if _bundled_model_missing() else DEMO_MODEL_GAMES
    for game, players in model_games:  # the real model's episodes end cleanly, its replies shown
        assert any(line.startswith(game) and "smollm2" in line and "error" not in line for line in out.splitlines())
        assert f"SmolLM2 in {game}" in out
    played = len(DEMO_GAMES) + len(model_games)
    assert len(list(run_dir.glob("*/*/*/transcript.html"))) == played


def test_game_args_are_typed():
    assert parse_game_args(["a=3", "b=2.5", "c=true", "d=False", "e=none", "f=text", "g=a=b"]) == {
        "a": 3, "b": 2.5, "c": True, "d": False, "e": None, "f": "text", "g": "a=b"}
    assert parse_value("-4") == -4 and parse_value("") == ""


def test_installed_console_script_lists_games():
    script = Path(sys.executable).with_name("llm-arena")
    if not script.exists():
        pytest.skip("the llm-arena console script is not installed in this environment (pip install -e .)")
    result = subprocess.run([str(script), "list", "games"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert any(line.startswith("chess ") for line in result.stdout.splitlines())
