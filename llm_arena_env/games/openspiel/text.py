"""Readable text for OpenSpiel games: rules, sides, move formats, short move forms and notes.

OpenSpiel's own strings are terse ("x(1,1)", "B d4", "0pb"). Each known game gets a :class:`GameText`
that explains them to a model; any other game gets a generic one. Facts about sides were checked against
the installed OpenSpiel (2.0): in chess player 0 is Black; in go, othello, breakthrough player 0 is Black;
in tic_tac_toe and connect_four player 0 is x; in checkers player 0 is o (the pieces at the bottom).

Notes are built only from the player's own observation or information-state string, so they can never
reveal another player's private cards or dice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping

from llm_arena_env.core.notation import PLAIN, Notation
from llm_arena_env.games.openspiel import holdem

Params = Mapping[str, Any]


def _no_short_forms(text: str, state: Any, action: int) -> Iterable[str]:
    return ()


def _plain_notation(state: Any, p: Params) -> Notation:
    return PLAIN


@dataclass(frozen=True)
class GameText:
    """How to explain one game. Every callable gets the game's full parameters (OpenSpiel's defaults included)."""

    rules: Callable[[Params], str]
    move_format: Callable[[Params], str]
    #: (player index, number of players) -> the side that player plays, e.g. "Black: B; moves first".
    sides: Callable[[int, int], str]
    #: Other ways to write a legal move (OpenSpiel's string, the pyspiel state, the action id) -> strings.
    short_forms: Callable[[str, Any, int], Iterable[str]] = _no_short_forms
    #: Two legal moves sharing a short form are one move written two ways (backgammon's dice orders).
    same_short_form_is_same_move: bool = False
    #: Readable notes from the player's own view text, or None for games whose board says it all.
    notes: Callable[[str, Params], str] | None = None
    #: Which of the player's own strings ``notes`` reads: "observation" or "information_state".
    notes_source: str = "observation"
    #: params -> a faster function (state, player, legal ids) -> OpenSpiel's strings of those moves, or None.
    move_namer: Callable[[Params], Callable[[Any, int, list[int]], list[str]] | None] | None = None
    #: The legal moves' strings -> a short text for the prompt, for games with thousands of moves (bet sizes).
    legal_summary: Callable[[list[str]], str] | None = None
    #: (the pyspiel state, params) -> the game's notation for parsers and Rethink (see core.notation).
    notation: Callable[[Any, Params], Notation] = _plain_notation


def _pair(first: str, second: str) -> Callable[[int, int], str]:
    return lambda player, players: first if player == 0 else second


def _numbered(player: int, players: int) -> str:
    return f"player number {player} of {players}"


def _after(pattern: str) -> Callable[[str, Any, int], Iterable[str]]:
    """Short forms: the groups of ``pattern`` matched against OpenSpiel's move string."""
    compiled = re.compile(pattern)

    def forms(text: str, state: Any, action: int) -> Iterable[str]:
        match = compiled.fullmatch(text)
        return match.groups() if match else ()

    return forms


# ---------------------------------------------------------------------------------------------- board games


def _tic_tac_toe_forms(text: str, state: Any, action: int) -> Iterable[str]:
    match = re.fullmatch(r"[xo](\((\d+),(\d+)\))", text)
    return (match[1], f"{match[2]},{match[3]}") if match else ()


def _go_letters(size: int) -> str:
    return "abcdefghjklmnopqrst"[:size]  # Go skips the letter i


def _go_rules(p: Params) -> str:
    n = p.get("board_size", 19)
    return (
        f"Go on a {n}x{n} board, komi {p.get('komi', 7.5)} (points added to White's score). Players alternately "
        "place a stone on an empty point or pass; a group left with no liberties (adjacent empty points) is "
        "captured. The game ends after two passes in a row and is scored by area: stones plus the empty points "
        "they surround, plus komi for White; the higher score wins. A repeated whole-board position (superko) "
        f"ends the game as a draw, and a game is cut off after {p.get('max_game_length') or 2 * n * n} moves."
    )


def _go_format(p: Params) -> str:
    n = p.get("board_size", 19)
    letters = _go_letters(n)
    return (
        f"your colour and a point: column letter a-{letters[-1]} (there is no i) and row number 1-{n} counted "
        "from the bottom, e.g. B d4 (the colour may be left out: d4); B PASS (or pass) to pass"
    )


def _go_forms(text: str, state: Any, action: int) -> Iterable[str]:
    return (text.split(" ", 1)[1],) if " " in text else ()


def _hex_rules(p: Params) -> str:
    rows, cols = p.get("num_rows", 11), p.get("num_cols", 11)
    last = chr(ord("a") + cols - 1)
    swap = " The second player may swap (take over the first stone) as its first move." if p.get("swap") else ""
    return (
        f"Hex on a {rows}x{cols} rhombus of hexagonal cells. Players take turns placing a stone on an empty "
        f"cell. x wins by joining the top and bottom edges (rows 1 and {rows}) with a chain of touching x "
        f"stones; o wins by joining the left and right edges (columns a and {last}). There are no draws.{swap}"
    )


def _connect_four_rules(p: Params) -> str:
    rows, cols, k = p.get("rows", 6), p.get("columns", 7), p.get("x_in_row", 4)
    return (
        f"Connect Four on a grid of {rows} rows and {cols} columns. Players take turns dropping a disc into a "
        f"column; it falls to the lowest empty cell. The first to line up {k} discs in a row, column or "
        "diagonal wins; a full grid is a draw."
    )


def _connect_four_format(p: Params) -> str:
    return (
        f"a column number 0-{p.get('columns', 7) - 1}, counted from the left; OpenSpiel writes it after your "
        "symbol, e.g. x3, and 3 alone also works"
    )


def _breakthrough_rules(p: Params) -> str:
    rows, cols = p.get("rows", 8), p.get("columns", 8)
    return (
        f"Breakthrough on a {rows}x{cols} board; each player starts with two rows of pawns. A pawn moves one "
        "square straight or diagonally forward onto an empty square, or captures an opposing pawn diagonally "
        "forward. The first to reach the far row, or to capture every opposing pawn, wins."
    )


def _dots_rules(p: Params) -> str:
    rows, cols = p.get("num_rows", 2), p.get("num_cols", 2)
    return (
        f"Dots and boxes on a grid of {rows}x{cols} boxes. Players take turns drawing one line between two "
        "neighbouring dots. Drawing the fourth side of a box claims it and gives you another move. When every "
        "line is drawn, the player with more boxes wins."
    )


def _chinese_checkers_rules(p: Params) -> str:
    return (
        f"Chinese checkers for {p.get('players', 2)} players on a six-pointed star of 121 holes. Each player "
        "has 10 pegs in one point of the star and races them to the opposite point. A move is a step to a "
        "neighbouring empty hole, or a hop over a neighbouring peg to the empty hole beyond; after a hop you "
        "may hop on with the same peg or end the turn with Pass. The first player to fill the opposite point "
        f"wins; after {p.get('max_moves', 1000)} moves the game ends in a draw."
    )


def _morris_forms(text: str, state: Any, action: int) -> Iterable[str]:
    if text.startswith("Point "):
        return (text[6:],)
    match = re.fullmatch(r"Move (\d+) -> (\d+)", text)
    return (f"{match[1]} -> {match[2]}", f"{match[1]}->{match[2]}", f"{match[1]}-{match[2]}") if match else ()


def _chess_forms(text: str, state: Any, action: int) -> Iterable[str]:
    """SAN without check marks, castling with zeros, and UCI (e2e4), which many models write."""
    from pyspiel import chess  # only when a move was not found as written

    forms = [text.rstrip("+#"), text.rstrip("+#").replace("O", "0")]
    try:
        forms.append(chess.action_to_move(action, state.board()).to_lan())
    except Exception:  # a form is a convenience; OpenSpiel's own string still works
        pass
    return forms


# FEN placement -> diagram rows: pieces and empty squares ("."), one space apart, rank 8 first.
_DIAGRAM = str.maketrans({str(n): " ." * n for n in range(1, 9)} | {c: " " + c for c in "prnbqkPRNBQK"})
_RANK_LABELS = [str(rank) for rank in range(8, 0, -1)]


def _chess_board(fen: str, p: Params) -> str:
    """A diagram of the FEN that OpenSpiel gives as chess's observation."""
    fields = fen.split(" ", 2)
    rows = fields[0].translate(_DIAGRAM).split("/")
    if len(rows) != 8:
        return ""
    lines = "\n".join(map(str.__add__, _RANK_LABELS, rows))
    to_move = "White" if fields[1:2] == ["w"] else "Black"
    heading = "The position as a diagram (uppercase White, lowercase Black):"
    return f"{heading}\n{lines}\n  a b c d e f g h\n{to_move} to move."


def _chess_notation(state: Any, p: Params) -> Notation:
    """python-chess's reading of the FEN that OpenSpiel's chess state prints."""
    from llm_arena_env.games.chess.notation import ChessNotation

    return ChessNotation(str(state))


def _chess_namer(p: Params) -> Callable[[Any, int, list[int]], list[str]] | None:
    """Chess names its quiet moves in Python (see chess_san); chess960's castling is left to OpenSpiel."""
    if p.get("chess960"):
        return None
    from llm_arena_env.games.openspiel.chess_san import legal_move_names

    return legal_move_names


# ---------------------------------------------------------------------------------------------- card and dice games

_KUHN_TWO = ("Jack", "Queen", "King")


def _kuhn_card(card: int, players: int) -> str:
    return _KUHN_TWO[card] if players == 2 and 0 <= card < 3 else f"card {card}"


def _kuhn_rules(p: Params) -> str:
    n = p.get("players", 2)
    deck = "Jack, Queen, King (lowest to highest)" if n == 2 else f"cards 0 to {n} (0 lowest)"
    return (
        f"Kuhn poker for {n} players with a deck of {n + 1} cards: {deck}. Each player antes 1 chip and gets "
        "one private card. In a single betting round each player in turn either Passes (checks, or folds "
        "facing a bet) or Bets 1 chip (bets, or calls a bet). Once someone bets, the others may call (Bet) or "
        "fold (Pass). The highest card among the players still in wins the pot. OpenSpiel's view shows your "
        "card number, then each player's chips in the pot."
    )


def _kuhn_notes(info: str, p: Params) -> str:
    match = re.fullmatch(r"(\d+)([pb]*)", info.strip())
    if not match:
        return ""
    card = _kuhn_card(int(match[1]), p.get("players", 2))
    actions = ", ".join("Pass" if c == "p" else "Bet" for c in match[2]) or "none yet"
    return f"Your private card: {card}. Actions so far, in order from player_0: {actions}."


_LEDUC_RANKS = ("Jack", "Queen", "King")


def _leduc_rules(p: Params) -> str:
    return (
        f"Leduc hold'em for {p.get('players', 2)} players. The deck has two suits of Jack, Queen, King; OpenSpiel "
        "numbers the cards 0-5 (0-1 Jacks, 2-3 Queens, 4-5 Kings). Each player antes 1 chip and gets one private "
        "card. There are two betting rounds (Fold, Call or Raise; raises are 2 chips in round 1 and 4 in round "
        "2, at most two per round); one public card is revealed between them. A private card that pairs the "
        "public card beats any unpaired hand; otherwise the higher card wins; equal ranks split the pot."
    )


def _leduc_card(card: str) -> str:
    rank = int(card) // 2  # two suits per rank
    return f"{card} (a {_LEDUC_RANKS[rank]})" if 0 <= rank < 3 else card


def _leduc_notes(observation: str, p: Params) -> str:
    notes = []
    private = re.search(r"\[Private: (\d+)\]", observation)
    public = re.search(r"\[Public: (\d+)\]", observation)
    if private:
        notes.append(f"Your private card: {_leduc_card(private[1])}.")
    if public:
        notes.append(f"Public card: {_leduc_card(public[1])}.")
    return " ".join(notes)


def _liars_dice_rules(p: Params) -> str:
    sides, dice = p.get("dice_sides", 6), p.get("numdice", 1)
    rule = (
        "a higher quantity of any face, or the same quantity of a higher face"
        if p.get("bidding_rule", "reset-face") == "reset-face"
        else "a higher quantity of the same face, or any quantity of a higher face"
    )
    return (
        f"Liar's dice, one round: each player rolls {dice} hidden {sides}-sided {'die' if dice == 1 else 'dice'}. "
        f"Players take turns bidding quantity-face, e.g. 2-5 claims that at least two of all the dice show 5 "
        f"({sides}s are wild and count as any face). Each bid must be {rule}. Instead of bidding, a player may "
        "call Liar on the last bid: if the bid was true the caller loses, otherwise the bidder loses."
    )


def _liars_dice_notes(info: str, p: Params) -> str:
    tokens = info.split()
    if not tokens or not tokens[0].isdigit():
        return ""
    dice = ", ".join(tokens[0]) if p.get("dice_sides", 6) <= 9 else tokens[0]
    bids = ", ".join(tokens[1:]) or "none yet"
    return f"Your dice: {dice} ({p.get('dice_sides', 6)}s are wild). Bids so far: {bids}."


# ---------------------------------------------------------------------------------------------- the table

TEXTS: dict[str, GameText] = {
    "tic_tac_toe": GameText(
        rules=lambda p: "Tic-tac-toe on a 3x3 grid. Players take turns marking an empty cell; three marks in a row, "
        "column or diagonal win; a full grid without a line is a draw.",
        move_format=lambda p: "your symbol and the cell as (row,column), counted from 0 at the top left, e.g. "
        "x(1,1) for the centre; (1,1) or 1,1 alone also works",
        sides=_pair("x, moving first", "o"),
        short_forms=_tic_tac_toe_forms,
    ),
    "connect_four": GameText(
        rules=_connect_four_rules,
        move_format=_connect_four_format,
        sides=_pair("x, moving first", "o"),
        short_forms=_after(r"[xo](\d+)"),
    ),
    "go": GameText(
        rules=_go_rules,
        move_format=_go_format,
        sides=_pair("Black: B, shown as X on the board; Black moves first", "White: W, shown as O on the board"),
        short_forms=_go_forms,
    ),
    "othello": GameText(
        rules=lambda p: "Othello (Reversi) on an 8x8 board. Place a disc so that it encloses a straight line of "
        "opposing discs between it and another of your discs; the enclosed discs turn to your colour. If you "
        "cannot do that you must pass. When neither player can move, the one with more discs wins.",
        move_format=lambda p: "a square as column letter a-h and row number 1-8, e.g. d3; pass when it is your "
        "only move",
        sides=_pair("Black: x; Black moves first", "White: o"),
    ),
    "breakthrough": GameText(
        rules=_breakthrough_rules,
        move_format=lambda p: "the from-square and the to-square, e.g. a7a6; a capture ends with *, e.g. a6b5* "
        "(the * may be left out)",
        sides=_pair("Black: b, starting at the top and moving down the board; Black moves first",
                    "White: w, starting at the bottom and moving up"),
        short_forms=_after(r"([a-z]\d+[a-z]\d+)\*"),
    ),
    "hex": GameText(
        rules=_hex_rules,
        move_format=lambda p: "a cell as column letter and row number (row 1 at the top), e.g. c3",
        sides=_pair("x, joining the top and bottom edges; x moves first", "o, joining the left and right edges"),
    ),
    "checkers": GameText(
        rules=lambda p: "Checkers (draughts) on an 8x8 board. Pieces move one square diagonally forward to an "
        "empty square; a capture jumps diagonally over an adjacent opposing piece to the empty square beyond. "
        "Capturing is compulsory, and a multi-jump is played as several moves in a row by the same player. A "
        "piece reaching the far row becomes a king and may also move backwards. You win when your opponent has "
        "no legal move; a long game without progress is a draw.",
        move_format=lambda p: "the from-square and the to-square, e.g. c3d4 (a jump: c3e5)",
        sides=_pair("o, starting on the bottom rows and moving up; kings shown as 8; o moves first",
                    "+, starting on the top rows and moving down; kings shown as *"),
    ),
    "backgammon": GameText(
        rules=lambda p: "Backgammon. Each player moves 15 checkers around the 24 points according to two dice "
        "(a double is played four times) and then bears them off; the first to bear off all checkers wins. A "
        "single checker that is hit goes to the bar and must re-enter before its owner moves anything else. "
        "Points are numbered from each player's own side: 24 is farthest from home, 1 is nearest.",
        move_format=lambda p: "one of the legal moves: OpenSpiel's action number, a dash, then each checker's "
        "from/to points, e.g. '11 - 24/23 13/11' (Bar = the bar, Off = borne off; (2) = twice); the part after "
        "the dash, e.g. 24/23 13/11, also works",
        sides=_pair("x", "o"),  # who starts is decided by the first roll
        short_forms=_after(r"\d+ - (.+)"),
        same_short_form_is_same_move=True,
    ),
    "dots_and_boxes": GameText(
        rules=_dots_rules,
        move_format=lambda p: "your label (P1 or P2), then the line as (h or v, row, column), counted from 0 at "
        "the top left: h = horizontal line, v = vertical line, e.g. P1(h,0,1); (h,0,1) alone also works",
        sides=_pair("P1, moving first", "P2"),
        short_forms=_after(r"P\d(\((.+)\))"),
    ),
    "nine_mens_morris": GameText(
        rules=lambda p: "Nine men's morris. Players first take turns placing their nine men on empty points, "
        "then move a man along a line to a neighbouring empty point (a player with three men left may jump "
        "anywhere). Three men in a row along a line form a mill, which lets you remove one opposing man. A "
        "player left with two men, or with no legal move, loses.",
        move_format=lambda p: "Point N to place or remove a man at point N, or Move N -> M; points are numbered "
        "0-23 left to right, top to bottom, e.g. Point 4 or Move 0 -> 1 (4 or 0-1 alone also work)",
        sides=_pair("White: W; White moves first", "Black: B"),
        short_forms=_morris_forms,
    ),
    "chess": GameText(
        rules=lambda p: "Chess with the standard rules (castling, en passant, promotion). Checkmate wins; "
        "stalemate, threefold repetition, the fifty-move rule and insufficient material are draws."
        + (" Chess960: the back-rank pieces start in a shuffled order." if p.get("chess960") else ""),
        move_format=lambda p: "standard algebraic notation (SAN) as OpenSpiel writes it, e.g. e4, Nf3, exd5, "
        "O-O, e8=Q; UCI such as e2e4 also works",
        sides=_pair("Black: the lowercase pieces in the FEN; White moves first",
                    "White: the uppercase pieces in the FEN; White moves first"),
        short_forms=_chess_forms,
        notes=_chess_board,
        move_namer=_chess_namer,
        notation=_chess_notation,
    ),
    "chinese_checkers": GameText(
        rules=_chinese_checkers_rules,
        move_format=lambda p: "a hole number (0-120, numbered row by row from the top) to another: 3->6 is a "
        "step, 3=>14 a hop; Pass ends a chain of hops",
        sides=lambda player, players: f"the pegs marked {player + 1}" + ("; you move first" if player == 0 else ""),
    ),
    "kuhn_poker": GameText(
        rules=_kuhn_rules,
        move_format=lambda p: "Pass or Bet",
        sides=lambda player, players: f"number {player + 1} of {players} players to act",
        notes=_kuhn_notes,
        notes_source="information_state",
    ),
    "leduc_poker": GameText(
        rules=_leduc_rules,
        move_format=lambda p: "Fold, Call or Raise",
        sides=lambda player, players: f"number {player + 1} of {players} players to act in each round",
        notes=_leduc_notes,
    ),
    "liars_dice": GameText(
        rules=_liars_dice_rules,
        move_format=lambda p: "a bid as quantity-face, e.g. 2-5 (at least two 5s among all dice), or Liar",
        sides=lambda player, players: f"number {player + 1} of {players} players to bid",
        notes=_liars_dice_notes,
        notes_source="information_state",
    ),
    "universal_poker": GameText(
        rules=holdem.rules,
        move_format=holdem.move_format,
        sides=lambda player, players: f"player number {player} of {players}",
        short_forms=holdem.short_forms,
        notes=holdem.notes,
        notes_source="information_state",
        move_namer=holdem.namer,
        legal_summary=holdem.legal_summary,
    ),
}


def _generic(long_name: str) -> GameText:
    return GameText(
        rules=lambda p: f"{long_name}, as implemented in OpenSpiel.",
        move_format=lambda p: "one of the legal moves, written exactly as listed",
        sides=_numbered,
    )


def game_text(short_name: str, long_name: str) -> GameText:
    """The readable text of a game: its own entry, or a generic one for games not described here."""
    return TEXTS.get(short_name) or _generic(long_name)
