"""The results directory: one folder per run, game, pairing and episode, written so that a crash loses nothing.

    <root>/<run_name>/run.json                                   the run's config (no secrets)
    <root>/<run_name>/index.html                                 links to every episode's transcript
    <root>/<run_name>/<game>/<pairing>/<episode_id>/episode.json the episode record
                                                 .../transcript.html  its transcript, where one can be made

``<game>`` is the game id with ``/`` written ``__`` (``openspiel__tic_tac_toe``); ``<pairing>`` joins the
seats' agent specs with ``__vs__`` (``random__vs__stockfish-1``). Every file is written to a temporary name
and renamed into place, so a file is whole or absent; ``episode.json`` is written last and is what marks an
episode as done, so a re-run plays again exactly the episodes without one, and those that ended in a
transport ``error`` (unless the store is made with ``retry_errors=False``).
"""

from __future__ import annotations

import datetime
import json
import os
import re
import warnings
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

from llm_arena_env.agents.specs import agent_identity
from llm_arena_env.arena.episode import scrub
from llm_arena_env.arena.files import TEMP_SUFFIX, atomic_write, folder_name
from llm_arena_env.arena.jobs import EpisodeJob
from llm_arena_env.arena.records import EpisodeRecord, RecordError, as_record, to_plain


EPISODE_FILE = "episode.json"
MANIFEST_FILE = "run.json"
#: Keys every episode file has; a file without them is not an episode (or was cut short by hand).
REQUIRED_KEYS = ("game", "seed", "agents", "steps", "outcomes")


class CorruptEpisodeWarning(UserWarning):
    """An ``episode.json`` that cannot be read as an episode; it is skipped (and played again on resume)."""


class ResultsConflictError(ValueError):
    """An episode folder holds an episode played with other settings than the job that maps to it."""


def game_folder(game: str) -> str:
    return folder_name(game.replace("/", "__"))


def pairing_folder(player_specs: Sequence[str]) -> str:
    return "__vs__".join(folder_name(scrub(agent_identity(spec))) for spec in player_specs)


class ResultsStore:
    """The folder of one run under ``root``: where its episodes are written, found and read back.

    ``transcripts``: write each episode's HTML transcript beside it, and the run's index page
    (:mod:`llm_arena_env.arena.transcript`); ``False`` writes the episode files only."""

    def __init__(self, root: str | os.PathLike[str], run_name: str, *, retry_errors: bool = True,
                 transcripts: bool = True):
        if not run_name or folder_name(run_name) != run_name:
            raise ValueError(
                f"a run name is one folder name of letters, digits and ._+=- characters, got {run_name!r}"
            )
        self.root = Path(root)
        self.run_name = run_name
        self.run_dir = self.root / run_name
        self.retry_errors = retry_errors  # does an episode that ended in a transport error count as not played?
        self.transcripts = transcripts
        self.transcript_failures = 0
        self.first_transcript_error = ""
        self._manifest: Mapping[str, Any] | None = None
        self._done: dict[Path, EpisodeJob] = {}  # episode files found whole, and the job they match
        self.written = 0  # episodes written by this store that count as played (not kept: a long run's are many)

    def __repr__(self) -> str:
        return f"ResultsStore({str(self.run_dir)!r})"

    def episode_dir(self, job: EpisodeJob) -> Path:
        return self.run_dir / game_folder(job.game) / pairing_folder(job.player_specs) / job.episode_id

    def finished(self, job: EpisodeJob) -> bool:
        """Is ``job``'s episode already in the store? A corrupt file counts as not played (with a warning),
        and so does an episode that ended in error where ``retry_errors``; a whole file from another job
        (other kwargs, seed or players) is a :class:`ResultsConflictError`."""
        path = self.episode_dir(job) / EPISODE_FILE
        if self._done.get(path) == job:
            return True
        if not path.exists():
            return False
        data = read_episode(path)
        if data is None:
            return False
        record = as_record(data)
        differences = job_differences(job, record)
        if differences:
            raise ResultsConflictError(
                f"{path} holds an episode played with other settings ({'; '.join(differences)}); "
                "use another run name, or delete that folder to play it again"
            )
        if self.retry_errors and record.is_error:
            return False
        self._done[path] = job
        return True

    def write_episode(self, job: EpisodeJob, record: EpisodeRecord | Mapping[str, Any]) -> Path:
        """Write the episode (transcript first, then ``episode.json``, which marks it done); returns its folder."""
        if self._manifest is not None:
            self.write_manifest(self._manifest)
        record = as_record(record)
        data = record.to_dict()
        folder = self.episode_dir(job)
        folder.mkdir(parents=True, exist_ok=True)
        _remove_stale_temp_files(folder)
        self._write_transcript(record, folder)
        atomic_write(folder / EPISODE_FILE, json.dumps(data, indent=1, ensure_ascii=False) + "\n")
        if not (self.retry_errors and record.is_error):
            self.written += 1
        return folder

    def _write_transcript(self, record: EpisodeRecord, folder: Path) -> None:
        """The episode's transcript page; a failure there never loses the episode."""
        self._call_transcripts("write_episode_html", record, folder)

    def write_index(self) -> None:
        """The run's ``index.html`` linking every episode, unless transcripts are off (failures counted)."""
        if self.run_dir.exists():
            self._call_transcripts("write_index_html", self.run_dir)

    def _call_transcripts(self, function: str, *args: Any) -> None:
        """``function`` of the transcript module, unless transcripts are off; its failures (a missing font,
        a missing dependency) are counted, and warned about once, never raised."""
        if not self.transcripts:
            return
        try:
            from llm_arena_env.arena import transcript

            getattr(transcript, function)(*args)
        except Exception as error:  # noqa: BLE001  (any failure of a transcript must not cost the episode)
            self._transcript_failed(error)

    def _transcript_failed(self, error: Exception) -> None:
        self.transcript_failures += 1
        if not self.first_transcript_error:
            self.first_transcript_error = f"{type(error).__name__}: {error}"
            warnings.warn(f"a transcript could not be written ({self.first_transcript_error}); "
                          "the episodes are kept", RuntimeWarning, stacklevel=3)

    def manifest_on_first_episode(self, config: Mapping[str, Any]) -> None:
        """Write ``run.json`` with the first episode this store writes, so that a run that fails before
        playing anything (a missing key, a bad spec) leaves no folder behind."""
        self._manifest = config

    def write_manifest(self, config: Mapping[str, Any]) -> Path:
        """``run.json``: the run's config as last run (secrets masked), with when the run was created and
        last updated and the package version."""
        from llm_arena_env import __version__

        path = self.run_dir / MANIFEST_FILE
        now = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
        created = now
        if path.exists():
            try:
                created = str(json.loads(path.read_text(encoding="utf-8")).get("created", now))
            except (OSError, ValueError, AttributeError):
                pass  # an unreadable manifest is replaced below
        manifest = {"run_name": self.run_name, "created": created, "updated": now,
                    "llm_arena_env_version": __version__, "config": scrub_plain(config)}
        self.run_dir.mkdir(parents=True, exist_ok=True)
        atomic_write(path, json.dumps(manifest, indent=1, ensure_ascii=False) + "\n")
        self._manifest = None
        return path

    def load(self) -> list[dict[str, Any]]:
        return load_episodes(self.run_dir) if self.run_dir.exists() else []


def job_differences(job: EpisodeJob, record: EpisodeRecord) -> list[str]:
    """What differs between ``job`` and a recorded episode, as ``field: recorded != job`` lines."""
    expected = {
        "game": job.game,
        "game_kwargs": _json_roundtrip(job.game_kwargs),
        "seed": job.seed,
        "options": _json_roundtrip(job.options),
        "players": [scrub(agent_identity(spec)) for spec in job.player_specs],
        "episode_id": job.episode_id,
    }
    found = {"game": record.game, "game_kwargs": dict(record.game_kwargs), "seed": record.seed,
             "options": record.options, "players": list(record.agents.values()), "episode_id": record.episode_id}
    expected["game_kwargs"] = expected["game_kwargs"] or {}
    return [f"{k}: {found[k]!r} != {expected[k]!r}" for k in expected if found[k] != expected[k]]


def _json_roundtrip(value: Any) -> Any:
    return json.loads(json.dumps(to_plain(value)))


_SECRET_KEY = re.compile(r"(.*[_-])?(api[_-]?key|token|secret|password)", re.IGNORECASE)


def scrub_plain(value: Any) -> Any:
    """``value`` as JSON types with every string scrubbed of key-like text, and the values of key-like
    fields (``api_key``, ``access_token``, ...) masked."""
    plain = to_plain(value)
    if isinstance(plain, str):
        return scrub(plain)
    if isinstance(plain, dict):
        return {k: "***" if _SECRET_KEY.fullmatch(k) else scrub_plain(v) for k, v in plain.items()}
    if isinstance(plain, list):
        return [scrub_plain(v) for v in plain]
    return plain


def _remove_stale_temp_files(folder: Path) -> None:
    """Temporary files a killed process left (a SIGKILL between write and rename)."""
    for stale in folder.glob(f".*{TEMP_SUFFIX}"):
        stale.unlink(missing_ok=True)


def read_episode(path: Path) -> dict[str, Any] | None:
    """The episode in ``path``, or None with a :class:`CorruptEpisodeWarning` where it is not one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        warnings.warn(f"skipping {path}: not readable JSON ({error})", CorruptEpisodeWarning, stacklevel=2)
        return None
    missing = [key for key in REQUIRED_KEYS if key not in data] if isinstance(data, dict) else list(REQUIRED_KEYS)
    if missing:
        warnings.warn(f"skipping {path}: not an episode record (no {', '.join(missing)})",
                      CorruptEpisodeWarning, stacklevel=2)
        return None
    try:
        EpisodeRecord.from_dict(data)
    except RecordError as error:
        warnings.warn(f"skipping {path}: not an episode record ({error})", CorruptEpisodeWarning, stacklevel=2)
        return None
    return data


def episode_files(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Every ``episode.json`` under ``path`` (a results root, a run folder or any folder below), sorted."""
    base = Path(path)
    if base.is_file():
        yield base
        return
    if not base.is_dir():
        raise FileNotFoundError(f"no results folder at {base}")
    yield from sorted(base.rglob(EPISODE_FILE))


def load_episodes(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """The episode records under ``path`` (a results root, a run folder, or one episode's file), as dicts
    (``EpisodeRecord.to_dict()``), sorted by path; corrupt or partial files are skipped with a
    :class:`CorruptEpisodeWarning`. A missing ``path`` is a ``FileNotFoundError``."""
    records = []
    for file in episode_files(path):
        record = read_episode(file)
        if record is not None:
            records.append(record)
    return records


__all__ = [
    "ResultsStore",
    "load_episodes",
    "episode_files",
    "read_episode",
    "folder_name",
    "game_folder",
    "pairing_folder",
    "CorruptEpisodeWarning",
    "ResultsConflictError",
    "EPISODE_FILE",
    "MANIFEST_FILE",
]
