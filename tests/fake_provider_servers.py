"""Loopback fakes of Anthropic's Messages API and Gemini's generateContent, for the real SDKs to call.

They are :class:`FakeOpenAIServer` with another route and other reply bodies, so scripts, responders,
hangs, recorded requests and the in-flight count work the same:

>>> with FakeAnthropicServer() as server:
...     server.script(anthropic_error(529), anthropic_answer("e4", thinking="center"))
...     backend = AnthropicBackend("claude-x", base_url=server.url, api_key="k")
"""

from __future__ import annotations

import json
import re
from typing import Any

from tests.fake_openai_server import FakeOpenAIServer, Reply

JSON = (("Content-Type", "application/json"),)


def _reply(payload: Any, status: int = 200, retry_after: float | None = None, delay: float = 0.0) -> Reply:
    headers = JSON + ((("Retry-After", f"{retry_after:g}"),) if retry_after is not None else ())
    return Reply(status, json.dumps(payload).encode(), headers, delay)


# ---------------------------------------------------------------------- Anthropic


def anthropic_answer(text: str, *, thinking: str | None = None, redacted: bool = False, input_tokens: int = 9,
                     output_tokens: int = 4, delay: float = 0.0) -> Reply:
    content: list[dict[str, Any]] = []
    if thinking is not None:
        content.append({"type": "thinking", "thinking": thinking, "signature": "sig"})
    if redacted:
        content.append({"type": "redacted_thinking", "data": "opaque"})
    content.append({"type": "text", "text": text})
    return _reply({
        "id": "msg_fake", "type": "message", "role": "assistant", "model": "fake", "content": content,
        "stop_reason": "end_turn", "stop_sequence": None,
        "usage": {"input_tokens": input_tokens, "output_tokens": output_tokens},
    }, delay=delay)


def anthropic_error(status: int, message: str = "scripted error", *, retry_after: float | None = None) -> Reply:
    kinds = {400: "invalid_request_error", 401: "authentication_error", 403: "permission_error",
             404: "not_found_error", 429: "rate_limit_error", 529: "overloaded_error"}
    body = {"type": "error", "error": {"type": kinds.get(status, "api_error"), "message": message}}
    return _reply(body, status, retry_after)


class FakeAnthropicServer(FakeOpenAIServer):
    """Serves POST /v1/messages; ``url`` is the base URL the anthropic SDK takes (without /v1)."""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def accepts(self, path: str) -> bool:
        return path.split("?")[0].rstrip("/") == "/v1/messages"

    def default_reply(self) -> Reply:
        return anthropic_answer("Final Answer: ok")


# ---------------------------------------------------------------------- Gemini

GEMINI_ROUTE = re.compile(r"^/v1(beta)?/models/[^/:]+:generateContent$")  # the SDK picks the version


def gemini_answer(text: str, *, thought: str | None = None, prompt_tokens: int = 8, answer_tokens: int = 3,
                  thought_tokens: int | None = None, delay: float = 0.0) -> Reply:
    parts: list[dict[str, Any]] = []
    if thought is not None:
        parts.append({"text": thought, "thought": True})
    parts.append({"text": text})
    usage = {"promptTokenCount": prompt_tokens, "candidatesTokenCount": answer_tokens}
    if thought_tokens is not None:
        usage["thoughtsTokenCount"] = thought_tokens
    return _reply({
        "candidates": [{"content": {"role": "model", "parts": parts}, "finishReason": "STOP", "index": 0}],
        "usageMetadata": usage, "modelVersion": "fake",
    }, delay=delay)


def gemini_error(status: int, message: str = "scripted error", *, retry_after: float | None = None,
                 retry_delay: str | None = None) -> Reply:
    """Gemini's error body; ``retry_delay`` ("20s") puts the wait in a RetryInfo detail, as Gemini's 429s do."""
    names = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
             429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE"}
    body: dict[str, Any] = {"error": {"code": status, "message": message, "status": names.get(status, "UNKNOWN")}}
    if retry_delay is not None:
        body["error"]["details"] = [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": retry_delay}]
    return _reply(body, status, retry_after)


class FakeGeminiServer(FakeOpenAIServer):
    """Serves POST /v1[beta]/models/MODEL:generateContent; ``url`` is the base URL google-genai takes."""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def accepts(self, path: str) -> bool:
        return bool(GEMINI_ROUTE.match(path.split("?")[0]))

    def default_reply(self) -> Reply:
        return gemini_answer("Final Answer: ok")
