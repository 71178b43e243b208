"""Heads-up no-limit Texas hold'em (OpenSpiel's ``universal_poker``) in the words a player would use.

OpenSpiel names its moves "player=0 move=Bet500"; here they are ``Fold``, ``Check`` (nothing to call) or
``Call``, ``Bet N`` (or ``Raise N``, facing a bet or the blinds) where N is the total the player will have
put in this hand ("raise to N", OpenSpiel's meaning), and ``AllIn`` for the whole stack. Any of these is
read back in either spelling (``Bet 500`` and ``Raise 500`` are the same move, as are ``Check`` and ``Call``
with nothing to call); the prompt lists the bets as a range, not as thousands of moves.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Iterable, Mapping

Params = Mapping[str, Any]

#: Heads-up no-limit hold'em as played by the ACPC: blinds 50/100, 200 big blinds deep, every bet size.
HUNL = {
    "betting": "nolimit",
    "numPlayers": 2,
    "numRounds": 4,
    "blind": "100 50",
    "firstPlayer": "2 1 1 1",
    "numSuits": 4,
    "numRanks": 13,
    "numHoleCards": 2,
    "numBoardCards": "0 3 1 1",
    "stack": "20000 20000",
    "bettingAbstraction": "fullgame",
}
ALL_IN = "AllIn"
_NUMBER = re.compile(r"(?:bet|raise)(?: to)? ?(\d+)", re.IGNORECASE)


def rules(p: Params) -> str:
    return (
        f"No-limit Texas hold'em, {p.get('numPlayers', 2)} players, stacks {p.get('stack')} chips, blinds "
        f"{p.get('blind')} (player_0's blind first). Each player gets two private cards; five public cards come "
        "in three rounds (flop, turn, river), with a betting round before each and one after. Best five-card "
        "hand from your two cards and the board wins the pot at showdown; a player who folds loses what it put in."
    )


def move_format(p: Params) -> str:
    return (
        "Fold, Check (when there is nothing to call), Call, Bet N or Raise N where N is the total you will "
        "have put into the pot this hand (raise to N), or AllIn"
    )


def _contributions(state: Any, player: int) -> tuple[int, int, int]:
    """(round, what ``player`` must add to call, the most it can put in this hand) from its own view."""
    view = state.observation_string(player)
    round_ = int(re.search(r"\[Round (\d+)\]", view)[1])
    money = [int(m) for m in re.search(r"\[Money: ([\d ]+)\]", view)[1].split()]
    put_in = [int(c) for c in re.search(r"\[PlayerContribution: ([\d ]+)\]", view)[1].split()]
    return round_, max(put_in) - put_in[player], put_in[player] + money[player]


def namer(p: Params) -> Callable[[Any, int, list[int]], list[str]]:
    def names(state: Any, player: int, ids: list[int]) -> list[str]:
        round_, to_call, everything = _contributions(state, player)
        facing = to_call > 0 or round_ == 0  # the blinds are a bet
        out = []
        for action in ids:
            if action == 0:
                out.append("Fold")
            elif action == 1:
                out.append("Call" if to_call else "Check")
            elif action >= everything:
                out.append(ALL_IN)
            else:
                out.append(f"{'Raise' if facing else 'Bet'} {action}")
        return out

    return names


def short_forms(text: str, state: Any, action: int) -> Iterable[str]:
    """Other spellings of one of the names above (and OpenSpiel's own string)."""
    forms = [state.action_to_string(state.current_player(), action)]
    if text == "Check":  # nothing to call: calling is checking
        forms.append("Call")
    elif text == ALL_IN:
        forms += ["All in", "All-in", "Allin", "Shove", f"Bet {action}", f"Raise {action}"]
    match = _NUMBER.fullmatch(text)
    number = match[1] if match else str(action) if text == ALL_IN else None
    if number:
        forms += [f"{word}{sep}{number}" for word in ("Bet", "Raise", "Raise to", "Bet to") for sep in (" ", "")]
    return forms


def legal_summary(strings: list[str]) -> str:
    """The legal moves with the bet sizes as one range."""
    sizes = [int(m[1]) for s in strings if (m := _NUMBER.fullmatch(s))]
    plain = [s for s in strings if not _NUMBER.fullmatch(s)]
    if sizes:
        word = next(s for s in strings if _NUMBER.fullmatch(s)).split()[0]
        plain.insert(len(plain) - (ALL_IN in plain), f"{word} N for any N from {min(sizes)} to {max(sizes)}")
    return ", ".join(plain)


def notes(view: str, p: Params) -> str:
    cards = re.search(r"\[Private: ([^\]]*)\]", view)
    board = re.search(r"\[Public: ([^\]]*)\]", view)
    said = [f"Your cards: {cards[1] or '-'}." if cards else ""]
    said.append(f"Board: {board[1] or '(none yet)'}." if board else "")
    said.append("Cards are rank then suit: T is ten, s h d c are spades, hearts, diamonds, clubs.")
    return " ".join(s for s in said if s)
