"""TransformersBackend on tiny random models built here; then whole games played through LLMAgent."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")

import torch  # noqa: E402

from llm_arena_env.agents.backends import Completion, Request, TransformersBackend  # noqa: E402
from llm_arena_env.agents.base import Verdict  # noqa: E402
from llm_arena_env.agents.errors import NonRetryableError  # noqa: E402
from tests.tiny_models import CHAT_TEMPLATE, build_chat_model, build_vision_model  # noqa: E402

GREEDY = {"temperature": 0.0, "max_tokens": 10}


@pytest.fixture(scope="session")
def chat_model_dir(tmp_path_factory):
    return build_chat_model(tmp_path_factory.mktemp("tiny-chat"))


@pytest.fixture(scope="session")
def backend(chat_model_dir):
    return TransformersBackend(str(chat_model_dir), max_new_tokens=16)


@pytest.fixture(scope="session")
def vision_backend(tmp_path_factory):
    return TransformersBackend(str(build_vision_model(tmp_path_factory.mktemp("tiny-vlm"))), max_new_tokens=8)


def chat(text: str, system: str | None = "You play board games.") -> tuple[dict[str, str], ...]:
    head = ({"role": "system", "content": system},) if system else ()
    return (*head, {"role": "user", "content": text})


# Prompts of very different lengths, so a batch is really left-padded.
PROMPTS = [chat("e4?"), chat("Legal moves: e4 d4 Nf3 c4 g3 b3 f4 Nc3 a3 h3. " * 4), chat("Your move.", system=None)]


def texts(results) -> list[str]:
    assert all(isinstance(r, Completion) for r in results), results
    return [r.text for r in results]


# ---------------------------------------------------------------------- generation


def test_a_batch_generates_what_each_prompt_generates_alone(backend):
    assert backend.tokenizer.padding_side == "left"
    batch = backend.complete([Request(p, options=GREEDY) for p in PROMPTS])
    alone = [backend.complete([Request(p, options=GREEDY)])[0] for p in PROMPTS]
    assert texts(batch) == texts(alone)
    assert [r.completion_tokens for r in batch] == [r.completion_tokens for r in alone]
    assert len(set(texts(batch))) > 1  # the prompts mattered


def test_token_counts(backend):
    results = backend.complete([Request(p, options=GREEDY) for p in PROMPTS])
    for prompt, result in zip(PROMPTS, results):
        rendered = backend.tokenizer.apply_chat_template(list(prompt), tokenize=False, add_generation_prompt=True)
        expected = len(backend.tokenizer(rendered, add_special_tokens=False)["input_ids"])
        assert result.prompt_tokens == expected
        assert 1 <= result.completion_tokens <= GREEDY["max_tokens"]
        assert result.latency_s > 0


def test_stop_strings_cut_the_text(backend):
    request = Request(PROMPTS[1], options={**GREEDY, "max_tokens": 16})
    full = backend.complete([request])[0].text
    stop = next(c for c in full[2:] if c.isascii() and c.isalnum())  # a character the model will write
    cut = backend.complete([Request(PROMPTS[1], options={**request.options, "stop": [stop]})])[0]
    assert cut.text == full[: full.index(stop)]
    assert stop not in cut.text


def test_sampling_is_reproducible_with_a_seed_and_leaves_global_state_alone(backend):
    def sample(seed):
        return texts(backend.complete([Request(p, options={"temperature": 1.0, "seed": seed}) for p in PROMPTS]))

    before = torch.get_rng_state()
    first, again, other = sample(7), sample(7), sample(8)
    assert torch.equal(before, torch.get_rng_state())
    assert first == again
    assert first != other


def test_requests_with_different_options_are_each_answered_by_their_own(backend):
    greedy, sampled = Request(PROMPTS[0], options=GREEDY), Request(PROMPTS[0], options={"temperature": 1.0, "seed": 1})
    mixed = backend.complete([greedy, sampled, greedy])
    assert mixed[0].text == backend.complete([greedy])[0].text == mixed[2].text
    assert mixed[1].text == backend.complete([sampled])[0].text


def test_batches_larger_than_batch_size_are_split(backend, monkeypatch):
    calls = []
    generate = backend.model.generate
    monkeypatch.setattr(backend.model, "generate", lambda **kw: calls.append(len(kw["input_ids"])) or generate(**kw))
    requests = [Request(PROMPTS[i % 3], options=GREEDY) for i in range(5)]
    whole = texts(backend.complete(requests))
    monkeypatch.setattr(backend, "batch_size", 2)
    assert texts(backend.complete(requests)) == whole
    assert calls == [5, 2, 2, 1]


def test_a_text_model_drops_images_with_one_warning(backend):
    image = np.zeros((8, 8, 3), np.uint8)
    backend._warned_image = False  # the flag is per backend; the session fixture may have warned already
    with pytest.warns(UserWarning, match="text-only") as caught:
        with_image = backend.complete([Request(PROMPTS[0], image=image, options=GREEDY)] * 2)
    assert len([w for w in caught if "text-only" in str(w.message)]) == 1
    assert texts(with_image) == texts(backend.complete([Request(PROMPTS[0], options=GREEDY)] * 2))


# ---------------------------------------------------------------------- templates


def test_a_model_without_chat_template_is_a_clear_error(tmp_path):
    path = build_chat_model(tmp_path, with_template=False)
    with pytest.raises(ValueError, match="no chat template"):
        TransformersBackend(str(path))
    backend = TransformersBackend(str(path), chat_template=CHAT_TEMPLATE, max_new_tokens=4)
    assert isinstance(backend.complete([Request(PROMPTS[0])])[0], Completion)


def test_a_template_without_system_role_gets_the_system_text_in_the_user_turn(chat_model_dir):
    refuses_system = (
        "{% for m in messages %}{% if m['role'] == 'system' %}{{ raise_exception('no system role') }}{% endif %}"
        "<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}<|im_start|>assistant\n"
    )
    backend = TransformersBackend(str(chat_model_dir), chat_template=refuses_system, max_new_tokens=4)
    folded = backend._render(Request(chat("Move?", system="Be brief.")))
    assert folded.startswith("<|im_start|>user\nBe brief.\n\nMove?")
    broken = TransformersBackend(str(chat_model_dir), chat_template="{{ raise_exception('broken') }}", max_new_tokens=4)
    (result,) = broken.complete([Request(chat("Move?", system=None))])
    assert isinstance(result, NonRetryableError) and "broken" in str(result)


# ---------------------------------------------------------------------- a vision-language model


def test_a_vision_model_sees_the_image(vision_backend):
    assert vision_backend.is_vision
    dark, light = np.zeros((40, 30, 3), np.uint8), np.full((64, 64, 3), 200, np.uint8)
    requests = [Request(PROMPTS[0], image=dark, options=GREEDY), Request(PROMPTS[1], image=light, options=GREEDY),
                Request(PROMPTS[0], options=GREEDY)]
    batch = vision_backend.complete(requests)
    alone = [vision_backend.complete([r])[0] for r in requests]
    assert texts(batch) == texts(alone)
    assert batch[0].prompt_tokens == batch[2].prompt_tokens + 16  # the picture's tokens
    with_light = vision_backend.complete([Request(PROMPTS[0], image=light, options=GREEDY)])[0]
    assert with_light.text != batch[0].text  # the picture changed the answer


def test_no_warnings_for_a_plain_call(backend):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        backend.complete([Request(PROMPTS[0], options=GREEDY)])


# ---------------------------------------------------------------------- whole games through LLMAgent


@pytest.mark.parametrize("game", ["openspiel/tic_tac_toe", "chess"])
def test_a_random_model_plays_a_whole_game_that_ends_cleanly(backend, game):
    from llm_arena_env import make
    from llm_arena_env.agents import RandomAgent
    from llm_arena_env.agents.llm import LLMAgent
    from llm_arena_env.arena.episode import play_episode
    from llm_arena_env.wrappers import Parse, Rethink, env_checker

    env = make(game, max_illegal_actions=2)  # each rejected move is asked again, twice, then forfeits
    rethinks = 1
    llm = Rethink(Parse(LLMAgent(backend, temperature=0.0, max_tokens=12)), env_checker(env), max_rethinks=rethinks)
    record = play_episode(env, [RandomAgent(seed=0), llm], seed=0)
    llm_player = env.possible_agents[1]

    assert record.end_reason == "illegal_action"
    assert record.outcomes[llm_player] == "loss"
    llm_steps = [s for s in record.steps if s.player == llm_player]
    assert [s.accepted for s in llm_steps] == [False] * 3  # max_illegal_actions + 1 rejections in a row
    for step in llm_steps:
        attempts = step.attempts
        assert len(attempts) == rethinks + 1  # every try is in the record
        assert all(a.prompt and a.prompt[-1]["role"] == "user" and a.verdict is not Verdict.ERROR for a in attempts)
        assert all(a.completion_tokens > 0 for a in attempts)
        assert attempts[0].feedback  # what the model was told before its second try
        assert attempts[1].prompt[-1]["content"] == attempts[0].feedback
        assert step.rejection  # the env said why
