"""`llm-arena play --watch` between an Anthropic and a Gemini model (loopback fakes of both APIs, through the
real SDKs), and `llm-arena prompt GAME`."""

from __future__ import annotations

import json
import re

import chess
import pytest

from llm_arena_env.arena.watch import fold
from llm_arena_env.cli import main
from tests.fake_provider_servers import FakeAnthropicServer, FakeGeminiServer, anthropic_answer, gemini_answer

pytest.importorskip("anthropic")
pytest.importorskip("google.genai")

FEN = re.compile(r"FEN: (\S+ [wb] \S+ \S+ \d+ \d+)")


def first_legal_move(prompt: str) -> str:
    board = chess.Board(FEN.search(prompt)[1])
    return board.san(next(iter(board.legal_moves)))


@pytest.fixture
def models(tmp_path, monkeypatch):
    """claude-fake and gemini-fake registered in the working directory, answering the first legal move."""
    monkeypatch.chdir(tmp_path)
    for name in ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "GEMINI_API_KEY", "GOOGLE_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    with FakeAnthropicServer() as claude, FakeGeminiServer() as gemini:
        claude.responder = lambda body: anthropic_answer(
            "I develop.\nFinal Answer: " + first_legal_move(body["messages"][-1]["content"]),
            thinking="\n".join(f"thought {i}" for i in range(10)))
        gemini.responder = lambda body: gemini_answer(
            "Final Answer: " + first_legal_move(body["contents"][-1]["parts"][-1]["text"]), thought="a short thought")
        (tmp_path / "llm-arena-models.toml").write_text(
            f'[models.claude-fake]\nbackend = "anthropic"\nmodel = "c"\nbase_url = "{claude.url}"\n\n'
            f'[models.gemini-fake]\nbackend = "google"\nmodel = "g"\nbase_url = "{gemini.url}"\n')
        yield claude, gemini


def test_watch_a_game_between_an_anthropic_and_a_gemini_model(models, capsys):
    claude, gemini = models
    assert main(["play", "chess", "--players", "claude-fake", "gemini-fake", "--game-arg", "max_plies=4",
                 "--watch"]) == 0
    out = capsys.readouterr().out
    assert out.count("━━━ move ") == 4 and len(claude.requests) == 2 and len(gemini.requests) == 2
    assert "white (claude-fake)" in out and "black (gemini-fake)" in out
    assert "[prompt]" in out and "FEN: " in out  # the prompt, with the board in it
    assert "[reply: reasoning]" in out and "more lines) ..." in out  # Claude's thinking, folded
    assert "a short thought" in out
    assert "[reply: raw reply]" in out and "I develop." in out
    assert re.search(r"\[reply\] parsed: 'N[a-h]3' \(legal\)", out)
    assert "accepted" in out


def test_watch_shows_every_rethink_with_its_feedback(models, capsys):
    claude, _ = models
    replies = iter(["Final Answer: Ke2", "Final Answer: Nf3"])  # the king cannot move yet
    claude.responder = lambda body: anthropic_answer(next(replies))
    assert main(["play", "chess", "--players", "claude-fake", "random", "--game-arg", "max_plies=1", "--watch"]) == 0
    out = capsys.readouterr().out
    assert "[attempt 1/2] parsed: 'Ke2'" in out and "illegal" in out
    assert "[attempt 1/2: feedback for the next try]" in out
    assert "[attempt 2/2] parsed: 'Nf3' (legal)" in out


def test_fold_keeps_short_text_and_shortens_long_text():
    assert fold("a\nb") == "a\nb"
    folded = fold("\n".join(map(str, range(20))))
    assert folded.splitlines() == ["0", "1", "2", "... (14 more lines) ...", "17", "18", "19"]


def test_prompt_prints_the_exact_messages_and_legal_moves(capsys):
    assert main(["prompt", "chess", "--seed", "0"]) == 0
    out = capsys.readouterr().out
    assert "--- user ---" in out and "FEN: rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1" in out
    assert "--- legal moves (20) ---" in out
    assert main(["prompt", "openspiel/tic_tac_toe", "--moves", "x(1,1)", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["player"] == "player_1" and "o(0,0)" in data["legal_actions"] and data["messages"]


def test_prompt_of_a_dialogue_instance_and_bad_input(capsys):
    assert main(["prompt", "dialogue/taboo", "--instance", "0", "--seed", "0"]) == 0
    assert "--- user ---" in capsys.readouterr().out
    assert main(["prompt", "chess", "--moves", "e5"]) == 2
    assert "rejected" in capsys.readouterr().err
    assert main(["prompt", "no/such/game"]) == 2


def test_a_terminal_that_shows_pictures_gets_the_board_after_each_move():
    import base64
    import io

    import numpy as np
    from PIL import Image

    from llm_arena_env.arena.episode import play_episode
    from llm_arena_env.arena.watch import Watcher, inline_image, terminal_graphics
    from llm_arena_env.agents.specs import make_agent

    class Tty(io.StringIO):
        def isatty(self):
            return True

    assert terminal_graphics(Tty(), {"TERM": "xterm-kitty"}) == "kitty"
    assert terminal_graphics(Tty(), {"TERM_PROGRAM": "iTerm.app"}) == "iterm"
    assert terminal_graphics(Tty(), {"TERM": "xterm-256color"}) is None
    assert terminal_graphics(io.StringIO(), {"TERM": "xterm-kitty"}) is None  # piped: no escapes

    import llm_arena_env

    env = llm_arena_env.make("openspiel/tic_tac_toe", render_mode="rgb_array")
    out = Tty()
    play_episode(env, [make_agent("random", seed=0), make_agent("random", seed=1)], seed=0,
                 on_step=Watcher(out, graphics="iterm", picture=env.render))
    shown = re.findall(r"\x1b\]1337;File=inline=1;size=\d+;preserveAspectRatio=1:([A-Za-z0-9+/=]+)\a", out.getvalue())
    assert len(shown) == out.getvalue().count("━━━ move ") >= 5
    last = np.asarray(Image.open(io.BytesIO(base64.b64decode(shown[-1]))).convert("RGB"))
    np.testing.assert_array_equal(last, env.render())  # the final board

    image = np.random.default_rng(0).integers(0, 256, (64, 64, 3), dtype=np.uint8)  # a PNG of ~12 kB
    kitty = inline_image(image, "kitty")
    chunks = re.findall(r"\x1b_G(?:f=100,a=T,)?m=([01]);([^\x1b]*)\x1b\\", kitty)
    assert len(chunks) > 1 and chunks[-1][0] == "0" and all(m == "1" for m, _ in chunks[:-1])
    decoded = np.asarray(Image.open(io.BytesIO(base64.b64decode("".join(c for _, c in chunks)))).convert("RGB"))
    np.testing.assert_array_equal(decoded, image)
