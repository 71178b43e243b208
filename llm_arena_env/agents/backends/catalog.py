"""The backends a model registry entry (or an agent spec) can name, and what each needs.

Plugins add their own with :func:`register_backend` (or through the ``llm_arena_env.backends`` entry
point group), as clembench loads ``<name>_api.py`` backends.
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class BackendInfo:
    """One backend kind: where its class is, which extra installs it, where its key may come from."""

    name: str
    entry_point: str  # "module:Class"
    extra: str  # the pip extra that installs its SDK ("" if the core install has it)
    key_envs: tuple[str, ...]  # environment variables it reads a key from
    description: str
    sdk: str = ""  # the importable module that tells whether the SDK is installed
    remote: bool = True  # takes base_url, api_key, timeout (False: a local model)

    def load(self) -> type:
        module_name, _, attr = self.entry_point.partition(":")
        return getattr(importlib.import_module(module_name), attr)

    def installed(self) -> bool:
        try:
            return not self.sdk or importlib.util.find_spec(self.sdk) is not None
        except ModuleNotFoundError:  # "google.genai" without "google"
            return False


BACKENDS: dict[str, BackendInfo] = {}


def register_backend(info: BackendInfo, *, overwrite: bool = False) -> None:
    if info.name in BACKENDS and not overwrite:
        raise ValueError(f"backend {info.name!r} is already registered (pass overwrite=True to replace it)")
    BACKENDS[info.name] = info


def backend_info(name: str) -> BackendInfo:
    if name not in BACKENDS:
        from llm_arena_env.plugins import load_entry_points

        load_entry_points()
    if name not in BACKENDS:
        raise ValueError(f"unknown backend {name!r}; known: {', '.join(sorted(BACKENDS))}")
    return BACKENDS[name]


def make_backend(name: str, model: str, **kwargs: Any) -> Any:
    """A backend of kind ``name`` for ``model``; a missing SDK is named with the extra that installs it."""
    info = backend_info(name)
    if not info.installed():
        hint = f"pip install 'llm-arena-env[{info.extra}]'" if info.extra else f"install {info.sdk}"
        raise ValueError(f"backend {name!r} needs the {info.sdk} package: {hint}")
    return info.load()(model, **kwargs)


_B = "llm_arena_env.agents.backends."
for _info in (
    BackendInfo("openai", _B + "openai_backend:OpenAIBackend", "", ("OPENAI_API_KEY",),
                "the OpenAI API and every OpenAI-compatible server (vLLM, llama.cpp, Ollama, OpenRouter)", "openai"),
    BackendInfo("anthropic", _B + "anthropic_backend:AnthropicBackend", "anthropic", ("ANTHROPIC_API_KEY",),
                "Anthropic's Messages API (Claude), extended thinking", "anthropic"),
    BackendInfo("google", _B + "google_backend:GoogleBackend", "google", ("GEMINI_API_KEY", "GOOGLE_API_KEY"),
                "Google's Gemini API, thoughts", "google.genai"),
    BackendInfo("litellm", _B + "litellm_backend:LiteLLMBackend", "litellm", (),
                "every other provider through LiteLLM (model ids like mistral/mistral-large-latest)", "litellm"),
    BackendInfo("hf", _B + "transformers_backend:TransformersBackend", "hf", (),
                "a local Hugging Face transformers model (path or hub id)", "transformers", remote=False),
):
    register_backend(_info)

__all__ = ["BackendInfo", "BACKENDS", "register_backend", "backend_info", "make_backend"]
