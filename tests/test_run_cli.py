"""``llm-arena run`` / ``tournament``: results on disk, resume after Ctrl-C and after a killed process, errors."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest

from llm_arena_env.arena.results import EPISODE_FILE, MANIFEST_FILE, load_episodes
from llm_arena_env.arena.runner import EpisodeJob, play_many
from llm_arena_env import registry
from llm_arena_env.cli import main
from llm_arena_env.cli_common import EXIT_ERRORS
from llm_arena_env.games.openspiel.env import OpenSpielEnv
from llm_arena_env.registry import GameSpec
from tests import arena_agents
from tests.arena_agents import HashAgent, comparable, registered

TTT = "openspiel/tic_tac_toe"
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def test_agents():
    with registered():
        yield


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def episode_files(root: Path) -> list[Path]:
    return sorted(root.rglob(EPISODE_FILE))


def test_run_writes_every_episode_and_a_summary(tmp_path, capsys):
    code, out, err = run(capsys, "run", TTT, "--players", "hash", "random", "--episodes", "4", "--seed", "3",
                         "--results-root", str(tmp_path), "--run-name", "ttt", "--concurrency", "2")
    assert code == 0, err
    records = load_episodes(tmp_path / "ttt")
    assert sorted(r["seed"] for r in records) == [3, 4, 5, 6]
    assert "hash vs random" in out and f"results: {tmp_path / 'ttt'}" in out
    assert "4/4" in err and "episode/s" in err  # the progress bar
    manifest = json.loads((tmp_path / "ttt" / MANIFEST_FILE).read_text())
    assert manifest["config"]["players"] == ["hash", "random"] and manifest["config"]["concurrency"] == 2
    assert (tmp_path / "ttt" / "index.html").exists()  # the transcripts' index page
    assert all((f.parent / "transcript.html").exists() for f in episode_files(tmp_path))


def test_no_transcripts_writes_the_episodes_without_html(tmp_path, capsys):
    code, _, err = run(capsys, "run", TTT, "--players", "random", "random", "--episodes", "2", "--no-progress",
                       "--results-root", str(tmp_path), "--run-name", "ttt", "--no-transcripts")
    assert code == 0, err
    assert len(episode_files(tmp_path)) == 2
    assert not list(tmp_path.rglob("*.html"))


def test_the_same_command_again_plays_nothing_twice(tmp_path, capsys):
    argv = ["run", TTT, "--players", "random", "random", "--episodes", "3", "--results-root", str(tmp_path),
            "--no-progress"]
    assert run(capsys, *argv)[0] == 0
    before = {f: f.stat().st_mtime_ns for f in episode_files(tmp_path)}
    code, _, err = run(capsys, *argv)
    assert code == 0 and "(3 already played)" in err
    assert {f: f.stat().st_mtime_ns for f in episode_files(tmp_path)} == before


def test_a_tournament_from_a_config_file_with_a_flag_overriding_it(tmp_path, capsys):
    config = tmp_path / "ladder.toml"
    config.write_text(f'games = ["{TTT}"]\nplayers = ["random", "hash", "hash:0"]\nepisodes = 5\n'
                      f'run_name = "ladder"\nresults_root = "{tmp_path.as_posix()}"\n')
    code, out, err = run(capsys, "tournament", "--config", str(config), "--episodes", "2", "--no-progress")
    assert code == 0, err
    records = load_episodes(tmp_path / "ladder")
    assert len(records) == 3 * 2 * 2  # pairs x seat orders x episodes
    assert "llm-arena leaderboard" in out
    assert json.loads((tmp_path / "ladder" / MANIFEST_FILE).read_text())["config"]["tournament"] is True


@pytest.mark.parametrize("argv, message", [
    (["run", "chesss", "--players", "random", "random"], "unknown game 'chesss'. Did you mean 'chess'"),
    (["run", "chess", "--players", "random", "randon"], "unknown agent 'randon'"),
    (["run", "chess", "--players", "random"], "chess has 2 players (white, black), but 1 agent spec is given"),
    (["run", "--players", "random", "random"], "name one or more games"),
    (["run", "chess"], "give the players with --players"),
    (["run", "chess", "--players", "random", "random", "--episodes", "0"], "--episodes: must be >= 1"),
    (["run", "chess", "--players", "random", "random", "--concurrency", "x"], "--concurrency: expected an integer"),
    (["run", "chess", "--players", "random", "random", "--game-arg", "colour=red"], "could not make 'chess'"),
    (["run", "chess", "--players", "random", "random", "--game-arg", "oops"], "--game-arg takes KEY=VALUE"),
    (["run", "chess", "--players", "human", "random", "--concurrency", "2"], "a human plays one game at a time"),
    (["run", "chess", "--players", "random:1", "random"], "could not build agent 'random:1'"),
    (["run", "openspiel/tic_tac_toe", "--players", "random", "stockfish-ish:1"], "unknown agent"),
    (["run", "--config", "missing.toml"], "config missing.toml: no such file"),
    (["tournament", "chess", "--players", "random"], "two or more different agent specs"),
    (["tournament", "dialogue/wordle", "--players", "random", "hash"], "two by two"),
])
def test_mistakes_end_in_one_line_and_status_2(tmp_path, capsys, argv, message):
    code, out, err = run(capsys, *argv, "--results-root", str(tmp_path / "results"))
    assert code == 2
    lines = [line for line in err.splitlines() if line.strip() and not line.startswith(("run ", "tournament "))]
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in err, err
    assert not (tmp_path / "results").exists()  # nothing was written


def test_a_missing_api_key_is_named_and_nothing_is_written(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    code, _, err = run(capsys, "run", "chess", "--players", "openai:gpt-4o-mini", "random",
                       "--results-root", str(tmp_path))
    assert code == 2 and "OPENAI_API_KEY" in err.splitlines()[-1] and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_an_agent_that_cannot_play_the_game_is_one_line_and_keeps_what_was_played(tmp_path, capsys):
    class ChessOnly(HashAgent):
        def decide(self, observation):
            raise ValueError("plays chess only")

    arena_agents.register_agent_spec("chessonly", lambda arg, seed=None: ChessOnly(), "test", overwrite=True)
    try:
        code, _, err = run(capsys, "run", TTT, "--players", "chessonly", "random", "--results-root", str(tmp_path))
    finally:
        arena_agents.AGENT_SPECS.pop("chessonly", None)
    assert code == 2
    assert "agent 'chessonly' failed in openspiel/tic_tac_toe: ValueError: plays chess only" in err
    assert "0 of 1 episodes are saved" in err


class FlakyTicTacToe(OpenSpielEnv):
    """Tic-tac-toe whose ``observe`` raises mid-game in the episode of seed 5, while ``broken``."""

    broken = True

    def __init__(self, **kwargs):
        super().__init__(game_name="tic_tac_toe", **kwargs)

    def reset(self, seed=None, options=None):
        self.seed, self.observed = seed, 0
        return super().reset(seed=seed, options=options)

    def observe(self, agent):
        self.observed += 1
        if self.broken and self.seed == 5 and self.observed > 3:
            raise RuntimeError("board decoder broke")
        return super().observe(agent)


def test_a_game_that_raises_mid_episode_ends_that_episode_in_error_and_the_run_keeps_the_rest(
        tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(registry._registry, "test/flaky", GameSpec("test/flaky", FlakyTicTacToe))
    argv = ["run", TTT, "test/flaky", "--players", "random", "random", "--episodes", "4", "--seed", "3",
            "--results-root", str(tmp_path), "--run-name", "r", "--no-progress"]
    code, out, err = run(capsys, *argv)
    assert code == EXIT_ERRORS
    records = load_episodes(tmp_path / "r")
    assert len(records) == 8, "every other episode, before and after the failure, is played and saved"
    failed = [r for r in records if r["error"]]
    assert [(r["game"], r["seed"]) for r in failed] == [("test/flaky", 5)]
    assert failed[0]["error"]["kind"] == "game" and failed[0]["steps"], "the moves before it are kept"
    assert set(failed[0]["outcomes"].values()) == {"error"}, "not scored"
    assert "1 of 8 episodes ended in error" in err
    assert "test/flaky: RuntimeError: board decoder broke (in observe, test_run_cli.py:" in err
    monkeypatch.setattr(FlakyTicTacToe, "broken", False)  # the game fixed: the same command plays that one only
    code, _, err = run(capsys, *argv)
    assert code == 0 and "(7 already played)" in err
    assert not any(r["error"] for r in load_episodes(tmp_path / "r"))


def test_ctrl_c_exits_130_and_the_same_command_finishes_the_run(tmp_path, capsys):
    argv = ["run", TTT, "--players", "interrupt:25", "random", "--episodes", "10", "--concurrency", "2",
            "--results-root", str(tmp_path), "--run-name", "r"]
    code, _, err = run(capsys, *argv)
    assert code == 130 and "run the same command again" in err
    saved = len(episode_files(tmp_path))
    assert 0 < saved < 10 and f"{saved} of 10 episodes are saved" in err
    # The same agent without the Ctrl-C: "interrupt:1000" would be another spec, so swap the class's limit.
    original = arena_agents._interrupt
    arena_agents.register_agent_spec("interrupt", lambda arg, seed=None: HashAgent(), "test", overwrite=True)
    try:
        code, _, err = run(capsys, *argv)
    finally:
        arena_agents.register_agent_spec("interrupt", original, "test", overwrite=True)
    assert code == 0 and f"({saved} already played)" in err
    assert len(load_episodes(tmp_path)) == 10


def test_help_shows_examples(capsys):
    for command in ("run", "tournament"):
        code, out, _ = run(capsys, command, "--help")
        assert code == 0 and "examples:" in out and "--config FILE" in out
    assert "resumes" in run(capsys, "run", "--help")[1]


# ---------------------------------------------------------------------------------------------- crash

CRASHING = """
import sys
from tests.arena_agents import register
register()
from llm_arena_env.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_a_killed_run_resumes_with_every_episode_exactly_once(tmp_path, capsys, monkeypatch):
    """SIGKILL in the middle of a run (no cleanup at all), then the same command again."""
    episodes = 24
    argv = ["run", TTT, "--players", "hash:0.03", "random", "--episodes", str(episodes), "--concurrency", "4",
            "--results-root", str(tmp_path), "--run-name", "crash", "--no-progress"]
    process = subprocess.Popen([sys.executable, "-c", CRASHING, *argv], cwd=REPO,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while len(episode_files(tmp_path)) < 4 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    stderr = process.stderr.read().decode()
    process.stderr.close()
    survived = len(episode_files(tmp_path))
    assert process.returncode == -signal.SIGKILL, stderr
    assert 4 <= survived < episodes, f"the run was not killed mid-way ({survived} episodes)\n{stderr}"

    monkeypatch.setattr(HashAgent, "delay_scale", 0.0)  # the same moves, without the wait
    code, _, err = run(capsys, *argv)
    assert code == 0, err
    assert f"({survived} already played)" in err
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a corrupt or partial file would warn
        records = load_episodes(tmp_path)
    assert sorted(r["episode_id"] for r in records) == [f"{k:04d}" for k in range(episodes)]
    assert not [p for p in tmp_path.rglob("*") if p.name.endswith(".tmp")]

    jobs = [EpisodeJob(TTT, {}, k, None, ("hash:0.03", "random"), f"{k:04d}") for k in range(episodes)]
    uninterrupted = play_many(jobs, concurrency=3, progress=False)
    assert [comparable(r) for r in records] == [comparable(r.to_dict()) for r in uninterrupted]


def test_a_run_of_100000_episodes_starts_at_once_drawing_only_the_jobs_it_plays(tmp_path, capsys, monkeypatch):
    """Jobs are made as they are drawn: before its first episodes end, a long run has made a handful of jobs,
    not 100,000 (counted where every job is made), and a tournament too."""
    made = []
    original = EpisodeJob.__post_init__
    monkeypatch.setattr(EpisodeJob, "__post_init__", lambda job: (made.append(job.key), original(job))[1])
    argv = ["run", TTT, "--players", "interrupt:40", "random", "--episodes", "100000", "--concurrency", "4",
            "--results-root", str(tmp_path), "--run-name", "long", "--no-progress"]
    code, _, err = run(capsys, *argv)
    assert code == 130, err
    assert "long: 100000 episodes ->" in err
    saved = len(episode_files(tmp_path))
    assert 0 < saved < 40 and f"{saved} of 100000 episodes are saved" in err
    assert len(made) < 100, f"{len(made)} jobs made for {saved} episodes played"

    made.clear()
    code, _, err = run(capsys, "tournament", TTT, "--players", "interrupt:40", "random", "hash",
                       "--episodes", "10000", "--concurrency", "4", "--results-root", str(tmp_path),
                       "--run-name", "ladder", "--no-progress")
    assert code == 130 and "ladder: 60000 episodes ->" in err, err
    assert len(made) < 100, f"{len(made)} jobs made"
