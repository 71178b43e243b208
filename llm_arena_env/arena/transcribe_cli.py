"""``llm-arena transcribe``: write or refresh the HTML transcript of every episode under a results folder,
and the index page of every run it touches.

Pages are written atomically next to each ``episode.json``; running it again rewrites them, so pages
made by an older version (or interrupted by Ctrl-C) are brought up to date.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from llm_arena_env.arena.records import EpisodeRecord

EXAMPLES = """\
examples:
  llm-arena transcribe results/                       every run under results/
  llm-arena transcribe results/my-run                 one run: its episodes and results/my-run/index.html
  llm-arena transcribe results/my-run/chess           one game of a run (the run's index is refreshed too)
  llm-arena transcribe results/my-run/chess/random__vs__random/0003/episode.json
  llm-arena transcribe results/ --no-images           faster: no replays for board images
"""

EPISODE_FILE = "episode.json"
MANIFEST_FILE = "run.json"  # marks a run folder (see arena/results.py)
_RUN_DEPTH = 4  # <run>/<game>/<pairing>/<episode_id>/episode.json


def add_transcribe_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``transcribe`` to the ``llm-arena`` subcommands."""
    parser = subparsers.add_parser(
        "transcribe",
        help="write the HTML transcripts and run index pages of a results folder",
        description="Write (or refresh) transcript.html beside every episode.json under PATH, "
                    "and index.html in every run folder they belong to.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("path", type=Path, metavar="PATH",
                        help="a results folder (root, run, game, pairing or episode) or one episode.json")
    parser.add_argument("--no-images", action="store_true",
                        help="do not replay board and grid games for board images (much faster)")
    parser.set_defaults(command=transcribe_command)
    return parser


def transcribe_command(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from llm_arena_env.arena.transcript import write_episode_html, write_index_html

    files = find_episodes(args.path)
    runs: set[Path] = set()
    failures: list[str] = []
    written = 0
    for file in tqdm(files, desc="transcripts", unit="episode", file=sys.stderr, dynamic_ncols=True):
        runs.add(run_folder_of(file, args.path))
        try:
            write_episode_html(read_record(file), file.parent, images=not args.no_images)
            written += 1
        except (OSError, ValueError) as error:  # one bad file must not stop the others
            failures.append(f"{file}: {error}")
    indexes = []
    for run in sorted(runs):
        try:
            indexes.append(write_index_html(run))
        except OSError as error:
            failures.append(f"{run}: {error}")
    print(f"wrote {written} transcript{'s' if written != 1 else ''}; index: " + ", ".join(str(i) for i in indexes))
    for failure in failures:
        print(f"llm-arena: could not transcribe {failure}", file=sys.stderr)
    return 1 if failures else 0


def find_episodes(path: Path) -> list[Path]:
    """The episode files at or under ``path``, sorted; a clear usage error where there are none."""
    from llm_arena_env.cli_common import UsageError

    if path.is_file():
        return [path]
    if not path.is_dir():
        raise UsageError(f"no such file or folder: {path}")
    files = sorted(path.rglob(EPISODE_FILE))
    if not files:
        raise UsageError(f"no {EPISODE_FILE} under {path}; is it a results folder of `llm-arena run`?")
    return files


def run_folder_of(file: Path, given: Path) -> Path:
    """The run an episode belongs to: the nearest folder above it with a run.json; without one, the
    folder the user named (or the episode's own folder, where a file was named)."""
    for folder in list(file.parents)[:_RUN_DEPTH]:
        if (folder / MANIFEST_FILE).is_file():
            return folder
    return given if given.is_dir() else file.parent


def read_record(file: Path) -> EpisodeRecord:
    """The record in ``file``; a ValueError saying why where it holds none."""
    from llm_arena_env.arena.records import EpisodeRecord, RecordError

    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except UnicodeDecodeError as error:
        raise ValueError(f"not UTF-8 text ({error})") from None
    except json.JSONDecodeError as error:
        raise ValueError(f"not JSON ({error})") from None
    if not isinstance(data, dict) or "steps" not in data:
        raise ValueError("not an episode record (no list of steps)")
    try:
        return EpisodeRecord.from_dict(data)
    except RecordError as error:
        raise ValueError(f"not an episode record ({error})") from None
