"""HTML transcripts: a page per episode and an index page per run, readable offline in any browser.

>>> write_episode_html(record, "results/run/chess/random-vs-random/0000")  # -> .../transcript.html
>>> write_index_html("results/run")                                     # -> results/run/index.html

Dialogue games show chat bubbles, players left and right and the game master's messages between them.
Board and grid games show the board after every move: records hold no images, so the episode is played
again from its game id, make kwargs, seed, options and recorded actions, and each frame is embedded as a
PNG data URL (no image, with a note, where the replay fails or stops matching the record). Every model
output, retry, parse, vote, token count and latency sits in a fold under its step.

The pages are jinja2 templates (``templates/*.html``) with autoescaping on: everything a model, an env or
a record wrote is escaped wherever it lands, attributes included, with no call to forget. Control
characters are made visible and huge fields cut with a note. Pages carry a Content-Security-Policy that
allows no script and no network, so even a slip in escaping could not run or fetch anything.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import importlib.resources
import io
import json
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence
from urllib.parse import quote

import jinja2
from markupsafe import Markup

from llm_arena_env.agents.base import Attempt, Verdict
from llm_arena_env.arena.episode import ReplayError, replay
from llm_arena_env.arena.files import atomic_write
from llm_arena_env.arena.records import EpisodeRecord, RecordError, StepRecord, as_record
from llm_arena_env.core.metrics import MAIN_SCORE
from llm_arena_env.core.outcome import EndReason, Outcome

EPISODE_FILE = "episode.json"
TRANSCRIPT_FILE = "transcript.html"
INDEX_FILE = "index.html"
IMAGE_SIZE = 256  # pixels: boards stay legible, a 300-move game stays a few MB
MAX_FRAMES = 1000  # board images per page; longer games say where the images stop
MAX_FIELD_CHARS = 20_000  # longest text shown whole; longer fields are cut with a visible note

# No script, no network: images only from data: URLs, styles only from the page itself.
_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
# C0 controls (but tab, newline and carriage return), DEL and lone surrogates: shown as visible symbols.
_INVISIBLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_FILTERS = tuple(o.value for o in (Outcome.WIN, Outcome.LOSS, Outcome.DRAW, Outcome.SUCCESS, Outcome.FAILURE,
                                   Outcome.ABORTED, Outcome.ERROR))  # the index's "show:" buttons
_SORTS = (("first", "in order"), ("steps-up", "fewest steps"), ("steps-down", "most steps"),
          ("reward-down", "best reward"))


# ------------------------------------------------------------------------------------------- text


def _visible(char: re.Match[str]) -> str:
    code = ord(char.group())
    if code == 0x7F:
        return "\u2421"  # SYMBOL FOR DELETE
    if code < 0x20:
        return chr(0x2400 + code)  # the Control Pictures block: NUL -> U+2400, ...
    return "\ufffd"  # a lone surrogate cannot be written as UTF-8


def _finalize(value: Any) -> Any:
    """Every ``{{ value }}`` of a template, before autoescaping: text with its control characters made visible
    (markup the templates made themselves, e.g. a macro's output, passes as it is)."""
    if isinstance(value, Markup):
        return value
    return _INVISIBLE.sub(_visible, str(value))


def clip(text: Any, limit: int = MAX_FIELD_CHARS) -> tuple[str, str]:
    """``text`` cut to ``limit`` characters, and a note saying so ("" where nothing was cut)."""
    text = str(text)
    if len(text) <= limit:
        return text, ""
    return text[:limit], f"truncated: showing the first {limit:,} of {len(text):,} characters"


def short(value: Any, limit: int = 160) -> str:
    """``value`` on one line and at most ``limit`` characters: for tables and headings."""
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def number(value: Any) -> str:
    """A number as people read it (NaN stays NaN); anything else as text."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return str(value).replace("nan", "NaN")
        return f"{value:.4g}" if abs(value) < 1e6 else f"{value:.3e}"
    return str(value)


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


def _data_url(png_bytes: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png_bytes).decode("ascii")


@functools.lru_cache(maxsize=1)
def templates() -> jinja2.Environment:
    """The page templates, escaping every value by default."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("llm_arena_env.arena", "templates"),
        autoescape=True,
        finalize=_finalize,
        undefined=jinja2.StrictUndefined,  # a misspelt name is an error, not an empty cell
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(short=short, number=number, data_url=_data_url, json=_json)
    env.globals.update(
        clip=clip, plural=plural, MAX_FIELD_CHARS=MAX_FIELD_CHARS, IMAGE_SIZE=IMAGE_SIZE,
        csp=Markup(_CSP),  # a constant of ours, not data: its quotes stay as they are
        badge_kinds=frozenset({*(o.value for o in Outcome), "accepted", "rejected", "failed"}),
    )
    return env


def _render(template: str, **context: Any) -> str:
    from llm_arena_env import __version__

    # the stylesheet is ours, not data, and CSS must not be entity-escaped ("details > summary")
    style = Markup(stylesheet())
    return templates().get_template(template).render(version=__version__, stylesheet=style, **context)


@functools.lru_cache(maxsize=1)
def stylesheet() -> str:
    return importlib.resources.files("llm_arena_env.arena").joinpath("templates/transcript.css").read_text("utf-8")


def game_kind(game: str) -> str | None:
    """"board", "dialogue" or "grid" from the registry; None for a game it does not know."""
    import llm_arena_env

    try:
        return llm_arena_env.spec(game).kind
    except Exception:  # an unknown id, or a namespace that cannot build this name
        return None


# ----------------------------------------------------------------------------------------- replay


@dataclass
class Frames:
    """Board images of an episode played again: the start, then one per accepted step (by step index)."""

    start: bytes | None = None
    after: dict[int, bytes] = field(default_factory=dict)
    seen: dict[int, bytes] = field(default_factory=dict)  # the image observation each step's player was given
    steps_done: int = 0  # steps replayed as recorded; where ``note`` is set, the images stop after these
    note: str = ""


class _Diverged(Exception):
    """The replayed game no longer matches the record."""


def board_frames(record: EpisodeRecord | Mapping[str, Any], image_size: int = IMAGE_SIZE,
                 max_frames: int = MAX_FRAMES) -> Frames:
    """Play the episode again with ``render_mode="rgb_array"`` and keep a PNG after every accepted step.

    Never raises: where the game cannot be made, or the replay stops matching the record (an unseeded
    game of chance, another version of the game), the images stop there and ``note`` says why."""
    record = as_record(record)
    frames = Frames()
    kwargs = {**record.game_kwargs, "render_mode": "rgb_array"}
    try:
        try:  # small pictures straight away where the game takes an image size (every TextEnv does)
            _collect(record, {**kwargs, "image_size": image_size}, frames, image_size, max_frames)
        except TypeError:
            if frames.start is not None:
                raise
            _collect(record, kwargs, frames, image_size, max_frames)
    except (_Diverged, ReplayError) as diverged:
        frames.note = f"Board images stop here: {diverged}"
    except Exception as error:  # whatever the game raises, the transcript is still written
        frames.note = (f"No board images: the game {record.game!r} could not be played again"
                       if frames.start is None else "Board images stop here: replaying the game failed")
        frames.note += f" ({_describe(error)})."
    return frames


def _collect(record: EpisodeRecord, kwargs: dict[str, Any], frames: Frames, image_size: int,
             max_frames: int) -> None:
    with contextlib.closing(replay(record, game_kwargs=kwargs)) as replayed:  # closes the env
        for env, step in replayed:
            if step is not None:
                _check_step(env, step, frames, image_size, max_frames)
            else:
                frames.start = png(env.render(), image_size)
            _check_observation(env, record.steps, frames, image_size)


def _check_step(env: Any, step: StepRecord, frames: Frames, image_size: int, max_frames: int) -> None:
    """After a replayed step: the env must judge it as the record says; keep the board if it moved."""
    index = frames.steps_done
    accepted = (env.infos.get(step.player) or {}).get("rejection") is None
    if accepted != step.accepted:
        raise _Diverged(f"at step {index + 1} the replayed game {'accepts' if accepted else 'rejects'} "
                        f"the action that the record says it {'rejected' if accepted else 'accepted'}.")
    if accepted:
        if len(frames.after) >= max_frames:
            raise _Diverged(f"this page shows the boards of the first {max_frames} moves only.")
        frames.after[index] = png(env.render(), image_size)
    frames.steps_done = index + 1


def _check_observation(env: Any, steps: Sequence[StepRecord], frames: Frames, image_size: int) -> None:
    """The player to move next must see what the record says it saw; else the replay went another way.
    Where the player was given an image, keep it: the transcript shows what the model received."""
    index = frames.steps_done
    if index >= len(steps) or not env.agents or env.agent_selection != steps[index].player:
        return  # the replay itself reports a wrong player to move; nobody to check at the end
    player = env.agent_selection
    observation = env.observe(player)
    if str(observation.get("text", "")) != steps[index].observation:
        raise _Diverged(f"at step {index + 1} the replayed game shows {player!r} another position than the "
                        "record (an unseeded game of chance, or another version of the game?).")
    if observation.get("image") is not None and len(frames.seen) < MAX_FRAMES:
        frames.seen[index] = png(observation["image"], image_size)


def png(frame: Any, image_size: int = IMAGE_SIZE) -> bytes:
    """An RGB array as PNG bytes, no side longer than ``image_size``."""
    import numpy as np
    from PIL import Image

    array = np.asarray(frame)
    if array.ndim != 3 or array.shape[2] not in (3, 4):
        raise ValueError(f"render() gave no RGB image (got shape {array.shape})")
    image = Image.fromarray(array.astype(np.uint8))
    image.thumbnail((image_size, image_size))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=3)  # 2x faster than the default, 15% larger
    return buffer.getvalue()


def _describe(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text[:300]}" if text else type(error).__name__


# ------------------------------------------------------------------------------------- decisions


_FAILED = (Verdict.REJECTED, Verdict.UNPARSED, Verdict.ERROR)


@dataclass(frozen=True)
class _Trace:
    """What the fold of a step's decision says on its summary line."""

    summary: str
    attempts: tuple[Attempt, ...]


def trace(step: StepRecord) -> _Trace:
    attempts = step.attempts
    failed = sum(a.verdict in _FAILED for a in attempts)
    prompt_tokens = sum(a.prompt_tokens for a in attempts)
    completion_tokens = sum(a.completion_tokens for a in attempts)
    latency = sum(a.latency_s for a in attempts)
    summary = f"Decision trace: {plural(len(attempts), 'attempt')}"
    if failed:
        summary += f", {failed} failed"
    if prompt_tokens or completion_tokens:
        summary += f" \u00b7 {prompt_tokens:,} + {completion_tokens:,} tokens"
    if latency:
        summary += f" \u00b7 {latency:.2f} s"
    return _Trace(summary, attempts)


_ATTEMPT_FIELDS = ("parsed", "legal", "prompt_tokens", "completion_tokens", "reasoning_tokens", "latency_s",
                   "cost_usd")


def attempt_rows(attempt: Attempt) -> list[tuple[str, Any]]:
    """The attempt's short fields worth a row: empty text, None and zero counts (no model was called) are left
    out; False is shown, and an output that could not be parsed says so."""
    rows = [(name, getattr(attempt, name)) for name in _ATTEMPT_FIELDS if _worth_showing(getattr(attempt, name))]
    if attempt.verdict is Verdict.UNPARSED:
        rows.insert(0, ("parsed", "(could not parse)"))
    if attempt.error_kind:
        rows.append(("error_kind", attempt.error_kind))
    return rows


def _worth_showing(value: Any) -> bool:
    if isinstance(value, bool):
        return True
    return value not in ("", None) and not (isinstance(value, (int, float)) and value == 0)


def message_text(message: Mapping[str, Any]) -> str:
    """A prompt message's content as text: multimodal content parts as data, images left out."""
    content = message.get("content", "")
    return content if isinstance(content, str) else json.dumps(content, ensure_ascii=False, default=str)


def attempt_html(number_: int, attempt: Attempt | Mapping[str, Any]) -> str:
    """One attempt: what came back, what was made of it, its costs, its prompt in a fold."""
    if not isinstance(attempt, Attempt):
        attempt = Attempt.from_dict(attempt)
    return str(templates().get_template("parts.html").module.attempt(number_, attempt, _helpers()))


@functools.lru_cache(maxsize=1)
def _helpers() -> dict[str, Any]:
    """The Python the templates call: everything that computes rather than lays out."""
    return {"trace": trace, "attempt_rows": attempt_rows, "message_text": message_text, "tiles": feedback_rows,
            "failed": lambda attempt: attempt.verdict in _FAILED}


_FEEDBACK = re.compile(r"(?:(?<=\s)|^)((?:\S<(?:green|yellow|red)>\s*){2,})", re.MULTILINE)
_MARK = re.compile(r"(\S)<(green|yellow|red)>")


def feedback_rows(text: str) -> list[list[tuple[str, str]]]:
    """Wordle's letter feedback (``p<yellow> a<green> ...``) as rows of (letter, colour); [] where there is none."""
    return [[(letter.upper(), colour) for letter, colour in _MARK.findall(found)] for found in _FEEDBACK.findall(text)]


def feedback_tiles(text: str) -> str:
    """Wordle's letter feedback as rows of coloured tiles (HTML); "" where there is none."""
    rows = feedback_rows(text)
    return str(templates().get_template("parts.html").module.tiles(rows)) if rows else ""


# ---------------------------------------------------------------------------------- episode page


def episode_html(record: EpisodeRecord | Mapping[str, Any], *, images: bool = True,
                 image_size: int = IMAGE_SIZE) -> str:
    """The transcript page of one episode (a record, or its ``to_dict()``) as a self-contained HTML string.
    Data that is no record gets a page saying why."""
    try:
        record = as_record(record)
    except RecordError as error:
        return _render("unreadable.html", problem=str(error))
    kind = game_kind(record.game)
    frames = None
    if kind == "dialogue":
        if images and "image" in str(record.game_kwargs.get("observation_mode", "")):
            frames = board_frames(record, image_size)
    elif kind is None:
        frames = Frames(note=f"No board images: {record.game!r} is not a registered game here.")
    elif images:
        frames = board_frames(record, image_size)
    return _render(
        "episode.html", record=record, dialogue=kind == "dialogue", frames=frames or Frames(),
        facts=_facts(record), movetext=_movetext(record.pgn), seats=_seats(record), helpers=_helpers(),
        outcome_seats=_outcome_seats(record),
    )


def _facts(record: EpisodeRecord) -> str:
    facts = [f"seed {record.seed}", f"{len(record.steps)} steps", f"{record.seconds:.1f} s"]
    if record.episode_id:
        facts.insert(0, f"episode {record.episode_id}")
    return " \u00b7 ".join(facts)


def _movetext(pgn: str) -> str:
    """Chess: the moves of the PGN on one line, without its tag pairs."""
    return " ".join(line for line in pgn.splitlines() if line.strip() and not line.startswith("["))


def _outcome_seats(record: EpisodeRecord) -> list[str]:
    """The players with an outcome, in seat order (anyone the record names only there, last)."""
    players = record.players
    return [p for p in players if p in record.outcomes] + [p for p in record.outcomes if p not in players]


def _seats(record: EpisodeRecord) -> dict[str, str]:
    """Each player's side in the dialogue layout: even seats on the left, odd ones on the right."""
    return {player: "seat-even" if i % 2 == 0 else "seat-odd" for i, player in enumerate(record.players)}


# ------------------------------------------------------------------------------------ index page


@dataclass(frozen=True)
class _Entry:
    folder: Path  # the episode's folder, relative to the run folder
    record: EpisodeRecord | None
    error: str = ""


@dataclass(frozen=True)
class _Row:
    """One episode's line in the index."""

    href: str
    name: str
    record: EpisodeRecord
    kinds: str  # CSS classes of its outcomes, for the filters
    order: str  # CSS variables for the sorts


@dataclass(frozen=True)
class _Section:
    """One game's episodes."""

    key: str  # a prefix for the radio buttons' ids
    game: str
    tally: list[str]
    shown: list[str]  # the outcomes to filter by
    rows: list[_Row]


def index_html(run_folder: str | os.PathLike[str]) -> str:
    """The index page of a run: every episode under ``run_folder``, by game, linked to its transcript."""
    run = Path(run_folder)
    entries = list(_entries(run))
    games: dict[str, list[_Entry]] = {}
    for entry in entries:
        if entry.record is not None:
            games.setdefault(entry.record.game or "?", []).append(entry)
    sections = [_section(i, game, [(e.folder, e.record) for e in games[game] if e.record], run)
                for i, game in enumerate(sorted(games))]
    broken = [e for e in entries if e.record is None]
    return _render(
        "index.html", run=run.resolve().name, sections=sections, summary=[_summary(g, games[g]) for g in sorted(games)],
        broken=broken, empty=not entries, done=len(entries) - len(broken), EPISODE_FILE=EPISODE_FILE,
        sorts=_SORTS,
    )


def _entries(run: Path) -> Iterable[_Entry]:
    for path in sorted(run.rglob(EPISODE_FILE), key=lambda p: _natural(p.relative_to(run).as_posix())):
        folder = path.parent.relative_to(run)
        try:
            data = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError) as error:
            yield _Entry(folder, None, _describe(error))
            continue
        try:
            yield _Entry(folder, EpisodeRecord.from_dict(data))
        except RecordError as error:
            yield _Entry(folder, None, str(error))


def _section(number_: int, game: str, episodes: Sequence[tuple[Path, EpisodeRecord]], run: Path) -> _Section:
    records = [record for _, record in episodes]
    seen = {str(o) for r in records for o in r.outcomes.values()}
    return _Section(f"g{number_}", game, _tally(records), [o for o in _FILTERS if o in seen],
                    [_row(folder, record, run) for folder, record in episodes])


def _row(folder: Path, record: EpisodeRecord, run: Path) -> _Row:
    target = folder / (TRANSCRIPT_FILE if (run / folder / TRANSCRIPT_FILE).exists() else EPISODE_FILE)
    name = folder.parts[1:] if len(folder.parts) > 2 else folder.parts  # the game is the heading
    kinds = " ".join(f"o-{o}" for o in sorted({str(v) for v in record.outcomes.values()}) if o in _FILTERS)
    best = max(record.rewards.values(), default=0.0)
    order = f"--steps: {len(record.steps)}; --reward: {round(best * 1000) if math.isfinite(best) else 0}"
    return _Row(quote(target.as_posix()), "/".join(name), record, kinds, order)


def _summary(game: str, entries: Sequence[_Entry]) -> list[str]:
    """One line of the summary table: episodes, outcomes, the share played to the end, quality and errors."""
    records = [e.record for e in entries if e.record]
    outcomes: dict[str, int] = {}
    for record in records:
        for outcome in record.outcomes.values():
            outcomes[str(outcome)] = outcomes.get(str(outcome), 0) + 1
    played = sum(r.end_reason in (EndReason.GAME_OVER, EndReason.MAX_TURNS) for r in records)
    errors = sum(r.end_reason is EndReason.ERROR or r.is_error for r in records)
    main = [float(m) for r in records if isinstance(m := r.scores.get(MAIN_SCORE), (int, float))
            and not isinstance(m, bool) and math.isfinite(m)]
    steps = [s for r in records for s in r.steps]
    rejected = sum(not s.accepted for s in steps)
    return [game, str(len(records)), ", ".join(f"{n} {o}" for o, n in sorted(outcomes.items())),
            f"{100 * played / max(1, len(records)):.0f}%", f"{sum(main) / len(main):.1f}" if main else "-",
            f"{rejected / len(steps):.3f}" if steps else "-", str(errors)]


def _tally(records: Sequence[EpisodeRecord]) -> list[str]:
    """Outcomes per agent over the game's episodes, e.g. ``random: 3 win, 1 draw``."""
    counts: dict[str, dict[str, int]] = {}
    for record in records:
        for player, outcome in record.outcomes.items():
            agent = counts.setdefault(record.agents.get(player, player), {})
            agent[str(outcome)] = agent.get(str(outcome), 0) + 1
    return [f"{short(agent, 80)}: " + ", ".join(f"{n} {o}" for o, n in sorted(c.items()))
            for agent, c in sorted(counts.items())]


def _natural(text: str) -> list[Any]:
    """Sort key in which "ep10" comes after "ep9"."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


# ---------------------------------------------------------------------------------------- writing


def write_episode_html(record: EpisodeRecord | Mapping[str, Any], folder: str | os.PathLike[str], *,
                       images: bool = True) -> Path:
    """Write ``<folder>/transcript.html`` for ``record`` (atomically) and return its path."""
    return atomic_write(Path(folder) / TRANSCRIPT_FILE, episode_html(record, images=images))


def write_index_html(run_folder: str | os.PathLike[str]) -> Path:
    """Write ``<run_folder>/index.html`` listing every episode of the run (atomically); return its path."""
    return atomic_write(Path(run_folder) / INDEX_FILE, index_html(run_folder))
