"""Werewolf and a hold'em match played to their end by model players: the CLI's default LLM player
(``Rethink(Parse(LLMAgent))``) in every seat, talking to a loopback OpenAI-compatible server whose replies
are written like a model's (prose, then the answer line the prompt asks for)."""

from __future__ import annotations

import re

import pytest

from llm_arena_env.arena.results import load_episodes
from llm_arena_env.cli import main
from tests.fake_openai_server import FakeOpenAIServer, Reply


def last_user_message(body) -> str:
    return [m["content"] for m in body["messages"] if m["role"] == "user"][-1]


def werewolf_player(body) -> Reply:
    """Names the last choice offered (a vote, a kill, a protection, an inspection); otherwise talks."""
    choices = re.findall(r"Choices: ([^.\n]+)\.", last_user_message(body))
    if choices:
        pick = choices[-1].split(", ")[-1]
        return Reply.answer(f"I have thought about who acts oddly.\nFinal Answer: {pick}")
    return Reply.answer("I watched everyone closely last night.\nFinal Answer: I trust nobody yet, let us vote wisely.")


def poker_player(body) -> Reply:
    """Checks where it can, else calls: a passive player whose every move is legal."""
    legal = re.findall(r"Legal moves: ([^\n]+)", last_user_message(body))[-1]
    return Reply.answer(f"The pot odds are fine.\nFinal Answer: {'Check' if 'Check' in legal else 'Call'}")


@pytest.fixture
def server(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-fake-social-0123456789")
    with FakeOpenAIServer(max_requests=2000) as fake:
        yield fake


@pytest.mark.parametrize("game, seats, responder, extra", [
    ("social/werewolf", 5, werewolf_player, ["--game-arg", "players=5"]),
    ("poker/holdem_match", 2, poker_player, ["--game-arg", "hands=3"]),
])
def test_model_players_play_the_game_to_its_end(server, tmp_path, capsys, game, seats, responder, extra):
    server.responder = responder
    player = f"openai:fake@{server.url}"
    code = main(["run", game, "--players", *[player] * seats, "--episodes", "1", "--seed", "3",
                 "--results-root", str(tmp_path), "--run-name", "r", "--no-progress", *extra])
    capsys.readouterr()
    assert code == 0
    [record] = load_episodes(tmp_path / "r")
    assert record["end_reason"] == "game_over" and not record.get("error"), record["end_detail"]
    assert set(record["outcomes"].values()) <= {"win", "loss", "draw"}
    assert len(record["steps"]) > seats  # more than one round of moves was played by the models
    assert len(server.requests) >= len(record["steps"])
