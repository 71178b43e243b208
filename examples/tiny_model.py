"""The examples' stand-in model when no --model is given: a tiny random chat model built by the test suite's
builder (so it needs a checkout of the repository, not only the installed package)."""

from __future__ import annotations

import sys
from pathlib import Path


def tiny_model(folder: Path) -> str:
    """Build the tiny model under ``folder`` and return its path."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    try:
        from tests.tiny_models import build_chat_model
    except ImportError:
        raise SystemExit("no --model given and tests/tiny_models.py is not here: pass --model PATH") from None
    return str(build_chat_model(folder / "tiny-model"))
