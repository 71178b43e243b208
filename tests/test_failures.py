"""A failure is never a move: every fault of a model server, end to end through the openai SDK and the CLI.

Each fault is injected by the loopback fake server; what is checked is what a user relies on: the outcome
recorded, the exit status, what `score` and `leaderboard` count, and that the same command run again after
the server is fixed plays exactly the episodes that ended in error.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from llm_arena_env.arena.results import EPISODE_FILE, load_episodes
from llm_arena_env.cli import EXIT_ERRORS, EXIT_USAGE, main
from tests.fake_openai_server import FakeOpenAIServer, Reply

TTT = "openspiel/tic_tac_toe"
SECRET = "sk-fake-0123456789abcdefXYZ"
EPISODES = 3


@pytest.fixture
def server(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    with FakeOpenAIServer(max_requests=400) as fake:
        fake.responder = legal_move
        yield fake


def legal_move(body) -> Reply:
    """A well-behaved model: the first legal move the prompt lists."""
    prompt = "\n".join(m["content"] for m in body["messages"] if m["role"] == "user")
    found = re.search(r"Legal moves: (.+?)(?:, |\n)", prompt)
    return Reply.answer(f"Final Answer: {found.group(1) if found else '?'}")


def spec(server: FakeOpenAIServer, **options) -> str:
    options = {"timeout": 2, "max_retries": 1, **options}
    return f"openai:fake@{server.url}" + "".join(f",{k}={v}" for k, v in options.items())


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_ttt(capsys, tmp_path: Path, player: str, *extra: str) -> tuple[int, str, str]:
    return run(capsys, "run", TTT, "--players", player, "random", "--episodes", str(EPISODES), "--seed", "0",
               "--results-root", str(tmp_path), "--run-name", "r", "--no-progress", *extra)


def outcomes(tmp_path: Path) -> dict[str, dict]:
    return {r["episode_id"]: r for r in load_episodes(tmp_path / "r")}


def files(tmp_path: Path) -> dict[Path, bytes]:
    return {f: f.read_bytes() for f in sorted((tmp_path / "r").rglob(EPISODE_FILE))}


# (fault reply, its kind, whether it stops the run) -- persistent: every chat call gets it
FAULTS = {
    "401": (lambda: Reply.error(401, f"Incorrect API key provided: {SECRET[:3]}...{SECRET[-8:]}"), "auth", True),
    "403": (lambda: Reply.error(403, "no access"), "permission", True),
    "404": (lambda: Reply.error(404, "The model `fake` does not exist"), "not_found", True),
    "429": (lambda: Reply.error(429, "slow down", retry_after=0.05), "rate_limit", False),
    "503": (lambda: Reply.error(503, "overloaded"), "server", False),
    "hang": (lambda: Reply.hang(3), "timeout", False),
    "malformed": (Reply.malformed, "malformed", False),
    "truncated": (Reply.truncated, None, False),
    "reset": (Reply.reset, "connection", False),
}


@pytest.mark.parametrize("name", list(FAULTS))
def test_a_fault_ends_episodes_in_error_that_nothing_counts_and_a_rerun_replays(server, tmp_path, capsys, name):
    fault, kind, fatal = FAULTS[name]
    server.responder = lambda body: fault()
    player = spec(server, timeout=0.3) if name == "hang" else spec(server)

    code, out, err = run_ttt(capsys, tmp_path, player)
    assert code == EXIT_ERRORS, err
    records = outcomes(tmp_path)
    assert len(records) == (1 if fatal else EPISODES)  # a bad key or a missing model stops after one
    for record in records.values():
        assert set(record["outcomes"].values()) == {"error"} and record["end_reason"] == "error"
        assert record["error"]["agent"] == f"openai:fake@{server.url}" and record["error"]["player"] == "player_0"
        assert record["error"]["kind"] == kind if kind else record["error"]["kind"] in ("malformed", "connection")
        assert record["steps"] == []  # the failed call is no move: nothing for the env to judge
    line = err.strip().splitlines()[-1]
    if fatal:
        assert "run stopped" in line and f"openai:fake@{server.url}" in line and f"({kind})" in line
    else:
        assert f"{EPISODES} of {EPISODES} episodes ended in error" in line
    assert SECRET[-8:] not in err + out + json.dumps(list(records.values()))

    # score counts them as errors only; the leaderboard rates nothing
    code, out, err = run(capsys, "score", str(tmp_path / "r"))
    assert code == 0, err
    row = next(line for line in out.splitlines() if line.startswith(TTT) and f"openai:fake@{server.url}" in line)
    games, wins, draws, losses, aborted, errors = row.split()[2:8]
    assert (games, wins, draws, losses, aborted, errors) == ("0", "0", "0", "0", "0", str(len(records)))
    code, _, err = run(capsys, "leaderboard", str(tmp_path / "r"), "--bootstrap", "0")
    assert code == EXIT_USAGE and "no rated matches" in err

    # the server is fixed: the same command plays exactly the error episodes, and all of them (another
    # timeout is the same player: transport options are no part of an agent's name)
    server.responder = legal_move
    code, out, err = run_ttt(capsys, tmp_path, spec(server, timeout=5))
    assert code == 0, err
    records = outcomes(tmp_path)
    assert len(records) == EPISODES
    assert all(r["end_reason"] == "game_over" and r["error"] is None for r in records.values())  # played out


def test_an_outage_mid_run_leaves_error_episodes_that_a_rerun_replays_and_no_other(server, tmp_path, capsys):
    calls = {"n": 0}

    def dies_after_the_first_episode(body) -> Reply:
        calls["n"] += 1
        return legal_move(body) if calls["n"] <= 5 else Reply.reset()  # tic-tac-toe: at most 5 moves a side

    server.responder = dies_after_the_first_episode
    code, out, err = run_ttt(capsys, tmp_path, spec(server), "--players", spec(server), "random")
    assert code == EXIT_ERRORS
    first = outcomes(tmp_path)
    failed = {i for i, r in first.items() if "error" in r["outcomes"].values()}
    assert failed == {"0001", "0002"}  # episode 0 was played before the outage
    assert "2 of 3 episodes ended in error" in err and "connection: 2" in err
    kept = {f: data for f, data in files(tmp_path).items() if f.parent.name not in failed}

    code, out, err = run(capsys, "score", str(tmp_path / "r"))
    row = next(line for line in out.splitlines() if line.startswith(TTT) and "openai:fake" in line)
    assert row.split()[2] == "1" and row.split()[7] == "2"  # one game counted, two errors

    server.responder = legal_move
    before = len(server.requests)
    code, out, err = run_ttt(capsys, tmp_path, spec(server))
    assert code == 0, err
    assert {f: data for f, data in files(tmp_path).items() if f in kept} == kept  # finished ones untouched
    again = outcomes(tmp_path)
    assert all("error" not in r["outcomes"].values() for r in again.values())
    # only the two replayed episodes asked the model (at most 5 moves of the model each)
    assert 0 < len(server.requests) - before <= 10


def test_no_retry_errors_keeps_error_episodes(server, tmp_path, capsys):
    server.responder = lambda body: Reply.error(503, "down")
    assert run_ttt(capsys, tmp_path, spec(server))[0] == EXIT_ERRORS
    before = files(tmp_path)
    server.responder = legal_move
    code, _, err = run_ttt(capsys, tmp_path, spec(server), "--no-retry-errors")
    assert files(tmp_path) == before and code == EXIT_ERRORS  # kept, and still reported


def test_bursts_of_429_and_5xx_are_ridden_out(server, tmp_path, capsys):
    server.script(Reply.error(429, "slow", retry_after=0.05), Reply.error(502, "bad gateway"),
                  Reply.malformed(), Reply.reset())
    code, _, err = run_ttt(capsys, tmp_path, spec(server, max_retries=4))
    assert code == 0, err
    assert all("error" not in r["outcomes"].values() for r in outcomes(tmp_path).values())


def test_lone_surrogates_and_invalid_utf8_are_judged_as_text_not_crashes(server, tmp_path, capsys):
    server.script(Reply.answer("Final Answer: x(0,0) \ud800"), Reply.raw_answer(b"Final Answer: \xff\xfe"))
    code, _, err = run_ttt(capsys, tmp_path, spec(server), "--max-illegal", "3")
    assert code == 0, err
    records = outcomes(tmp_path)
    texts = [a["raw_output"] for r in records.values() for s in r["steps"] for a in s["decision"]["attempts"]]
    assert "Final Answer: x(0,0) \\ud800" in texts  # kept visible, escaped
    assert "Final Answer: \ufffd\ufffd" in texts  # replaced
    assert all("error" not in r["outcomes"].values() for r in records.values())


def test_play_exits_non_zero_and_says_why(server, capsys):
    server.responder = lambda body: Reply.error(503, "down")
    code, out, err = run(capsys, "play", TTT, "--players", spec(server), "random", "--episodes", "2", "--seed", "0")
    assert code == EXIT_ERRORS
    assert "2 of 2 episodes ended in error" in err and "server: 2" in err
    assert "error" in out  # the table shows the outcome


def test_play_stops_after_the_first_fatal_error(server, capsys):
    server.responder = lambda body: Reply.error(401, "bad key")
    code, out, err = run(capsys, "play", TTT, "--players", spec(server), "random", "--episodes", "5")
    assert code == EXIT_ERRORS and "stopped after 1 of 5" in err and "auth" in err


# ---------------------------------------------------------------------------------------------- pre-flight


@pytest.mark.parametrize("command", ["run", "play"])
@pytest.mark.parametrize("fault, expected", [
    ("dead", "(connection)"), ("401", "(auth)"), ("403", "(permission)"), ("unlisted", "not among the server's models"),
])
def test_preflight_fails_in_one_line_with_exit_2_and_plays_nothing(server, tmp_path, capsys, command, fault,
                                                                  expected):
    player = spec(server)
    if fault == "dead":
        server.stop()
    elif fault == "unlisted":
        server.models = ("other-model",)
    else:
        server.models_reply = Reply.error(int(fault), f"Incorrect API key provided: {SECRET}")
    argv = ["--players", player, "random", "--seed", "0"]
    if command == "run":
        argv += ["--results-root", str(tmp_path), "--run-name", "r", "--no-progress"]
    code, out, err = run(capsys, command, TTT, *argv)
    assert code == EXIT_USAGE
    line = err.strip().splitlines()[-1]  # (`run` first says what it is about to play)
    assert line.startswith("llm-arena: error: ") and "pre-flight" in line and expected in line and player in line
    assert err.count("error") == line.count("error") and "Traceback" not in err  # no other line of error
    assert SECRET[-8:] not in err
    assert server.requests == [] and not (tmp_path / "r").exists()


def test_preflight_passes_a_server_that_lists_no_models(server, tmp_path, capsys):
    server.models_reply = Reply.error(404, "no such route")
    assert run_ttt(capsys, tmp_path, spec(server))[0] == 0


# ---------------------------------------------------------------------------------------------- hostile input


def test_hostile_command_lines_get_one_line_and_exit_2_and_play_nothing(tmp_path, capsys):
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder")
    root = ["--results-root", str(tmp_path / "results")]
    cases = {
        "absurd --episodes": (["run", TTT, "--players", "random", "random", "--episodes", str(10**20), *root],
                              "--episodes"),
        "absurd --episodes (play)": (["play", TTT, "--players", "random", "random", "--episodes", str(10**20)],
                                     "--episodes"),
        "missing instances file": (["run", "dialogue/taboo", "--players", "random", "random", "--game-arg",
                                    f"instances={tmp_path / 'missing.json'}", *root], "missing.json"),
        "missing instances file (play)": (["play", "dialogue/taboo", "--players", "random", "random",
                                           "--game-arg", f"instances={tmp_path / 'missing.json'}"], "missing.json"),
        "results root is a file": (["run", TTT, "--players", "random", "random", "--results-root", str(a_file)],
                                   "is a file"),
        "results root under a file": (["run", TTT, "--players", "random", "random", "--results-root",
                                       str(a_file / "below")], "is a file"),
        "an engine on a game it cannot play": (["tournament", "chess", "openspiel/connect_four", "--players",
                                                "random", "stockfish:1", *root], "--skip-incompatible"),
        "an engine on a game it cannot play (play)": (["play", "openspiel/connect_four", "--players", "random",
                                                       "stockfish:1"], "plays only chess"),
    }
    for name, (argv, expected) in cases.items():
        code, out, err = run(capsys, *argv)
        assert code == EXIT_USAGE, name
        lines = err.strip().splitlines()
        assert "error" in lines[-1] and expected in lines[-1] and "Traceback" not in err, name
        assert not (tmp_path / "results").exists(), name


def test_a_run_too_large_for_memory_is_refused_before_any_job_is_built(tmp_path):
    from llm_arena_env.arena.config import MAX_EPISODES, ConfigError, RunConfig

    config = RunConfig.from_mapping({"games": [TTT, "openspiel/connect_four"], "players": ["random", "random"],
                                     "episodes": MAX_EPISODES // 2 + 1})  # fine per game, too many together
    with pytest.raises(ConfigError, match="split it into several runs"):
        config.jobs()


def test_skip_incompatible_plays_the_rest_and_says_what_it_skipped(tmp_path, capsys):
    pytest.importorskip("chess")
    from llm_arena_env.agents.stockfish import StockfishNotFoundError, find_stockfish

    try:
        find_stockfish()
    except StockfishNotFoundError:
        pytest.skip("Stockfish is not installed")
    code, out, err = run(capsys, "tournament", "chess", TTT, "--players", "random", "stockfish:0",
                         "--skip-incompatible", "--episodes", "1",
                         "--results-root", str(tmp_path), "--run-name", "r", "--no-progress")
    assert code == 0, err
    assert f"skipping {TTT}: random vs stockfish:0" in err and f"skipping {TTT}: stockfish:0 vs random" in err
    assert sorted(r["game"] for r in load_episodes(tmp_path / "r")) == ["chess", "chess"]


def test_timeout_and_retries_are_spec_options_and_no_part_of_the_agents_name(server):
    from llm_arena_env.agents.specs import agent_identity, make_agent

    agent = make_agent(f"openai:fake@{server.url},timeout=1800,max_retries=2")
    backend = agent.agent.agent.backend  # Rethink(Parse(LLMAgent(backend)))
    assert backend.timeout == 1800 and backend._retry.policy.max_attempts == 3
    assert agent.agent_spec == agent_identity(f"openai:fake@{server.url},max_retries=2") == f"openai:fake@{server.url}"
    assert make_agent(f"openai:fake@{server.url}").agent.agent.backend.timeout == 900  # reasoning models think
    with pytest.raises(ValueError, match="timeout, max_retries"):
        make_agent(f"openai:fake@{server.url},temperature=0")
    with pytest.raises(ValueError, match="must be a number"):
        make_agent(f"openai:fake@{server.url},timeout=soon")
