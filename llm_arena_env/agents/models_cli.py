"""``llm-arena list models`` and ``llm-arena list backends``: what ``--players`` can name beyond agent kinds."""

from __future__ import annotations

from typing import Any


def list_models() -> str:
    """The registered models, a row each, with the file that declares them."""
    from llm_arena_env.agents.model_registry import RegistryError, load_registry, registry_files
    from llm_arena_env.cli_common import UsageError
    from llm_arena_env.text_table import format_table

    try:
        models = load_registry()
    except RegistryError as error:
        raise UsageError(str(error)) from None
    rows = [(e.name, e.backend, e.model, e.base_url or "-", e.key_env or "-", e.description)
            for e in sorted(models.values(), key=lambda e: e.name)]
    table = format_table(("name", "backend", "model id", "base url", "key variable", "description"), rows)
    files = "\n".join(f"  {p}" for p in registry_files())
    return f"{table}\n\nread from (later files win):\n{files}"


def list_backends() -> str:
    """The backends, whether their SDK is installed, and which extra installs it."""
    from llm_arena_env.agents.backends.catalog import BACKENDS
    from llm_arena_env.text_table import format_table
    from llm_arena_env.plugins import load_entry_points

    load_entry_points()
    rows = [(b.name, "yes" if b.installed() else f"no: pip install 'llm-arena-env[{b.extra}]'",
             ", ".join(b.key_envs) or "-", b.description) for b in sorted(BACKENDS.values(), key=lambda b: b.name)]
    return format_table(("backend", "installed", "key variables", "description"), rows)


def print_listing(what: str, args: Any) -> int:
    if getattr(args, "kind", None):
        from llm_arena_env.cli_common import UsageError

        raise UsageError("--kind applies to `list games` only")
    print(list_models() if what == "models" else list_backends())
    return 0
