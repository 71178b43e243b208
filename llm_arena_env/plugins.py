"""User games, agents and backends from outside the package: entry points and ``--import module``.

A plugin package declares entry points in one of the groups below; each is loaded once, and if what it
names is callable it is called with no arguments (a ``register()`` function), else importing it was
the registration (a module that calls ``llm_arena_env.register``, ``register_agent_spec`` or
``register_backend`` at import time). ``llm-arena --import my_games ...`` imports a module the same way,
for code that is not installed as a package (clembench's custom games and ``<name>_api.py`` backends).
"""

from __future__ import annotations

import importlib
import importlib.metadata
import logging
import os
import sys

GROUPS = ("llm_arena_env.games", "llm_arena_env.agents", "llm_arena_env.backends")
log = logging.getLogger(__name__)
_loaded = False


class PluginError(Exception):
    """A plugin could not be loaded; the message names it and says why."""


def load_entry_points(groups: tuple[str, ...] = GROUPS) -> list[str]:
    """Load every entry point of ``groups`` (once per process); returns the names loaded."""
    global _loaded
    if _loaded:
        return []
    _loaded = True
    names = []
    for group in groups:
        for entry_point in importlib.metadata.entry_points(group=group):
            try:
                target = entry_point.load()
                if callable(target) and not isinstance(target, type):
                    target()
            except Exception as error:  # noqa: BLE001 (one broken plugin must not stop the others)
                raise PluginError(f"plugin {entry_point.name!r} ({entry_point.value}) failed to load: {error}") from error
            names.append(f"{group}:{entry_point.name}")
    return names


def import_modules(names: list[str]) -> None:
    """Import each module (a dotted name, or a path to a .py file) for the registrations it makes."""
    for name in names:
        try:
            if name.endswith(".py"):
                _import_file(name)
            else:
                if "" not in sys.path and os.getcwd() not in sys.path:  # `python -m` puts it there; the script does not
                    sys.path.insert(0, os.getcwd())
                importlib.import_module(name)
        except PluginError:
            raise
        except Exception as error:  # noqa: BLE001 (import errors of every kind end in one clear message)
            raise PluginError(f"--import {name}: {type(error).__name__}: {error}") from error


def _import_file(path: str) -> None:
    import importlib.util

    if not os.path.isfile(path):
        raise FileNotFoundError(f"no such file {path!r}")
    module_name = "llm_arena_plugin_" + os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules[module_name] = module
    spec.loader.exec_module(module)  # type: ignore[union-attr]


__all__ = ["GROUPS", "PluginError", "load_entry_points", "import_modules"]
