"""Where a registered model's API key comes from: an environment variable, or a key file like clembench's.

For a registry entry, in order: the variable its ``key_env`` names; the entry ``key`` (default: the
backend's name) of the first key file found; else nothing, and the backend reads its own variables
(``OPENAI_API_KEY``, ``ANTHROPIC_API_KEY``, ...). Key files, first found wins: ``$LLM_ARENA_KEY_FILE``,
``key.json`` in the working directory, ``key.json`` in the user's config folder. The format is
clembench's: ``{"openai": {"api_key": "..."}, "anthropic": {"api_key": "..."}, "my-server":
{"api_key": "...", "base_url": "http://..."}}`` (a plain string value is the key itself).

A key is only ever handed to the backend's constructor: it is in no name, repr, log or error message.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

KEY_FILE_ENV = "LLM_ARENA_KEY_FILE"
KEY_FILE = "key.json"


class MissingKeyError(ValueError):
    """No key where the registry says one is; the message names where to put it, never a key."""


def user_config_dir() -> Path:
    """The user's llm-arena config folder (model registry, key file): ``$XDG_CONFIG_HOME/llm-arena`` or
    ``~/.config/llm-arena`` (``%APPDATA%\\llm-arena`` on Windows)."""
    base = os.environ.get("XDG_CONFIG_HOME") or (os.environ.get("APPDATA") if os.name == "nt" else None)
    return Path(base) / "llm-arena" if base else Path.home() / ".config" / "llm-arena"


def key_files() -> list[Path]:
    candidates = [os.environ.get(KEY_FILE_ENV), Path.cwd() / KEY_FILE, user_config_dir() / KEY_FILE]
    return [Path(p) for p in candidates if p and Path(p).is_file()]


def read_key_file(path: Path) -> dict[str, dict[str, str]]:
    """The key file's entries as ``{name: {"api_key": ..., "base_url": ...}}``."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        # the error text of a JSON parser quotes the file around the fault, which may be a key: leave it out
        raise MissingKeyError(f"key file {path} is not readable JSON ({type(error).__name__} at its position)") from None
    if not isinstance(data, dict):
        raise MissingKeyError(f"key file {path}: expected an object of {{name: {{\"api_key\": ...}}}}")
    entries = {}
    for name, value in data.items():
        if isinstance(value, str):
            value = {"api_key": value}
        if not isinstance(value, dict):
            raise MissingKeyError(f"key file {path}: entry {name!r} must be a string or an object with api_key")
        entries[name] = {k: v for k, v in value.items() if isinstance(v, str) and v}
    return entries


def resolve_credentials(entry: Any) -> tuple[str | None, str | None]:
    """``(api_key, base_url from the key file)`` for a registry entry; ``(None, None)``: the backend's defaults."""
    if entry.key_env and os.environ.get(entry.key_env):
        return os.environ[entry.key_env], None
    wanted = entry.key or entry.backend
    for path in key_files():
        found = read_key_file(path).get(wanted)
        if found and found.get("api_key"):
            return found["api_key"], found.get("base_url")
    if entry.key_env or entry.key:
        where = f"set {entry.key_env}" if entry.key_env else "set its variable"
        raise MissingKeyError(
            f"model {entry.name!r} needs a key: {where}, or add {{\"{wanted}\": {{\"api_key\": \"...\"}}}} to "
            f"{KEY_FILE} (in the working directory or the user config folder, or ${KEY_FILE_ENV})"
        )
    return None, None


__all__ = ["KEY_FILE_ENV", "MissingKeyError", "key_files", "read_key_file", "resolve_credentials"]
