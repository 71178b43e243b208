"""A small OpenAI-compatible HTTP server for tests: scripted replies and every fault a real one shows.

>>> with FakeOpenAIServer() as server:
...     server.script(Reply.error(429, retry_after=0.2), Reply.answer("e4"))
...     backend = OpenAIBackend("fake", base_url=server.url)

Faults: ``Reply.error`` (401, 403, 404, 429 with Retry-After, 5xx), ``Reply.hang`` (past the client's
timeout), ``Reply.malformed`` (cut-off JSON), ``Reply.truncated`` (fewer bytes than Content-Length, then the
connection closes), ``Reply.reset`` (the connection is reset, nothing answered), ``Reply.answer`` with a lone
surrogate in its text, ``Reply.raw_answer`` (content bytes as given, e.g. invalid UTF-8). An outage is a
stopped server (connection refused).

Chat replies come from the script (in arrival order), then from ``responder(body)`` if set, then a default
answer. ``GET /v1/models`` lists ``models`` (``models_reply`` replaces that answer, e.g. with a 401). Every
chat request is recorded with its headers and JSON body (model listings in ``model_requests``). The server
answers at most ``max_requests`` requests with a scripted reply, then 400s, so a client stuck in a retry
loop stops.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

MAX_HANG_S = 5.0  # a hang never outlives this, whatever a test asks


@dataclass(frozen=True)
class Reply:
    """One scripted answer of the server."""

    status: int = 200
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()
    delay: float = 0.0  # seconds to wait before answering
    length: int | None = None  # the Content-Length to claim (default: the body's); more = a truncated body
    reset_connection: bool = False  # reset the connection instead of answering

    @classmethod
    def answer(cls, text: str, *, reasoning: str | None = None, reasoning_field: str = "reasoning_content",
               prompt_tokens: int = 7, completion_tokens: int = 3, delay: float = 0.0) -> Reply:
        message: dict[str, Any] = {"role": "assistant", "content": text}
        if reasoning is not None:
            message[reasoning_field] = reasoning
        payload = {
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "created": 0,
            "model": "fake",
            "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                      "total_tokens": prompt_tokens + completion_tokens},
        }
        return cls(200, json.dumps(payload).encode(), (("Content-Type", "application/json"),), delay)

    @classmethod
    def error(cls, status: int, message: str = "scripted error", *, retry_after: float | None = None) -> Reply:
        headers = [("Content-Type", "application/json")]
        if retry_after is not None:
            headers.append(("Retry-After", f"{retry_after:g}"))
        body = json.dumps({"error": {"message": message, "type": "fake_error", "code": None}}).encode()
        return cls(status, body, tuple(headers))

    @classmethod
    def hang(cls, seconds: float) -> Reply:
        """Say nothing for ``seconds`` (bounded by MAX_HANG_S), then answer; the client should time out first."""
        return cls.answer("too late", delay=min(seconds, MAX_HANG_S))

    @classmethod
    def malformed(cls) -> Reply:
        return cls(200, b'{"choices": [{"message": {"content": "e4"', (("Content-Type", "application/json"),))

    @classmethod
    def truncated(cls, text: str = "e4") -> Reply:
        """A whole answer's headers, half its body, then the connection closes."""
        whole = cls.answer(text)
        return cls(200, whole.body[: len(whole.body) // 2], whole.headers, length=len(whole.body))

    @classmethod
    def reset(cls) -> Reply:
        return cls(200, b"", (), reset_connection=True)

    @classmethod
    def raw_answer(cls, content: bytes) -> Reply:
        """An answer whose content is ``content`` byte for byte (say, invalid UTF-8) inside valid JSON."""
        body = cls.answer("@@CONTENT@@").body.replace(b"@@CONTENT@@", content)
        return cls(200, body, (("Content-Type", "application/json"),))


@dataclass
class Recorded:
    """A request the server received."""

    path: str
    headers: dict[str, str]  # lower-case names
    body: Any  # the decoded JSON, or the raw text if it was not JSON
    raw: bytes = field(repr=False, default=b"")


class FakeOpenAIServer:
    """Serves POST /v1/chat/completions on 127.0.0.1 at a free port, in a background thread."""

    def __init__(self, max_requests: int = 200, models: tuple[str, ...] = ("fake", "fake-model")):
        self.max_requests = max_requests
        self.requests: list[Recorded] = []
        self.model_requests: list[Recorded] = []
        self.responder: Callable[[Any], Reply] | None = None
        self.models = models
        self.models_reply: Reply | None = None
        self.max_in_flight = 0
        self._script: deque[Reply] = deque()
        self._in_flight = 0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def script(self, *replies: Reply) -> None:
        """Queue replies, answered in the order requests arrive."""
        with self._lock:
            self._script.extend(replies)

    def start(self) -> FakeOpenAIServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes any hanging handler
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FakeOpenAIServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ used by the handler

    def _next_reply(self, body: Any) -> Reply:
        with self._lock:
            if len(self.requests) > self.max_requests:
                return Reply.error(400, f"fake server: more than {self.max_requests} requests")
            if self._script:
                return self._script.popleft()
        if self.responder is not None:
            return self.responder(body)
        return self.default_reply()

    # ------------------------------------------------------------------ what a protocol's fake overrides

    def accepts(self, path: str) -> bool:
        """Whether ``path`` is the protocol's endpoint; other paths get a 404."""
        return path.rstrip("/") == "/v1/chat/completions"

    def default_reply(self) -> Reply:
        return Reply.answer("Final Answer: ok")

    def _enter(self) -> None:
        with self._lock:
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)

    def _leave(self) -> None:
        with self._lock:
            self._in_flight -= 1


    def _models_reply(self) -> Reply:
        if self.models_reply is not None:
            return self.models_reply
        data = [{"id": name, "object": "model", "created": 0, "owned_by": "fake"} for name in self.models]
        return Reply(200, json.dumps({"object": "list", "data": data}).encode(), (("Content-Type", "application/json"),))


def _handler_for(server: FakeOpenAIServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802
            with server._lock:
                server.model_requests.append(Recorded(self.path, {k.lower(): v for k, v in self.headers.items()}, None))
            if self.path.rstrip("/") != "/v1/models":
                self._send(Reply.error(404, f"no route {self.path}"))
                return
            self._send(server._models_reply())

        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            try:
                body = json.loads(raw)
            except ValueError:
                body = raw.decode("utf-8", "replace")
            with server._lock:
                server.requests.append(Recorded(self.path, {k.lower(): v for k, v in self.headers.items()}, body, raw))
            if not server.accepts(self.path):
                self._send(Reply.error(404, f"no route {self.path}"))
                return
            server._enter()
            try:
                reply = server._next_reply(body)
                if reply.delay:
                    server._stopping.wait(min(reply.delay, MAX_HANG_S))
                self._send(reply)
            finally:
                server._leave()

        def _send(self, reply: Reply) -> None:
            try:
                if reply.reset_connection:  # SO_LINGER 0: close() sends a TCP RST
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.close_connection = True
                    return
                self.send_response(reply.status)
                for name, value in reply.headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(reply.length if reply.length is not None else len(reply.body)))
                if reply.length is not None:
                    self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(reply.body)
                if reply.length is not None:
                    self.close_connection = True
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timed out) first

        def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
            pass

    return Handler

