"""The pictures of clembench's multimodal games reach the model through every image-capable backend.

A real observation of each game (its picture drawn from the instance's files) goes through ``LLMAgent`` to
the OpenAI-compatible, Anthropic, Gemini and LiteLLM backends (their SDKs, against the loopback fakes,
which keep each request's body) and to a tiny Llava through the transformers backend (whose processor
input is captured); the picture in what was sent must be the observation's, pixel for pixel, beside the
turn's text.
"""

from __future__ import annotations

import base64
import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import llm_arena_env
from llm_arena_env.agents.backends import RetryPolicy
from llm_arena_env.agents.llm import LLMAgent
from tests.fake_openai_server import FakeOpenAIServer, Reply
from tests.fake_provider_servers import FakeAnthropicServer, FakeGeminiServer, anthropic_answer, gemini_answer

DATA = Path(__file__).parent / "data" / "clembench_mm"
FAST = RetryPolicy(max_attempts=1)
SECRET = "test-SECRET-multimodal-7"
GAMES = {
    "dialogue/multimodal_referencegame": DATA / "multimodal_referencegame" / "in" / "instances.json",
    "dialogue/matchit": DATA / "matchit" / "in" / "instances.json",
    "dialogue/cloudgame": Path(__file__).parent / "data" / "cloudgame" / "in" / "instances.json",
}


def observation(game: str) -> dict:
    env = llm_arena_env.make(game, instances=str(GAMES[game]), image_size=48)
    env.reset(seed=0, options={"instance": 0})
    obs = env.observe(env.agent_selection)
    assert obs["image"].std() > 0  # a real picture, not a blank square
    return obs


def decoded(data: str) -> np.ndarray:
    """A picture sent as base64 (the google-genai SDK writes the URL-safe alphabet)."""
    raw = base64.b64decode(data.replace("-", "+").replace("_", "/"), validate=True)
    return np.asarray(Image.open(io.BytesIO(raw)).convert("RGB"))


def sent_openai(body: dict) -> tuple[str, np.ndarray]:
    text, picture = body["messages"][-1]["content"]
    return text["text"], decoded(picture["image_url"]["url"].split(",", 1)[1])


def sent_anthropic(body: dict) -> tuple[str, np.ndarray]:
    parts = {part["type"]: part for part in body["messages"][-1]["content"]}  # LiteLLM puts the text first
    assert len(parts) == 2
    return parts["text"]["text"], decoded(parts["image"]["source"]["data"])


def sent_gemini(body: dict) -> tuple[str, np.ndarray]:
    picture, text = body["contents"][-1]["parts"]
    return text["text"], decoded((picture.get("inlineData") or picture["inline_data"])["data"])


def _openai(url):
    from llm_arena_env.agents.backends.openai_backend import OpenAIBackend

    return OpenAIBackend("fake-model", base_url=url, api_key=SECRET, retry_policy=FAST, timeout=5)


def _anthropic(url):
    from llm_arena_env.agents.backends.anthropic_backend import AnthropicBackend

    return AnthropicBackend(model="fake-model", base_url=url, api_key=SECRET, retry_policy=FAST, timeout=5)


def _google(url):
    from llm_arena_env.agents.backends.google_backend import GoogleBackend

    return GoogleBackend(model="fake-model", base_url=url, api_key=SECRET, retry_policy=FAST, timeout=5)


def _litellm(model):
    def make(url):
        from llm_arena_env.agents.backends.litellm_backend import LiteLLMBackend

        return LiteLLMBackend(model, base_url=url, api_key=SECRET, retry_policy=FAST, timeout=5)
    return make


# name, the SDK it needs, fake server, its answer, the backend, how to read what was sent
BACKENDS = [
    ("openai", "openai", FakeOpenAIServer, lambda: Reply.answer("ok"), _openai, sent_openai),
    ("anthropic", "anthropic", FakeAnthropicServer, lambda: anthropic_answer("ok"), _anthropic, sent_anthropic),
    ("google", "google.genai", FakeGeminiServer, lambda: gemini_answer("ok"), _google, sent_gemini),
    ("litellm-openai", "litellm", FakeOpenAIServer, lambda: Reply.answer("ok"), _litellm("openai/fake-model"), sent_openai),
    ("litellm-anthropic", "litellm", FakeAnthropicServer, lambda: anthropic_answer("ok"), _litellm("anthropic/fake-model"),
     sent_anthropic),
]


@pytest.fixture(autouse=True)
def _no_provider_env(monkeypatch):
    for name in ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_BASE_URL", "GEMINI_API_KEY", "GOOGLE_API_KEY",
                 "GOOGLE_GEMINI_BASE_URL", "OPENAI_API_KEY", "OPENAI_BASE_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize("game", sorted(GAMES))
@pytest.mark.parametrize("name, sdk, server, answer, backend, sent", BACKENDS, ids=[b[0] for b in BACKENDS])
def test_the_game_picture_is_sent_with_the_turn_text(game, name, sdk, server, answer, backend, sent):
    pytest.importorskip(sdk)
    obs = observation(game)
    with server() as fake:
        fake.script(answer())
        agent = LLMAgent(backend(fake.url))
        try:
            assert agent.decide(obs).action == "ok"
        finally:
            agent.close()
        text, picture = sent(fake.requests[0].body)
    assert text == obs["messages"][-1]["content"]
    np.testing.assert_array_equal(picture, obs["image"])


def test_a_vision_model_gets_the_game_picture(tmp_path, monkeypatch):
    pytest.importorskip("torch")
    from llm_arena_env.agents.backends.transformers_backend import TransformersBackend
    from tests.tiny_models import build_vision_model

    backend = TransformersBackend(str(build_vision_model(tmp_path / "tiny-vlm")), max_new_tokens=4)
    assert backend.is_vision
    seen = []
    encode = backend._encode
    monkeypatch.setattr(backend, "_encode", lambda prompts, images: seen.append(images) or encode(prompts, images))
    obs = observation("dialogue/matchit")
    agent = LLMAgent(backend, temperature=0.0)
    with_picture = agent.decide(obs)
    without = agent.decide({k: v for k, v in obs.items() if k != "image"})
    np.testing.assert_array_equal(np.asarray(seen[0][0]), obs["image"])
    assert seen[1] is None
    tokens = [d.attempts[-1].prompt_tokens for d in (with_picture, without)]
    assert tokens[0] > tokens[1]  # the picture's tokens are in the prompt
