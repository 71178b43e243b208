"""Pictures of the card and dice games (kuhn, leduc and universal poker, oh hell, liar's dice).

Each drawer gets only one player's own information-state string (what that player may know), never the
state itself, so a picture cannot show another player's cards or dice. Cards are drawn as cards (rank and
suit shape, red or black), hidden ones face down; dice as dice with pips; pot, stacks, bids and the
actions so far are written beside them.
"""

from __future__ import annotations

import re
from typing import Any, Mapping

import numpy as np

from llm_arena_env.games.grid.draw import Pen, canvas, to_array

FELT, FELT_INK = (28, 110, 62), (240, 240, 230)
CARD, CARD_BACK, CARD_EDGE = (252, 252, 248), (60, 70, 160), (40, 40, 40)
RED, BLACK = (200, 30, 40), (25, 25, 25)
SUIT_NAMES = {"s": "spades", "h": "hearts", "d": "diamonds", "c": "clubs"}


# ---------------------------------------------------------------------------------------------- primitives

def draw_suit(pen: Pen, suit: str) -> None:
    """A spade, heart, diamond or club filling ``pen``'s box."""
    colour = RED if suit in "hd" else BLACK
    if suit == "d":
        pen.polygon([(0.5, 0.0), (0.9, 0.5), (0.5, 1.0), (0.1, 0.5)], fill=colour)
    elif suit == "h":
        pen.circle(0.3, 0.32, 0.22, fill=colour)
        pen.circle(0.7, 0.32, 0.22, fill=colour)
        pen.polygon([(0.09, 0.4), (0.91, 0.4), (0.5, 0.98)], fill=colour)
    elif suit == "s":
        pen.circle(0.3, 0.6, 0.2, fill=colour)
        pen.circle(0.7, 0.6, 0.2, fill=colour)
        pen.polygon([(0.11, 0.55), (0.89, 0.55), (0.5, 0.0)], fill=colour)
        pen.polygon([(0.5, 0.6), (0.32, 1.0), (0.68, 1.0)], fill=colour)
    elif suit == "c":
        for x, y in ((0.5, 0.25), (0.26, 0.58), (0.74, 0.58)):
            pen.circle(x, y, 0.2, fill=colour)
        pen.polygon([(0.5, 0.45), (0.32, 1.0), (0.68, 1.0)], fill=colour)


def draw_card(pen: Pen, rank: str | None, suit: str | None = None) -> None:
    """A playing card filling ``pen``'s box: ``rank`` (e.g. "K", "10") and ``suit`` ("s", "h", "d", "c");
    rank None draws the card face down."""
    if rank is None:
        pen.rect(0, 0, 1, 1, fill=CARD_BACK, outline=CARD_EDGE, width=0.03, radius=0.1)
        pen.rect(0.12, 0.09, 0.88, 0.91, outline=(200, 200, 230), width=0.03, radius=0.08)
        return
    pen.rect(0, 0, 1, 1, fill=CARD, outline=CARD_EDGE, width=0.03, radius=0.1)
    colour = RED if suit in ("h", "d") else BLACK
    if suit:
        pen.text(0.5, 0.28, rank, colour, 0.34)
        draw_suit(pen.sub(0.25, 0.5, 0.75, 0.86), suit)
    else:
        pen.text(0.5, 0.5, rank, colour, 0.45)


def draw_die(pen: Pen, face: int | None, sides: int = 6) -> None:
    """A die showing ``face`` as pips (a number for faces above 6); None draws a hidden die."""
    if face is None:
        pen.rect(0, 0, 1, 1, fill=(90, 90, 100), outline=CARD_EDGE, width=0.05, radius=0.18)
        pen.text(0.5, 0.5, "?", (230, 230, 230), 0.6)
        return
    pen.rect(0, 0, 1, 1, fill=CARD, outline=CARD_EDGE, width=0.05, radius=0.18)
    spots = {1: [(2, 2)], 2: [(1, 1), (3, 3)], 3: [(1, 1), (2, 2), (3, 3)], 4: [(1, 1), (1, 3), (3, 1), (3, 3)],
             5: [(1, 1), (1, 3), (2, 2), (3, 1), (3, 3)], 6: [(1, 1), (1, 2), (1, 3), (3, 1), (3, 2), (3, 3)]}
    if face not in spots:
        pen.text(0.5, 0.5, str(face), BLACK, 0.6)
        return
    wild = face == sides  # the highest face is wild in liar's dice
    for x, y in spots[face]:
        pen.circle(x / 4, y / 4, 0.09, fill=RED if wild else BLACK)


def _table(size: int, title: str) -> tuple[Any, Pen]:
    image, pen = canvas(size, FELT)
    pen.text(0.5, 0.05, title, FELT_INK, 0.05)
    return image, pen


def _row_of(pen: Pen, y0: float, y1: float, items: list, draw, width: float = 0.14) -> None:
    """Items drawn side by side, centred, between heights ``y0`` and ``y1``."""
    gap = width * 0.15
    total = len(items) * width + (len(items) - 1) * gap
    x = 0.5 - total / 2
    for item in items:
        draw(pen.sub(x, y0, x + width, y1), *item)
        x += width + gap


def _lines(pen: Pen, y: float, lines: list[str], height: float = 0.045) -> None:
    for i, line in enumerate(lines):
        pen.text(0.5, y + i * height * 1.3, line, FELT_INK, height)


# ---------------------------------------------------------------------------------------------- poker

_KUHN_TWO = ("J", "Q", "K")


def draw_kuhn(info: str, player: int, params: Mapping[str, Any], size: int) -> np.ndarray:
    """Kuhn poker from ``player``'s information state: "<own card><p|b actions>"."""
    players = params.get("players", 2)
    match = re.fullmatch(r"(\d+)([pb]*)", info.strip())
    image, pen = _table(size, f"Kuhn poker: you are player_{player}")
    if not match:
        return to_array(image)
    card = int(match[1])
    rank = _KUHN_TWO[card] if players == 2 and card < 3 else str(card)
    bets = [1] * players
    for i, action in enumerate(match[2]):
        bets[i % players] += action == "b"
    _lines(pen, 0.12, ["Your card"])
    _row_of(pen, 0.17, 0.47, [(rank,)], draw_card, 0.2)
    others = [p for p in range(players) if p != player]
    _lines(pen, 0.52, ["Other players' cards: " + ", ".join(f"player_{p}" for p in others)])
    _row_of(pen, 0.57, 0.72, [(None,)] * len(others), draw_card, 0.1)
    said = " ".join("Pass" if a == "p" else "Bet" for a in match[2]) or "none yet"
    _lines(pen, 0.78, [f"Pot: {sum(bets)}   chips in: " + " ".join(map(str, bets)), f"Actions: {said}"])
    return to_array(image)


_LEDUC_RANKS = ("J", "Q", "K")
_ACTION_NAMES = {"0": "Fold", "1": "Call", "2": "Raise"}


def draw_leduc(info: str, player: int, params: Mapping[str, Any], size: int) -> np.ndarray:
    """Leduc hold'em from ``player``'s information state ("[Private: 5][Pot: 6][Money: 97 97][Public: 0]...")."""
    fields = dict(re.findall(r"\[([A-Za-z0-9]+):? ([^\]]*)\]", info))
    image, pen = _table(size, f"Leduc hold'em: you are player_{player}")

    def card(number: str | None) -> tuple:
        if number is None or not number.lstrip("-").isdigit() or int(number) < 0:
            return (None,)
        return (_LEDUC_RANKS[int(number) // 2 % 3], "sh"[int(number) % 2])

    players = len(fields.get("Money", "").split()) or 2
    _lines(pen, 0.12, ["Your card"])
    _row_of(pen, 0.17, 0.42, [card(fields.get("Private"))], draw_card, 0.17)
    _lines(pen, 0.47, ["Public card"])
    _row_of(pen, 0.51, 0.72, [card(fields.get("Public"))], draw_card, 0.15)
    rounds = [" ".join(_ACTION_NAMES.get(a, a) for a in fields.get(f"Round{r}", "").split()) for r in (1, 2)]
    _lines(pen, 0.76, [
        f"Round {fields.get('Round', '?')}   Pot: {fields.get('Pot', '?')}   Money: {fields.get('Money', '?')}"
        f" ({players} players)",
        f"Round 1: {rounds[0] or '-'}", f"Round 2: {rounds[1] or '-'}",
    ])
    return to_array(image)


def split_cards(text: str) -> list[tuple[str, str]]:
    """ "Th7h" -> [("10", "h"), ("7", "h")]: OpenSpiel's rank-suit card codes."""
    return [("10" if rank == "T" else rank, suit) for rank, suit in re.findall(r"([2-9TJQKA])([shdc])", text)]


def draw_universal_poker(info: str, player: int, params: Mapping[str, Any], size: int) -> np.ndarray:
    """Hold'em from ``player``'s information state ("[Round 0][Pot: 800][Money: a b][Private: Th7h][Public: ]...")."""
    fields = dict(re.findall(r"\[([A-Za-z]+):? ?([^\]]*)\]", info))
    image, pen = _table(size, f"No-limit hold'em: you are player_{player}")
    own = split_cards(fields.get("Private", ""))
    board = split_cards(fields.get("Public", ""))
    _lines(pen, 0.1, ["Your cards"])
    _row_of(pen, 0.15, 0.4, own or [(None,), (None,)], draw_card, 0.16)
    _lines(pen, 0.44, ["Board"])
    _row_of(pen, 0.49, 0.69, board + [(None,)] * (5 - len(board)), draw_card, 0.13)
    money = fields.get("Money", "").split()
    stacks = "   ".join(f"player_{i}: {m}" + (" (you)" if i == player else "") for i, m in enumerate(money))
    _lines(pen, 0.74, [f"Pot: {fields.get('Pot', '?')}", f"Stacks: {stacks}",
                       f"Betting so far: {fields.get('Sequences', '') or 'none yet'}"])
    return to_array(image)


# ---------------------------------------------------------------------------------------------- oh hell

def draw_oh_hell(info: str, player: int, params: Mapping[str, Any], size: int) -> np.ndarray:
    """Oh Hell from ``player``'s information state: own hand by suit, trump, bids, tricks and the trick so far."""
    image, pen = _table(size, f"Oh Hell: you are player_{player}")
    lines = info.splitlines()
    hand: list[tuple[str, str]] = []
    for line in lines:
        match = re.fullmatch(r"\s+([CDSH]): ?([2-9TJQKA]*)", line)
        if match:
            hand += [("10" if r == "T" else r, match[1].lower()) for r in match[2]]
    trump = next((line.split(":", 1)[1].strip() for line in lines if line.startswith("Trump:")), "")
    _lines(pen, 0.1, ["Trump card"])
    trump_card = [(("10" if trump[1] == "T" else trump[1]), trump[0].lower())] if len(trump) == 2 else [(None,)]
    _row_of(pen, 0.14, 0.3, trump_card, draw_card, 0.1)
    _lines(pen, 0.33, [f"Your hand ({len(hand)} cards)"])
    per_row = 9
    for start in range(0, max(1, len(hand)), per_row):
        top = 0.37 + (start // per_row) * 0.17
        _row_of(pen, top, top + 0.15, hand[start:start + per_row], draw_card, 0.09)
    done, trick = _tricks(lines)
    if trick:
        _lines(pen, 0.72, ["Current trick: " + ", ".join(f"player_{p}" for p, _ in trick)], 0.035)
        _row_of(pen, 0.755, 0.87, [(("10" if c[1] == "T" else c[1]), c[0].lower()) for _, c in trick], draw_card, 0.07)
    notes = [line.strip() for line in lines if line.startswith(("Bids", "Tricks Won"))]
    _lines(pen, 0.9, [f"Tricks played: {done}   " + "   ".join(notes)], 0.032)
    return to_array(image)


def _tricks(lines: list[str]) -> tuple[int, list[tuple[int, str]]]:
    """From oh hell's "Tricks:" table (a header of player numbers, then a row per trick, each card under
    the player who played it): the number of finished tricks and the (player, card) of the trick being played."""
    if "Tricks:" not in lines:
        return 0, []
    start = lines.index("Tricks:") + 1
    header = lines[start].split() if start < len(lines) else []
    rows = []
    for line in lines[start + 1:]:
        if not line.strip():
            break
        rows.append([(int(header[i]), line[3 * i:3 * i + 3].strip()) for i in range(len(header))
                     if line[3 * i:3 * i + 3].strip()])
    players = len(set(header)) or 1
    if rows and len(rows[-1]) < players:
        return len(rows) - 1, rows[-1]
    return len(rows), []


# ---------------------------------------------------------------------------------------------- liar's dice

def draw_liars_dice(info: str, player: int, params: Mapping[str, Any], size: int) -> np.ndarray:
    """Liar's dice from ``player``'s information state: "<own dice> <bids...>"."""
    sides, dice = params.get("dice_sides", 6), params.get("numdice", 1)
    players = params.get("players", 2)
    tokens = info.split()
    image, pen = _table(size, f"Liar's dice: you are player_{player}")
    own = [int(d) for d in tokens[0]] if tokens and tokens[0].isdigit() and sides <= 9 else []
    _lines(pen, 0.12, [f"Your dice ({sides}s are wild, in red)"])
    _row_of(pen, 0.18, 0.36, [(d, sides) for d in own], draw_die, 0.18)
    _lines(pen, 0.42, ["Other players' dice (hidden)"])
    _row_of(pen, 0.48, 0.6, [(None, sides)] * (dice * (players - 1)), draw_die, 0.12)
    bids = tokens[1:] if own else tokens
    said = [f"{bid.split('-')[0]} x {bid.split('-')[1]}" if "-" in bid else bid for bid in bids]
    _lines(pen, 0.68, [f"Bids so far (quantity x face): {', '.join(said) or 'none yet'}"])
    if bids and "-" in bids[-1]:
        quantity, face = bids[-1].split("-")
        _lines(pen, 0.76, [f"Last bid: at least {quantity} dice show"])
        _row_of(pen, 0.81, 0.93, [(int(face), sides)], draw_die, 0.12)
    return to_array(image)
