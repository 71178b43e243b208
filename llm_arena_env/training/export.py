"""Write training data from a results directory: SFT chats, RL rows or preference pairs, as JSONL or Parquet.

>>> export("results/my_run", kind="sft", out="wins.jsonl", outcome="win")  # doctest: +SKIP
12

JSONL needs nothing beyond the package; Parquet needs ``datasets`` (the ``train`` extra).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Iterable, Mapping

from llm_arena_env.training.datasets import ROWS, rows, to_dataset, to_json_line

FORMATS = ("jsonl", "parquet")
_SUFFIXES = {".jsonl": "jsonl", ".json": "jsonl", ".parquet": "parquet"}


def load_results(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """The episode records (dicts) under ``path``: a results root, a run folder, or one ``episode.json``."""
    try:
        from llm_arena_env.arena.results import load_episodes
    except ImportError:  # an older arena without a results module: read the files directly
        base = Path(path)
        if not base.exists():
            raise FileNotFoundError(f"no results folder at {base}") from None
        files = [base] if base.is_file() else sorted(base.rglob("episode.json"))
        return [json.loads(f.read_text(encoding="utf-8")) for f in files]
    return load_episodes(path)


def format_for(out: str | os.PathLike[str], format: str | None = None) -> str:
    """``format`` if given, else the one ``out``'s suffix names (JSONL for anything else)."""
    if format is None:
        return _SUFFIXES.get(Path(out).suffix.lower(), "jsonl")
    if format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {format!r}")
    return format


def write_rows(table: list[dict[str, Any]], out: str | os.PathLike[str], format: str | None = None,
               kind: str | None = None) -> Path:
    """Write ``table`` to ``out`` (its folder is made) as JSONL or Parquet; returns the path. An empty
    table is refused, with nothing written: ``datasets.load_dataset`` (5.x) fails on an empty JSON file
    and on an empty Parquet file alike, schema or not, so an empty file would only break a later step."""
    path = Path(out)
    chosen = format_for(path, format)
    if not table:
        raise ValueError(f"no rows to write to {path} (no episode matched the filters, or none had a reply to "
                         "learn from); nothing was written, since datasets.load_dataset cannot read an empty file")
    path.parent.mkdir(parents=True, exist_ok=True)
    if chosen == "parquet":
        to_dataset(table, kind).to_parquet(str(path))  # asks for `datasets` before any file is touched
    else:
        with path.open("w", encoding="utf-8") as handle:
            for row in table:
                handle.write(to_json_line(row) + "\n")
    return path


def export(source: str | os.PathLike[str] | Iterable[Mapping[str, Any]], *, kind: str, out: str | os.PathLike[str],
           format: str | None = None, **options: Any) -> int:
    """Convert the episodes of ``source`` (a results path, or episode dicts) to ``kind`` rows ("sft", "rl",
    "preference"; ``options`` are the converter's: filters and the like) and write them to ``out``.
    Returns the number of rows written."""
    if kind not in ROWS:
        raise ValueError(f"kind must be one of {', '.join(ROWS)}, got {kind!r}")
    format_for(out, format)  # a bad format fails before any work
    episodes = load_results(source) if isinstance(source, (str, os.PathLike)) else list(source)
    table = rows(kind, episodes, **options)
    write_rows(table, out, format, kind)
    return len(table)
