"""Files the arena writes: whole or absent, never half-written (``atomic_write``), under safe names
(``folder_name``)."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

_UNSAFE = re.compile(r"[^A-Za-z0-9._+=-]+")
_MAX_NAME = 80
TEMP_SUFFIX = ".tmp"  # temporary files are ".<name>.<random>.tmp" beside their target


def atomic_write(path: Path, data: str | bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder, then rename it over ``path``:
    readers never see half a file, and an interrupted write (Ctrl-C included) leaves the old one and no
    temporary file. Text is written as UTF-8; the file is readable by all, as a plain write would be."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TEMP_SUFFIX)
    try:
        os.chmod(temporary, 0o644)  # mkstemp makes it private
        with os.fdopen(handle, "wb") as file:
            file.write(data.encode("utf-8", errors="replace") if isinstance(data, str) else data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def folder_name(text: str) -> str:
    """``text`` as one safe path component: runs of other characters than letters, digits and ``._+=-``
    become ``-`` (``stockfish:1`` -> ``stockfish-1``); never empty, ``.`` or ``..``."""
    name = _UNSAFE.sub("-", text).strip("-")[:_MAX_NAME]
    return name if name.strip(".") else "_"
