"""A llama.cpp server for a GGUF file, run as a child process and spoken to through the OpenAI backend.

>>> with LlamaServerBackend("model.gguf", temperature=0.0) as backend:     # doctest: +SKIP
...     backend.complete([Request(({"role": "user", "content": "Your move?"},))])

:class:`LlamaServer` starts ``python -m llama_cpp.server`` (the ``llama-cpp-python`` package, the ``llama``
extra) on a free loopback port, waits until it answers ``/v1/models``, and stops it on ``close()`` (and at
interpreter exit, should nobody close it). The server uses the GGUF's own chat template. It answers one
request at a time (llama-cpp-python's server serialises generation behind one lock; measured in
``benchmarks/llama_server_overlap.py``), so a batch is sent with a concurrency of 1.
"""

from __future__ import annotations

import atexit
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Sequence

from llm_arena_env.agents.backends.base import Completion, Request
from llm_arena_env.agents.backends.openai_backend import OpenAIBackend
from llm_arena_env.agents.errors import BackendError

STARTUP_TIMEOUT_S = 120.0
MODEL_ALIAS = "local-gguf"  # the model name the server answers to


class LlamaServerError(RuntimeError):
    """The llama.cpp server could not be started (package missing, bad file, exited or never answered)."""


class LlamaServer:
    """``python -m llama_cpp.server`` for ``gguf_file`` on 127.0.0.1 and a free port, until :meth:`close`."""

    def __init__(self, gguf_file: str | os.PathLike[str], *, n_ctx: int = 4096, n_threads: int | None = None,
                 startup_timeout: float = STARTUP_TIMEOUT_S):
        path = Path(gguf_file).expanduser()
        if not path.is_file():
            raise FileNotFoundError(f"no GGUF file at {str(path)!r}")
        try:
            import llama_cpp.server  # noqa: F401  (fail here, with the fix, not in the child)
        except ImportError as error:
            raise LlamaServerError(
                f"the llama.cpp server needs llama-cpp-python with its server dependencies ({error}): "
                "CMAKE_ARGS='-DGGML_NATIVE=OFF' pip install 'llm-arena-env[llama]'"
            ) from None
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        command = [sys.executable, "-m", "llama_cpp.server", "--model", str(path), "--model_alias", MODEL_ALIAS,
                   "--host", "127.0.0.1", "--port", str(self.port), "--n_ctx", str(n_ctx)]
        if n_threads is not None:
            command += ["--n_threads", str(n_threads)]
        self._log = tempfile.TemporaryFile()  # the server's output, shown when it fails to start
        self._process: subprocess.Popen[bytes] | None = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT
        )
        atexit.register(self.close)
        try:
            self._wait_until_ready(startup_timeout)
        except BaseException:
            self.close()
            raise

    def __repr__(self) -> str:
        return f"LlamaServer(base_url={self.base_url!r}, running={self.running})"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def _wait_until_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.running:
                raise LlamaServerError(f"the llama.cpp server exited at startup:\n{self._output()}")
            try:
                with urllib.request.urlopen(f"{self.base_url}/models", timeout=2) as reply:
                    if reply.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        raise LlamaServerError(f"the llama.cpp server did not answer within {timeout:.0f} s:\n{self._output()}")

    def _output(self, limit: int = 2000) -> str:
        self._log.seek(0)
        return self._log.read().decode("utf-8", "replace")[-limit:]

    def close(self) -> None:
        """Stop the server (terminate, then kill after 10 s); safe to call twice."""
        process, self._process = self._process, None
        if process is not None:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            self._log.close()
        atexit.unregister(self.close)


class LlamaServerBackend:
    """A :class:`LlamaServer` of its own behind an :class:`OpenAIBackend`; ``close()`` stops both.

    ``generation``: default options of every call, as for ``OpenAIBackend``."""

    def __init__(self, gguf_file: str | os.PathLike[str], *, n_ctx: int = 4096, max_concurrency: int = 1,
                 timeout: float = 120.0, **generation: Any):
        self.server = LlamaServer(gguf_file, n_ctx=n_ctx)
        self.name = f"llama-server:{Path(gguf_file).name}"
        self._openai = OpenAIBackend(MODEL_ALIAS, base_url=self.server.base_url, timeout=timeout,
                                     max_concurrency=max_concurrency, **generation)

    def __repr__(self) -> str:
        return f"LlamaServerBackend(name={self.name!r}, base_url={self.server.base_url!r})"

    def complete(self, requests: Sequence[Request]) -> list[Completion | BackendError]:
        return self._openai.complete(requests)

    def close(self) -> None:
        self._openai.close()
        self.server.close()

    def __enter__(self) -> LlamaServerBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


__all__ = ["LlamaServer", "LlamaServerBackend", "LlamaServerError", "free_port"]
