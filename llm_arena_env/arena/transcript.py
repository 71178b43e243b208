"""HTML transcripts: a page per episode and an index page per run, readable offline in any browser.

>>> write_episode_html(record.to_dict(), "results/run/chess/random-vs-random/0000")  # -> .../transcript.html
>>> write_index_html("results/run")                                                  # -> results/run/index.html

Dialogue games show chat bubbles, players left and right and the game master's messages between them.
Board and grid games show the board after every move: records hold no images, so the episode is played
again from its game id, make kwargs, seed, options and recorded actions, and each frame is embedded as a
PNG data URL (no image, with a note, where the replay fails or stops matching the record). Every model
output, retry, parse, vote, token count and latency sits in a fold under its step.

Everything a model or an env wrote is shown as text: escaped with ``html.escape`` (attributes included),
control characters made visible, huge fields cut with a note. Pages carry a Content-Security-Policy that
allows no script and no network, so even a slip in escaping could not run or fetch anything.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import html
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

from llm_arena_env.arena.episode import ReplayError, replay
from llm_arena_env.arena.files import atomic_write

EPISODE_FILE = "episode.json"
TRANSCRIPT_FILE = "transcript.html"
INDEX_FILE = "index.html"
IMAGE_SIZE = 256  # pixels: boards stay legible, a 300-move game stays a few MB
MAX_FRAMES = 1000  # board images per page; longer games say where the images stop
MAX_FIELD_CHARS = 20_000  # longest text shown whole; longer fields are cut with a visible note

# No script, no network: images only from data: URLs, styles only from the page itself.
_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
_OUTCOME_CLASSES = frozenset({"win", "loss", "draw", "aborted", "success", "failure", "error"})
# C0 controls (but tab, newline and carriage return), DEL and lone surrogates: shown as visible symbols.
_INVISIBLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


# ------------------------------------------------------------------------------------------- text


def _visible(char: re.Match[str]) -> str:
    code = ord(char.group())
    if code == 0x7F:
        return "\u2421"  # SYMBOL FOR DELETE
    if code < 0x20:
        return chr(0x2400 + code)  # the Control Pictures block: NUL -> U+2400, ...
    return "\ufffd"  # a lone surrogate cannot be written as UTF-8


def esc(value: Any) -> str:
    """``value`` as HTML text, safe in element content and in quoted attributes alike."""
    return html.escape(_INVISIBLE.sub(_visible, str(value)), quote=True)


def clip(text: str, limit: int = MAX_FIELD_CHARS) -> tuple[str, str]:
    """``text`` cut to ``limit`` characters, and a note saying so ("" where nothing was cut)."""
    if len(text) <= limit:
        return text, ""
    return text[:limit], f"truncated: showing the first {limit:,} of {len(text):,} characters"


def text_block(value: Any, limit: int = MAX_FIELD_CHARS) -> str:
    """A preformatted block of ``value`` as literal text, cut with a visible note where it is huge."""
    shown, note = clip(str(value), limit)
    block = f'<pre class="text">{esc(shown)}</pre>'
    return block + (f'<p class="truncated">{esc(note)}</p>' if note else "")


def short(value: Any, limit: int = 160) -> str:
    """``value`` on one line and at most ``limit`` characters, escaped: for tables and headings."""
    text = " ".join(str(value).split())
    return esc(text if len(text) <= limit else text[: limit - 1] + "\u2026")


def number(value: Any) -> str:
    """A number as people read it (NaN stays NaN); anything else as text."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return str(value).replace("nan", "NaN")
        return f"{value:.4g}" if abs(value) < 1e6 else f"{value:.3e}"
    return str(value)


def badge(label: Any, kind: str = "") -> str:
    kind = kind if kind in _OUTCOME_CLASSES | {"accepted", "rejected", "failed"} else ""
    return f'<span class="badge {kind}">{esc(label)}</span>'


def outcome_badge(outcome: Any) -> str:
    text = str(outcome)
    return badge(text, text if text in _OUTCOME_CLASSES else "")


def fold(summary: str, body: str, *, css: str = "") -> str:
    """A ``<details>`` fold; ``summary`` and ``body`` are HTML already escaped by the caller."""
    return f'<details class="{css}"><summary>{summary}</summary>{body}</details>'


def key_value_table(rows: Iterable[tuple[str, Any]], css: str = "fields") -> str:
    cells = "".join(f"<tr><td>{short(k, 500)}</td><td>{short(number(v), 500)}</td></tr>" for k, v in rows)
    return f'<table class="{css}">{cells}</table>' if cells else ""


# ----------------------------------------------------------------------------------------- record


def players_of(record: Mapping[str, Any]) -> list[str]:
    """The players in seat order: the record's agents, then anyone else who acted."""
    players = [str(p) for p in mapping(record, "agents")]
    for step in steps_of(record):
        if str(step.get("player")) not in players:
            players.append(str(step.get("player")))
    return players


def steps_of(record: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    steps = record.get("steps")
    return [s for s in steps if isinstance(s, Mapping)] if isinstance(steps, list) else []


def mapping(record: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """``record[key]`` where it is a mapping, else empty: a hand-edited file must not break its page."""
    value = record.get(key)
    return value if isinstance(value, Mapping) else {}


def attempts_of(step: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    attempts = mapping(step, "decision").get("attempts")
    return [a for a in attempts if isinstance(a, Mapping)] if isinstance(attempts, list) else []


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


def board_frames(record: Mapping[str, Any], image_size: int = IMAGE_SIZE, max_frames: int = MAX_FRAMES) -> Frames:
    """Play the episode again with ``render_mode="rgb_array"`` and keep a PNG after every accepted step.

    Never raises: where the game cannot be made, or the replay stops matching the record (an unseeded
    game of chance, another version of the game), the images stop there and ``note`` says why."""
    frames = Frames()
    kwargs = {**mapping(record, "game_kwargs"), "render_mode": "rgb_array"}
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
        frames.note = (f"No board images: the game {record.get('game')!r} could not be played again"
                       if frames.start is None else "Board images stop here: replaying the game failed")
        frames.note += f" ({_describe(error)})."
    return frames


def _collect(record: Mapping[str, Any], kwargs: dict[str, Any], frames: Frames, image_size: int,
             max_frames: int) -> None:
    steps = steps_of(record)
    with contextlib.closing(replay({**record, "game_kwargs": kwargs})) as replayed:  # closes the env
        for env, step in replayed:
            if step is not None:
                _check_step(env, step, frames, image_size, max_frames)
            else:
                frames.start = png(env.render(), image_size)
            _check_observation(env, steps, frames, image_size)


def _check_step(env: Any, step: Mapping[str, Any], frames: Frames, image_size: int, max_frames: int) -> None:
    """After a replayed step: the env must judge it as the record says; keep the board if it moved."""
    index, player = frames.steps_done, step.get("player")
    accepted = (env.infos.get(player) or {}).get("rejection") is None
    if accepted != bool(step.get("accepted", True)):
        raise _Diverged(f"at step {index + 1} the replayed game {'accepts' if accepted else 'rejects'} "
                        f"the action that the record says it {'rejected' if accepted else 'accepted'}.")
    if accepted:
        if len(frames.after) >= max_frames:
            raise _Diverged(f"this page shows the boards of the first {max_frames} moves only.")
        frames.after[index] = png(env.render(), image_size)
    frames.steps_done = index + 1


def _check_observation(env: Any, steps: Sequence[Mapping[str, Any]], frames: Frames, image_size: int) -> None:
    """The player to move next must see what the record says it saw; else the replay went another way.
    Where the player was given an image, keep it: the transcript shows what the model received."""
    index = frames.steps_done
    if index >= len(steps) or not env.agents or env.agent_selection != steps[index].get("player"):
        return  # the replay itself reports a wrong player to move; nobody to check at the end
    player = env.agent_selection
    observation = env.observe(player)
    if str(observation.get("text", "")) != str(steps[index].get("observation", "")):
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


def image_tag(data: bytes, alt: str) -> str:
    encoded = base64.b64encode(data).decode("ascii")
    return f'<img src="data:image/png;base64,{encoded}" alt="{esc(alt)}" width="{IMAGE_SIZE}">'


# ------------------------------------------------------------------------------------- decisions


def decision_fold(step: Mapping[str, Any]) -> str:
    """Every attempt behind the step's action, in a fold: raw output, parse, legality, votes, costs."""
    attempts = attempts_of(step)
    failed = sum(1 for a in attempts if _failed(a))
    prompt_tokens = sum(_int(a.get("prompt_tokens")) for a in attempts)
    completion_tokens = sum(_int(a.get("completion_tokens")) for a in attempts)
    latency = sum(_float(a.get("latency_s")) for a in attempts)
    summary = f"Decision trace: {_plural(len(attempts), 'attempt')}"
    if failed:
        summary += f", {failed} failed"
    if prompt_tokens or completion_tokens:
        summary += f" \u00b7 {prompt_tokens:,} + {completion_tokens:,} tokens"
    if latency:
        summary += f" \u00b7 {latency:.2f} s"
    body = "".join(attempt_html(i + 1, a) for i, a in enumerate(attempts))
    body = body or '<p class="note">No attempts recorded.</p>'
    return fold(esc(summary), body, css="trace")


_ATTEMPT_FIELDS = ("parsed", "legal", "prompt_tokens", "completion_tokens", "reasoning_tokens", "tokens", "latency_s",
                   "cost_usd")
_ATTEMPT_TEXTS = ("raw_output", "reason", "feedback", "error")
_ATTEMPT_OTHERS = ("reasoning", "votes", "prompt")


def attempt_html(number_: int, attempt: Mapping[str, Any]) -> str:
    status = badge("failed", "failed") if _failed(attempt) else badge("ok", "accepted")
    rows = [(k, attempt[k]) for k in _ATTEMPT_FIELDS if _worth_showing(attempt.get(k))]
    if "parsed" in attempt and attempt["parsed"] is None:
        rows.insert(0, ("parsed", "(could not parse)"))
    known = _ATTEMPT_FIELDS + _ATTEMPT_TEXTS + _ATTEMPT_OTHERS
    rows += [(k, v if isinstance(v, str) else _json(v)) for k, v in attempt.items() if k not in known]
    parts = [f"<h4>Attempt {number_} {status}</h4>", key_value_table(rows)]
    for key in _ATTEMPT_TEXTS:
        if key == "raw_output" or attempt.get(key):
            parts.append(f'<div class="role">{esc(key.replace("_", " "))}</div>{text_block(attempt.get(key, ""))}')
    if attempt.get("reasoning"):
        spent = _float(attempt.get("reasoning_tokens"))
        title = f"reasoning ({spent:,.0f} tokens)" if spent else "reasoning"
        parts.append(fold(esc(title), text_block(attempt["reasoning"])))
    votes = attempt.get("votes")
    if isinstance(votes, Mapping) and votes:
        ranked = sorted(votes.items(), key=lambda kv: -_float(kv[1]))
        parts.append('<div class="role">votes</div>' + key_value_table(ranked, css="votes"))
    prompt = attempt.get("prompt")
    if isinstance(prompt, Sequence) and not isinstance(prompt, str) and prompt:
        parts.append(fold(esc(f"prompt sent ({_plural(len(prompt), 'message')})"),
                          "".join(_message_html(m) for m in prompt)))
    return f'<div class="attempt">{"".join(parts)}</div>'


def _worth_showing(value: Any) -> bool:
    """Empty text, None and zero counts (no model was called) are left out; False is shown."""
    if isinstance(value, bool):
        return True
    return value not in ("", None) and not (isinstance(value, (int, float)) and value == 0)


def _message_html(message: Any) -> str:
    if not isinstance(message, Mapping):
        return text_block(message)
    content = message.get("content", "")
    if not isinstance(content, str):  # multimodal content parts: show them as data, images left out
        content = json.dumps(content, ensure_ascii=False, default=str)
    return f'<div class="role">{short(message.get("role", ""), 80)}</div>{text_block(content)}'


def _failed(attempt: Mapping[str, Any]) -> bool:
    return attempt.get("legal") is False or attempt.get("parsed", "") is None or bool(attempt.get("error"))


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _float(value: Any) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0.0


# ---------------------------------------------------------------------------------- episode page


def episode_html(record: Mapping[str, Any], *, images: bool = True, image_size: int = IMAGE_SIZE) -> str:
    """The transcript page of one episode (``EpisodeRecord.to_dict()``) as a self-contained HTML string."""
    game = str(record.get("game", "?"))
    kind = game_kind(game)
    if kind == "dialogue":
        frames = board_frames(record, image_size) if images and _sees_images(record) else None
        body = dialogue_html(record, frames)
    else:
        frames = board_frames(record, image_size) if images and kind else None
        if kind is None:
            frames = Frames(note=f"No board images: {game!r} is not a registered game here.")
        body = pgn_html(record) + moves_html(record, frames)
    title = f"{game} \u00b7 {record.get('episode_id') or 'episode'}"
    return page(title, header_html(record) + f"<main>{body}{ending_html(record)}</main>")


def _sees_images(record: Mapping[str, Any]) -> bool:
    return "image" in str(mapping(record, "game_kwargs").get("observation_mode", ""))


def header_html(record: Mapping[str, Any]) -> str:
    facts = [f"seed {record.get('seed')}", f"{len(steps_of(record))} steps"]
    if isinstance(record.get("seconds"), (int, float)):
        facts.append(f"{record['seconds']:.1f} s")
    if record.get("episode_id"):
        facts.insert(0, f"episode {record['episode_id']}")
    agents, outcomes, rewards = (mapping(record, k) for k in ("agents", "outcomes", "rewards"))
    rows = "".join(
        f"<tr><td>{esc(p)}</td><td>{short(agents.get(p, '?'))}</td><td>{outcome_badge(outcomes.get(p, '?'))}</td>"
        f'<td class="num">{esc(number(rewards.get(p, "")))}</td></tr>'
        for p in players_of(record)
    )
    players = f"<table><tr><th>player</th><th>agent</th><th>outcome</th><th>reward</th></tr>{rows}</table>"
    extras = []
    for key, label in (("game_kwargs", "game arguments"), ("options", "reset options"), ("scores", "scores")):
        value = record.get(key)
        if isinstance(value, Mapping) and value:
            shown = key_value_table(value.items()) if key == "scores" else text_block(_json(value))
            extras.append(fold(esc(label), shown))
    return (f"<header><h1>{esc(record.get('game', '?'))}</h1><p class=\"meta\">{esc(' · '.join(facts))}</p>"
            f"{players}{''.join(extras)}</header>")


def ending_html(record: Mapping[str, Any]) -> str:
    outcomes = mapping(record, "outcomes")
    seats = [p for p in players_of(record) if p in outcomes] + [p for p in outcomes if p not in players_of(record)]
    who = " ".join(f"{esc(p)} {outcome_badge(outcomes[p])}" for p in seats) or esc("no outcome recorded")
    reason = esc(record.get("end_reason") or "?")
    detail = record.get("end_detail") or ""
    error = mapping(record, "error")
    if error:  # a transport failure: say plainly that no one lost, and what failed
        return (f'<section class="ending error"><strong>Not played to the end:</strong> the model call of '
                f'{esc(error.get("agent", "?"))} ({esc(error.get("player", "?"))}) failed '
                f'({esc(error.get("kind", "?"))}). {who}<br>This episode is not scored; a re-run plays it again.'
                + text_block(str(error.get("message", "")), 2_000) + "</section>")
    return (f'<section class="ending"><strong>End:</strong> {reason} {who}'
            + (text_block(detail, 2_000) if detail else "") + "</section>")


def pgn_html(record: Mapping[str, Any]) -> str:
    """Chess: the moves in one compact line (the PGN's movetext) and the whole PGN in a fold."""
    pgn = str(record.get("pgn") or "")
    if not pgn.strip():
        return ""
    movetext = " ".join(line for line in pgn.splitlines() if line.strip() and not line.startswith("["))
    return (f'<section class="pgn"><p><strong>Moves:</strong> <span class="movetext">{short(movetext, 20_000)}</span></p>'
            f"{fold('PGN', text_block(pgn))}</section>")


def moves_html(record: Mapping[str, Any], frames: Frames | None) -> str:
    """Board and grid games: one card per step, with the board after each accepted move."""
    frames = frames or Frames()
    steps = steps_of(record)
    warning = f'<p class="warning">{esc(frames.note)}</p>' if frames.note else ""
    cards = []
    if frames.start:
        cards.append(f'<section class="move"><figure>{image_tag(frames.start, "the board at the start")}'
                     '<figcaption>start</figcaption></figure><div class="body"><h3>Start</h3></div></section>')
    for index, step in enumerate(steps):
        if index == frames.steps_done:
            cards.append(warning)
        cards.append(_move_card(record, index, step, frames.after.get(index), frames.seen.get(index)))
    if frames.steps_done >= len(steps):
        cards.append(warning)
    return f'<div class="moves">{"".join(cards)}</div>'


def _move_card(record: Mapping[str, Any], index: int, step: Mapping[str, Any], image: bytes | None,
               seen: bytes | None = None) -> str:
    player = str(step.get("player", "?"))
    agent = mapping(record, "agents").get(player, "?")
    accepted = bool(step.get("accepted", True))
    figure = ""
    if image is not None:
        alt = f"the board after {player} played {str(step.get('action', ''))[:200]}"
        figure = f"<figure>{image_tag(image, alt)}<figcaption>after step {index + 1}</figcaption></figure>"
    verdict = badge("accepted", "accepted") if accepted else badge("rejected", "rejected")
    rejection = "" if accepted else f"<p><strong>Rejected:</strong> {short(step.get('rejection', ''), 2_000)}</p>"
    return (
        f'<section class="move{"" if accepted else " rejected"}" id="step-{index + 1}">{figure}<div class="body">'
        f'<h3>Step {index + 1} \u00b7 {esc(player)} <span class="meta">({short(agent, 80)})</span></h3>'
        f'<p><span class="action">{short(step.get("action", ""), 500)}</span> {verdict}</p>{rejection}'
        f"{fold(esc(f'what {player} saw'), _seen_image(seen, player) + text_block(step.get('observation', '')))}"
        f"{decision_fold(step)}</div></section>"
    )


def _seen_image(seen: bytes | None, player: str) -> str:
    if seen is None:
        return ""
    return f'<figure class="seen">{image_tag(seen, f"the image {player} was given")}<figcaption>the image {esc(player)} was given</figcaption></figure>'


def dialogue_html(record: Mapping[str, Any], frames: Frames | None = None) -> str:
    """Dialogue games: the game master's messages in the middle, each player's replies on its side, with the
    images the players were given (image observation modes) and wordle's feedback as coloured tiles."""
    agents = mapping(record, "agents")
    frames = frames or Frames()
    warning = f'<p class="warning">{esc(frames.note)}</p>' if frames.note else ""
    seats = {p: i for i, p in enumerate(players_of(record))}
    rows = []
    for index, step in enumerate(steps_of(record)):
        player = str(step.get("player", "?"))
        seat = "seat-even" if seats.get(player, 0) % 2 == 0 else "seat-odd"
        side = "left" if seat == "seat-even" else "right"
        rows.append(
            f'<div class="row centre" id="step-{index + 1}"><div class="bubble gm">'
            f'<div class="who">Game master \u2192 {esc(player)}</div>{_seen_image(frames.seen.get(index), player)}'
            f'{feedback_tiles(str(step.get("observation", "")))}{text_block(step.get("observation", ""))}</div></div>'
        )
        accepted = bool(step.get("accepted", True))
        rejection = "" if accepted else (
            f"<p>{badge('rejected', 'rejected')} {short(step.get('rejection', ''), 2_000)}</p>")
        rows.append(
            f'<div class="row {side}"><div class="bubble {seat}{"" if accepted else " rejected"}">'
            f"<div class=\"who\">{esc(player)} ({short(agents.get(player, '?'), 80)}) \u00b7 step {index + 1}</div>"
            f'{text_block(step.get("action", ""))}{rejection}{decision_fold(step)}</div></div>'
        )
    return f'<div class="chat">{warning}{"".join(rows)}</div>'


_FEEDBACK = re.compile(r"(?:(?<=\s)|^)((?:\S<(?:green|yellow|red)>\s*){2,})", re.MULTILINE)
_MARK = re.compile(r"(\S)<(green|yellow|red)>")


def feedback_tiles(text: str) -> str:
    """Wordle's letter feedback (``p<yellow> a<green> ...``) as rows of coloured tiles; "" where there is none."""
    rows = [
        '<div class="tiles">' + "".join(f'<span class="tile {colour}">{esc(letter.upper())}</span>'
                                        for letter, colour in _MARK.findall(found)) + "</div>"
        for found in _FEEDBACK.findall(text)
    ]
    return "".join(rows)


def page(title: str, body: str) -> str:
    """A whole HTML document: the stylesheet inlined, no script, nothing fetched from anywhere."""
    from llm_arena_env import __version__

    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{stylesheet()}</style></head>"
        f"<body>{body}<footer>Written by llm-arena-env {esc(__version__)}.</footer></body></html>\n"
    )


@functools.lru_cache(maxsize=1)
def stylesheet() -> str:
    return importlib.resources.files("llm_arena_env.arena").joinpath("templates/transcript.css").read_text("utf-8")


def _json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


# ------------------------------------------------------------------------------------ index page


@dataclass(frozen=True)
class _Entry:
    folder: Path  # the episode's folder, relative to the run folder
    record: Mapping[str, Any] | None
    error: str = ""


def index_html(run_folder: str | os.PathLike[str]) -> str:
    """The index page of a run: every episode under ``run_folder``, by game, linked to its transcript."""
    run = Path(run_folder)
    entries = list(_entries(run))
    games: dict[str, list[_Entry]] = {}
    for entry in entries:
        if entry.record is not None:
            games.setdefault(str(entry.record.get("game", "?")), []).append(entry)
    sections = [_summary(games)] if games else []
    sections += [_game_section(i, game, games[game], run) for i, game in enumerate(sorted(games))]
    broken = [e for e in entries if e.record is None]
    if broken:
        items = "".join(f"<li>{esc(e.folder.as_posix())}: {esc(e.error)}</li>" for e in broken)
        sections.append(f'<h2>Unreadable episodes</h2><ul class="warning">{items}</ul>')
    if not entries:
        sections.append(f'<p class="note">No {EPISODE_FILE} under this folder yet.</p>')
    done = len(entries) - len(broken)
    header = (f"<header><h1>Run {esc(run.resolve().name)}</h1><p class=\"meta\">"
              f"{_plural(done, 'episode')} in {_plural(len(games), 'game')}</p></header>")
    return page(f"run {run.resolve().name}", f"{header}<main>{''.join(sections)}</main>")


def _entries(run: Path) -> Iterable[_Entry]:
    for path in sorted(run.rglob(EPISODE_FILE), key=lambda p: _natural(p.relative_to(run).as_posix())):
        folder = path.parent.relative_to(run)
        try:
            record = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError) as error:
            yield _Entry(folder, None, _describe(error))
            continue
        if isinstance(record, Mapping):
            yield _Entry(folder, record)
        else:
            yield _Entry(folder, None, "not an episode record (a JSON object)")


_FILTERS = ("win", "loss", "draw", "success", "failure", "aborted", "error")
_SORTS = (("first", "in order", ""), ("steps-up", "fewest steps", "var(--steps)"),
          ("steps-down", "most steps", "calc(-1 * var(--steps))"), ("reward-down", "best reward", "calc(-1 * var(--reward))"))


def _game_section(number_: int, game: str, entries: Sequence[_Entry], run: Path) -> str:
    """One game's episodes, sortable and filterable with radio buttons and CSS alone (the page has no script)."""
    key = f"g{number_}"
    controls = ['<span class="meta">sort:</span>']
    controls += [f'<input type="radio" name="{key}-sort" id="{key}-{s}" class="sort-{s}"{" checked" if s == "first" else ""}>'
                 f'<label for="{key}-{s}">{esc(label)}</label>' for s, label, _ in _SORTS]
    controls.append('<span class="meta gap">show:</span>')
    shown = [o for o in _FILTERS if any(o in mapping(e.record or {}, "outcomes").values() for e in entries)]
    controls += [f'<input type="radio" name="{key}-show" id="{key}-{o}" class="only-{o}"{" checked" if o == "all" else ""}>'
                 f'<label for="{key}-{o}">{esc(o)}</label>' for o in ("all", *shown)]
    head = ('<div class="row head"><span>episode</span><span>players</span><span>outcomes</span><span>end</span>'
            '<span class="num">steps</span><span class="num">seed</span></div>')
    rows = [_index_row(entry, run) for entry in entries]
    # the radio buttons must be siblings of the rows: the stylesheet sorts and filters with "input:checked ~"
    listing = f'{"".join(controls)}<div class="rows">{head}{"".join(rows)}</div>'
    many = len(entries) > 50  # a long list starts folded, so the summary and other games stay in view
    body = fold(f"{_plural(len(entries), 'episode')}", listing) if many else listing
    return f'<section class="game"><h2>{esc(game)}</h2>{_tally(entries)}{body}</section>'


def _index_row(entry: _Entry, run: Path) -> str:
    record = entry.record or {}
    agents, outcomes, rewards = mapping(record, "agents"), mapping(record, "outcomes"), mapping(record, "rewards")
    target = entry.folder / (TRANSCRIPT_FILE if (run / entry.folder / TRANSCRIPT_FILE).exists() else EPISODE_FILE)
    href = quote(target.as_posix())
    seats = players_of(record)
    players = "<br>".join(f"{esc(p)}: {short(agents.get(p, '?'), 80)}" for p in seats)
    results = "<br>".join(f'<span class="nowrap">{esc(p)} {outcome_badge(outcomes[p])}</span>'
                          for p in seats if p in outcomes)
    name = entry.folder.parts[1:] if len(entry.folder.parts) > 2 else entry.folder.parts  # the game is the heading
    ending = short(record.get("end_reason") or "?") + (
        f'<br><span class="meta">{short(record["end_detail"], 120)}</span>' if record.get("end_detail") else "")
    kinds = " ".join(f"o-{o}" for o in sorted({str(v) for v in outcomes.values()}) if o in _FILTERS)
    best = max((_float(v) for v in rewards.values()), default=0.0)
    order = f"--steps: {len(steps_of(record))}; --reward: {round(best * 1000) if math.isfinite(best) else 0}"
    return (
        f'<div class="row {kinds}" style="{esc(order)}"><span><a href="{esc(href)}">{esc("/".join(name))}</a></span>'
        f'<span>{players}</span><span>{results}</span><span>{ending}</span>'
        f'<span class="num">{len(steps_of(record))}</span><span class="num">{esc(record.get("seed"))}</span></div>'
    )


def _summary(games: Mapping[str, Sequence[_Entry]]) -> str:
    """One line per game: episodes, outcomes, the share played to the end, quality and errors."""
    head = ("<tr><th>game</th><th>episodes</th><th>outcomes</th><th>played to the end</th>"
            "<th>mean Main Score</th><th>rejected actions per step</th><th>errors</th></tr>")
    rows = []
    for game in sorted(games):
        records = [e.record or {} for e in games[game]]
        outcomes: dict[str, int] = {}
        for record in records:
            for outcome in mapping(record, "outcomes").values():
                outcomes[str(outcome)] = outcomes.get(str(outcome), 0) + 1
        played = sum(str(r.get("end_reason")) in ("game_over", "max_turns") for r in records)
        errors = sum(str(r.get("end_reason")) == "error" or "error" in map(str, mapping(r, "outcomes").values())
                     for r in records)
        main = [float(m) for r in records if isinstance(m := mapping(r, "scores").get("Main Score"), (int, float))
                and not isinstance(m, bool) and math.isfinite(m)]
        steps = [s for r in records for s in steps_of(r)]
        rejected = sum(not s.get("accepted", True) for s in steps)
        cells = [esc(game), str(len(records)), esc(", ".join(f"{n} {o}" for o, n in sorted(outcomes.items()))),
                 f"{100 * played / max(1, len(records)):.0f}%", f"{sum(main) / len(main):.1f}" if main else "-",
                 f"{rejected / len(steps):.3f}" if steps else "-", str(errors)]
        rows.append("<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>")
    return f'<h2>Summary</h2><table class="summary">{head}{"".join(rows)}</table>'


def _tally(entries: Sequence[_Entry]) -> str:
    """Outcomes per agent over the game's episodes, e.g. ``random: 3 win, 1 draw``."""
    counts: dict[str, dict[str, int]] = {}
    for entry in entries:
        record = entry.record or {}
        agents = mapping(record, "agents")
        for player, outcome in mapping(record, "outcomes").items():
            agent = str(agents.get(player, player))
            counts.setdefault(agent, {}).setdefault(str(outcome), 0)
            counts[agent][str(outcome)] += 1
    lines = [f"{short(agent, 80)}: " + ", ".join(f"{n} {esc(o)}" for o, n in sorted(c.items()))
             for agent, c in sorted(counts.items())]
    return f'<p class="meta">{"<br>".join(lines)}</p>' if lines else ""


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _natural(text: str) -> list[Any]:
    """Sort key in which "ep10" comes after "ep9"."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


# ---------------------------------------------------------------------------------------- writing


def write_episode_html(record: Mapping[str, Any], folder: str | os.PathLike[str], *, images: bool = True) -> Path:
    """Write ``<folder>/transcript.html`` for ``record`` (atomically) and return its path."""
    return atomic_write(Path(folder) / TRANSCRIPT_FILE, episode_html(record, images=images))


def write_index_html(run_folder: str | os.PathLike[str]) -> Path:
    """Write ``<run_folder>/index.html`` listing every episode of the run (atomically); return its path."""
    return atomic_write(Path(run_folder) / INDEX_FILE, index_html(run_folder))


