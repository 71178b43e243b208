"""The leaderboard: ratings and results per player, as a terminal table, CSV, JSON and a PNG plot.

    board = build_leaderboard(episodes, anchors={"random": 0}, bootstrap=1000, seed=0)
    print(format_leaderboard(board))
    write_leaderboard(board, "out/")   # leaderboard.csv, leaderboard.json, leaderboard.png

Players are ranked by their Bradley-Terry rating; Elo is shown beside it. Every output is deterministic:
the same episodes, anchors and seed give the same bytes. The plot is drawn with Pillow alone.
The statistics table of :mod:`arena.stats` is rendered here too (:func:`format_stats`, :func:`stats_csv`).
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
from collections import Counter
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

from llm_arena_env.arena import ratings as rating_methods
from llm_arena_env.arena.files import atomic_write
from llm_arena_env.arena.records import EpisodeRecord, as_record
from llm_arena_env.arena.stats import PlayerStats, Stats, game_of, without_nan
from llm_arena_env.core.outcome import Outcome
from llm_arena_env.text_table import format_table

if TYPE_CHECKING:
    from PIL import Image

CSV_NAME, JSON_NAME, PNG_NAME = "leaderboard.csv", "leaderboard.json", "leaderboard.png"


@dataclass(frozen=True)
class LeaderboardRow:
    rank: int
    player: str
    bt: float  # Bradley-Terry rating
    bt_low: float  # its 95% bootstrap interval (NaN without a bootstrap)
    bt_high: float
    elo: float
    elo_low: float
    elo_high: float
    games: int  # rated matches
    wins: int
    draws: int
    losses: int
    score: float  # (wins + draws / 2) / games
    anchored: bool


@dataclass(frozen=True)
class Leaderboard:
    rows: tuple[LeaderboardRow, ...]  # best first
    games: tuple[str, ...]  # the games the rated episodes come from
    episodes: int  # rated episodes
    anchors: Mapping[str, float] = field(default_factory=dict)
    bootstrap: int = 0
    seed: int = 0
    k: float = rating_methods.DEFAULT_K
    prior_sd: float = rating_methods.DEFAULT_PRIOR_SD
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (NaN as None)."""
        data = {
            "games": list(self.games), "episodes": self.episodes, "anchors": dict(self.anchors),
            "bootstrap": self.bootstrap, "seed": self.seed, "elo_k": self.k, "bt_prior_sd": self.prior_sd,
            "players": [asdict(row) for row in self.rows], "notes": list(self.notes),
        }
        return without_nan(data)


def build_leaderboard(
    episodes: Iterable[EpisodeRecord | Mapping[str, Any]],
    *,
    anchors: Mapping[str, float] | None = None,
    bootstrap: int = 1000,
    seed: int = 0,
    k: float = rating_methods.DEFAULT_K,
    prior_sd: float = rating_methods.DEFAULT_PRIOR_SD,
    progress: bool = False,
) -> Leaderboard:
    """Rate the players of ``episodes`` (episode-record dicts) by Bradley-Terry and Elo.

    Raises ValueError when nothing can be rated or an anchor names no rated player."""
    episodes = [as_record(e) for e in episodes]
    matches, notes = rating_methods.matches_from_episodes(episodes)
    common = dict(anchors=anchors, bootstrap=bootstrap, seed=seed, progress=progress)
    bt = rating_methods.bradley_terry(matches, prior_sd=prior_sd, **common)
    elo = rating_methods.elo(matches, k=k, **common)
    tally = _results(matches)
    rows = []
    for rank, rating in enumerate(bt.players, start=1):
        e = elo[rating.player]
        wins, draws, losses = (tally[rating.player][o] for o in (Outcome.WIN, Outcome.DRAW, Outcome.LOSS))
        games = wins + draws + losses
        rows.append(LeaderboardRow(
            rank, rating.player, rating.rating, rating.low, rating.high, e.rating, e.low, e.high,
            games, wins, draws, losses, (wins + draws / 2) / games, rating.anchored,
        ))
    rated = sorted({m.episode for m in matches})
    games = tuple(sorted({game_of(episodes[i]) for i in rated}))
    return Leaderboard(tuple(rows), games, len(rated), dict(anchors or {}), bootstrap, seed, k, prior_sd,
                       tuple(notes) + bt.notes + elo.notes)


_OPPOSITE = {Outcome.WIN: Outcome.LOSS, Outcome.LOSS: Outcome.WIN, Outcome.DRAW: Outcome.DRAW}


def _results(matches: Sequence[rating_methods.Match]) -> dict[str, Counter[Outcome]]:
    """Each player's wins, draws and losses in ``matches``."""
    tally: dict[str, Counter[Outcome]] = {}
    for m in matches:
        first = Outcome.WIN if m.score == 1 else Outcome.LOSS if m.score == 0 else Outcome.DRAW
        second = _OPPOSITE[first]
        tally.setdefault(m.a, Counter())[first] += 1
        tally.setdefault(m.b, Counter())[second] += 1
    return tally


# ------------------------------------------------------------------------------------------- text


def format_leaderboard(board: Leaderboard) -> str:
    """The leaderboard as an aligned table, then its notes."""
    headers = ("rank", "player", "bradley-terry", "95% interval", "elo", "95% interval", "games", "wins",
               "draws", "losses", "score")
    rows = [
        (r.rank, r.player, _rating(r.bt, r.anchored), _interval(r.bt_low, r.bt_high), _rating(r.elo, r.anchored),
         _interval(r.elo_low, r.elo_high), r.games, r.wins, r.draws, r.losses, f"{100 * r.score:.1f}%")
        for r in board.rows
    ]
    lines = [format_table(headers, rows, left=2)]
    lines.append(f"{board.episodes} rated episode(s) of {', '.join(board.games)}; "
                 + (f"{board.bootstrap} bootstrap samples (seed {board.seed})" if board.bootstrap else "no bootstrap"))
    if board.anchors:
        lines.append("* anchored: " + ", ".join(f"{p} = {v:g}" for p, v in board.anchors.items()))
    lines.extend(f"note: {note}" for note in board.notes)
    return "\n".join(lines)


def format_stats(stats: Stats) -> str:
    """The statistics table; clembench's columns and clemscore table where a game has them."""
    clem = any(not math.isnan(r.played) for r in stats.rows)
    headers = ["game", "player", "games", "wins", "draws", "losses", "aborted", "errors", "win rate", "illegal",
               "parse fail", "tokens in", "tokens out", "latency s"] + (["% played", "quality"] if clem else [])
    reasoning = any(r.reasoning_tokens for r in stats.rows)
    cost = any(not math.isnan(r.cost_usd) for r in stats.rows)
    headers[12:12] = (["reasoning"] if reasoning else []) + (["cost $"] if cost else [])
    rows = []
    for r in stats.rows:
        row = [r.game, r.player, r.games, r.wins, r.draws, r.losses, r.aborted, r.errors, _percent(r.win_rate),
               _percent(r.illegal_rate), _percent(r.parse_failure_rate), r.prompt_tokens, r.completion_tokens,
               *([r.reasoning_tokens] if reasoning else []), *([_number(r.cost_usd, 4)] if cost else []),
               _number(r.mean_latency_s, 3)]
        rows.append(row + ([_number(r.played, 1), _number(r.quality, 2)] if clem else []))
    parts = [format_table(headers, rows, left=2)]
    if stats.clembench is not None:
        players = [(p.player, _number(p.played, 1), _number(p.quality, 2), _number(p.clemscore, 2))
                   for p in stats.clembench.players.values()]
        parts.append(format_table(("player", "% played", "quality", "clemscore"), players, left=1))
    text = "\n\n".join(parts)
    return "\n".join([text, *(f"note: {line}" for line in stats.skipped)])


def _rating(value: float, anchored: bool) -> str:
    return f"{value:.0f}" + ("*" if anchored else "")


def _interval(low: float, high: float) -> str:
    return "-" if math.isnan(low) else f"[{low:.0f}, {high:.0f}]"


def _percent(value: float) -> str:
    return "-" if math.isnan(value) else f"{100 * value:.1f}%"


def _number(value: float, digits: int) -> str:
    return "-" if math.isnan(value) else f"{value:.{digits}f}"


# ------------------------------------------------------------------------------------------- files


def leaderboard_csv(board: Leaderboard) -> str:
    return _csv([asdict(row) for row in board.rows], [f.name for f in fields(LeaderboardRow)])


def stats_csv(stats: Stats) -> str:
    return _csv([row.to_dict() for row in stats.rows], [f.name for f in fields(PlayerStats)])


def write_leaderboard(board: Leaderboard, out_dir: str | os.PathLike[str]) -> dict[str, Path]:
    """Write leaderboard.csv, .json and .png into ``out_dir`` (made if missing), each atomically."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"csv": out / CSV_NAME, "json": out / JSON_NAME, "png": out / PNG_NAME}
    atomic_write(paths["csv"], leaderboard_csv(board).encode())
    atomic_write(paths["json"], to_json(board.to_dict()).encode())
    atomic_write(paths["png"], png_bytes(board))
    return paths


def to_json(data: Any) -> str:
    return json.dumps(data, indent=2, allow_nan=False) + "\n"


def _csv(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if isinstance(v, float) and math.isnan(v) else v for k, v in row.items()})
    return buffer.getvalue()


def png_bytes(board: Leaderboard) -> bytes:
    """The plot as PNG bytes (no metadata, so the same board gives the same bytes)."""
    buffer = io.BytesIO()
    plot_leaderboard(board).save(buffer, format="PNG")
    return buffer.getvalue()


# ------------------------------------------------------------------------------------------- plot

PLOT_WIDTH = 900
_LABEL_WIDTH = 230  # the players' names, left of the axis
_TOP = 56  # title and legend
_ROW = 30  # height of one player's row
_BOTTOM = 58  # tick labels and the axis caption
_RIGHT = 30
_BT_COLOUR, _ELO_COLOUR = (31, 119, 180), (230, 120, 20)
_INK, _GRID, _ANCHOR = (30, 30, 30), (222, 222, 222), (120, 120, 120)


def plot_size(players: int) -> tuple[int, int]:
    """Width and height of the plot of ``players`` rows, in pixels."""
    return PLOT_WIDTH, _TOP + _ROW * max(players, 1) + _BOTTOM


def plot_leaderboard(board: Leaderboard) -> "Image.Image":
    """Each player's Bradley-Terry and Elo ratings as dots with their 95% intervals as bars, best on top."""
    from PIL import Image, ImageDraw, ImageFont

    width, height = plot_size(len(board.rows))
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=13)
    ticks = _nice_ticks(*_value_range(board))
    left, right, bottom = _LABEL_WIDTH, width - _RIGHT, height - _BOTTOM

    def x(value: float) -> float:
        return left + (value - ticks[0]) / (ticks[-1] - ticks[0]) * (right - left)

    draw.text((12, 10), "Ratings with 95% bootstrap intervals (Elo scale)", fill=_INK, font=font)
    _legend(draw, font, right, 34)
    for tick in ticks:
        draw.line([(x(tick), _TOP), (x(tick), bottom)], fill=_GRID, width=1)
        label = f"{tick:g}"
        draw.text((x(tick) - draw.textlength(label, font=font) / 2, bottom + 6), label, fill=_INK, font=font)
    caption = "rating: 400 points more = 10 to 1 expected score" + (
        "; * anchored: " + ", ".join(f"{p} = {v:g}" for p, v in board.anchors.items()) if board.anchors else "")
    draw.text((left, bottom + 30), caption, fill=_INK, font=font)
    draw.line([(left, bottom), (right, bottom)], fill=_INK, width=1)
    for index, row in enumerate(board.rows):
        y = _TOP + _ROW * index + _ROW / 2
        name = _fit(draw, font, f"{row.rank}. {row.player}" + ("*" if row.anchored else ""), left - 20)
        draw.text((12, y - 8), name, fill=_INK, font=font)
        _series(draw, x, y - 4, row.bt, row.bt_low, row.bt_high, _ANCHOR if row.anchored else _BT_COLOUR, 5)
        _series(draw, x, y + 6, row.elo, row.elo_low, row.elo_high, _ANCHOR if row.anchored else _ELO_COLOUR, 4)
    return image


def _series(draw: Any, x: Any, y: float, value: float, low: float, high: float, colour: tuple, radius: int) -> None:
    if not math.isnan(low):
        draw.line([(x(low), y), (x(high), y)], fill=colour, width=3)
        for end in (low, high):
            draw.line([(x(end), y - 4), (x(end), y + 4)], fill=colour, width=2)
    draw.ellipse([x(value) - radius, y - radius, x(value) + radius, y + radius], fill=colour)


def _legend(draw: Any, font: Any, right: float, y: float) -> None:
    position = right
    for label, colour in (("Elo", _ELO_COLOUR), ("Bradley-Terry", _BT_COLOUR)):
        position -= draw.textlength(label, font=font)
        draw.text((position, y - 8), label, fill=_INK, font=font)
        draw.ellipse([position - 16, y - 5, position - 6, y + 5], fill=colour)
        position -= 36


def _fit(draw: Any, font: Any, text: str, width: float) -> str:
    """``text`` cut with "..." to fit ``width`` pixels."""
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "...", font=font) > width:
        text = text[:-1]
    return text + "..."


def _value_range(board: Leaderboard) -> tuple[float, float]:
    values = [v for r in board.rows for v in (r.bt, r.bt_low, r.bt_high, r.elo, r.elo_low, r.elo_high)
              if not math.isnan(v)]
    low, high = min(values), max(values)
    if high - low < 20:  # one player, or all equal: still a readable axis
        low, high = low - 50, high + 50
    return low, high


def _nice_ticks(low: float, high: float, target: int = 6) -> list[float]:
    """Round tick values (1, 2, 2.5 or 5 times a power of ten apart) covering [low, high]."""
    raw = (high - low) / target
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first, last = math.floor(low / step), math.ceil(high / step)
    return [i * step for i in range(first, last + 1)]
