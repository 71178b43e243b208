"""Optional dependencies: imported where they are used, with an error that names the extra to install.

>>> zipf_frequency = require("wordfreq", extra="words", purpose="generating taboo instances").zipf_frequency
"""

from __future__ import annotations

import importlib
from types import ModuleType


class MissingExtraError(ImportError):
    """An optional dependency is not installed; the message says which extra of the package installs it."""


def require(module: str, *, extra: str, purpose: str) -> ModuleType:
    """``import module``, or :class:`MissingExtraError`: "<purpose> needs <module>: pip install ...[extra]"."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        if error.name is not None and error.name.split(".")[0] != module.split(".")[0]:
            raise  # the module is there but broken (one of its own imports failed): not a missing extra
        raise MissingExtraError(f"{purpose} needs {module}: pip install 'llm-arena-env[{extra}]'") from error


__all__ = ["MissingExtraError", "require"]
