"""Pure rules of codenames: the board, the clue and guess formats and their checks, scores, instances.

A board holds words of four kinds: the team's, the opponent's, innocent (distractor) words and assassin
(kill) words. Revealing a word removes it from the hidden words; who revealed it is recorded.
"""

from __future__ import annotations

import enum
import random
import re
import statistics
from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping, Sequence

import snowballstemmer

CLUE_PREFIX = "CLUE: "
TARGETS_PREFIX = "TARGETS: "
GUESS_PREFIX = "GUESS: "
CHARS_TO_STRIP = " .,<>\"'"
NUMBERS_TO_STRIP = " ,0123456789"
EXPECTED_WORDS_PER_TURN = 2  # clembench's efficiency: 2 guesses per turn is full efficiency

_STEMMER = snowballstemmer.stemmer("english")


class Kind(str, enum.Enum):
    """What a word on the board is."""

    TEAM = "team"
    OPPONENT = "opponent"
    INNOCENT = "innocent"
    ASSASSIN = "assassin"

    def __str__(self) -> str:
        return self.value


class InvalidReply(ValueError):
    """A reply breaks the format or a rule of the clue or the guesses; the message says how."""


@dataclass(frozen=True)
class Flags:
    """clembench's leniency flags (its "generous" instances set them all)."""

    ignore_rambling: bool = False  # extra lines are ignored instead of rejected
    ignore_false_targets_or_guesses: bool = False  # words not on the board are dropped instead of rejected
    strip_words: bool = True  # quotes, dots, commas, brackets around words are stripped (clembench: always)
    ignore_number_of_targets: bool = False  # "CLUE: ocean, 3" is read as "ocean"
    reprompt_on_error: bool = False  # an invalid reply is asked again (twice) instead of aborting

    @classmethod
    def from_clembench(cls, flags: Mapping[str, bool] | None) -> "Flags":
        flags = flags or {}
        return cls(bool(flags.get("IGNORE RAMBLING", False)), bool(flags.get("IGNORE FALSE TARGETS OR GUESSES", False)),
                   bool(flags.get("STRIP WORDS", True)), bool(flags.get("IGNORE NUMBER OF TARGETS", False)),
                   bool(flags.get("REPROMPT ON ERROR", False)))


@dataclass
class Board:
    """The words, in display order, and which of them are still hidden or were revealed by whom."""

    order: list[str]
    hidden: dict[Kind, list[str]]
    revealed: dict[Kind, dict[Kind, list[str]]] = field(default_factory=lambda: {
        by: {kind: [] for kind in Kind} for by in (Kind.TEAM, Kind.OPPONENT)})

    @classmethod
    def from_instance(cls, board: Sequence[str], assignments: Mapping[str, Sequence[str]]) -> "Board":
        hidden = {kind: [w.lower() for w in assignments.get(kind.value, [])] for kind in Kind}
        return cls([w.lower() for w in board], hidden)

    def kind_of(self, word: str) -> Kind | None:
        for kind, words in self.hidden.items():
            if word in words:
                return kind
        for by in self.revealed.values():
            for kind, words in by.items():
                if word in words:
                    return kind
        return None

    def hidden_words(self) -> list[str]:
        """The words still hidden, in display order."""
        hidden = {w for words in self.hidden.values() for w in words}
        return [w for w in self.order if w in hidden]

    def revealed_by(self, by: Kind) -> list[str]:
        return [w for words in self.revealed[by].values() for w in words]

    def reveal(self, word: str, by: Kind = Kind.TEAM) -> Kind | None:
        """Reveal a hidden word for ``by``; returns its kind, or None if it is not hidden."""
        for kind, words in self.hidden.items():
            if word in words:
                words.remove(word)
                self.revealed[by][kind].append(word)
                return kind
        return None

    # clembench checks the endings in this order
    def team_won(self) -> bool:
        return not self.hidden[Kind.TEAM]

    def opponent_won(self) -> bool:
        return not self.hidden[Kind.OPPONENT]

    def opponent_hit_assassin(self) -> bool:
        return bool(self.revealed[Kind.OPPONENT][Kind.ASSASSIN])

    def team_hit_assassin(self) -> bool:
        return bool(self.revealed[Kind.TEAM][Kind.ASSASSIN])


def stem(word: str) -> str:
    return _STEMMER.stemWord(word.lower())


def _first_line_with(prefix: str, lines: Iterable[str]) -> str | None:
    return next((line for line in lines if line.startswith(prefix)), None)


def comma_spaced(reply: str) -> str:
    """A space after every comma that lacks one: clembench reads ``a,b`` as ``a, b`` before splitting."""
    return re.sub(r",(?=\S)", ", ", reply)


@dataclass(frozen=True)
class Clue:
    word: str
    targets: tuple[str, ...]


def parse_clue(reply: str, hidden: Sequence[str], revealed: Sequence[str], flags: Flags = Flags()) -> Clue:
    """The cluegiver's ``CLUE: <word>`` and ``TARGETS: <w1>, <w2>`` lines, checked as clembench checks them.

    ``hidden``: the words still on the board; ``revealed``: those the team already revealed. The clue must
    be one word, not on the board and not sharing a stem with a hidden word (clembench compares WordNet
    lemmas; Snowball stems ship their data and are a little stricter). Targets are hidden words, each once.
    """
    lines = comma_spaced(reply).strip().split("\n")
    if len(lines) > 2 and not flags.ignore_rambling:
        raise InvalidReply("your answer has more than two lines: give only the clue and the targets, on two lines")
    clue_line, targets_line = _first_line_with(CLUE_PREFIX, lines), _first_line_with(TARGETS_PREFIX, lines)
    if clue_line is None:
        raise InvalidReply(f"your clue does not start with the prefix {CLUE_PREFIX.strip()!r}")
    if targets_line is None:
        raise InvalidReply(f"your targets do not start with the prefix {TARGETS_PREFIX.strip()!r}")
    clue = clue_line[len(CLUE_PREFIX):].lower()
    if any(c in clue for c in CHARS_TO_STRIP):
        if not flags.strip_words:
            raise InvalidReply(f"the clue {clue!r} contains characters other than letters")
        clue = clue.strip(CHARS_TO_STRIP)
    if re.search(r", [0-9]+", clue):
        if not flags.ignore_number_of_targets:
            raise InvalidReply("give only the clue word and the targets; do not add the number of targets")
        clue = clue.strip(NUMBERS_TO_STRIP)
    targets = [t.strip(CHARS_TO_STRIP) if flags.strip_words else t for t in targets_line[len(TARGETS_PREFIX):].split(", ")]
    targets = [t.lower() for t in targets]
    if not clue:
        raise InvalidReply("the clue is empty: give one word")
    if any(c.isspace() for c in clue):
        raise InvalidReply(f"the clue {clue!r} contains spaces and is not a single word")
    similar = next((w for w in hidden if stem(w) == stem(clue)), None)
    if similar is not None and similar != clue:
        raise InvalidReply(f"the clue {clue!r} is morphologically related to the word {similar!r} on the board")
    if clue in hidden:
        raise InvalidReply(f"the clue {clue!r} is one of the words on the board")
    targets = _check_words(targets, hidden, revealed, flags, "target")
    return Clue(clue, tuple(targets))


def parse_guesses(reply: str, hidden: Sequence[str], revealed: Sequence[str], clue: str, allowed: int,
                  flags: Flags = Flags()) -> tuple[str, ...]:
    """The guesser's ``GUESS: <w1>, <w2>`` line: 1 to ``allowed`` hidden words, each once, not the clue."""
    reply = comma_spaced(reply).strip()
    if "\n" in reply:
        if not flags.ignore_rambling:
            raise InvalidReply("your answer has more than one line: give one line of guesses")
        reply = _first_line_with(GUESS_PREFIX, reply.split("\n")) or reply
    if not reply.startswith(GUESS_PREFIX):
        raise InvalidReply(f"your guesses do not start with the prefix {GUESS_PREFIX.strip()!r}")
    guesses = reply[len(GUESS_PREFIX):].split(", ")
    if not flags.strip_words and any(c in g for g in guesses for c in CHARS_TO_STRIP):
        raise InvalidReply("a guess contains characters other than letters; separate the guesses with ', ' only")
    guesses = [(g.strip(CHARS_TO_STRIP) if flags.strip_words else g).lower() for g in guesses]
    if not 0 < len(guesses) <= allowed:
        raise InvalidReply(f"you made {len(guesses)} guesses but may make at most {allowed}")
    if clue in guesses and not flags.ignore_false_targets_or_guesses:
        raise InvalidReply(f"the guess {clue!r} is the clue itself; choose words from the list")
    return tuple(_check_words(guesses, hidden, revealed, flags, "guess"))


def _check_words(words: list[str], hidden: Sequence[str], revealed: Sequence[str], flags: Flags, what: str) -> list[str]:
    """Every word must be hidden and named once (or, with the lenient flag, the others are dropped)."""
    for word in words:
        if word not in hidden and not flags.ignore_false_targets_or_guesses:
            if word in revealed:
                raise InvalidReply(f"the {what} {word!r} was already revealed; use the words still listed")
            raise InvalidReply(f"the {what} {word!r} is not on the board; use only the words listed")
        if words.count(word) > 1 and not flags.ignore_false_targets_or_guesses:
            raise InvalidReply(f"the {what} {word!r} appears more than once")
    valid = [w for w in words if w in hidden]
    if not valid:
        raise InvalidReply(f"no {what} is a word on the board; at least one must be")
    return list(dict.fromkeys(valid)) if flags.ignore_false_targets_or_guesses else words


# ---------------------------------------------------------------------------------------------- scores

@dataclass(frozen=True)
class TurnRecord:
    """What one turn did, for the scores."""

    targets: tuple[str, ...]
    target_kinds: tuple[Kind, ...]
    guesses: tuple[str, ...]
    revealed: tuple[tuple[str, Kind], ...]  # the guesses actually revealed, in order
    team_hidden_before: int  # team words hidden when the turn began


def _f1(precision: float, recall: float) -> float:
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


def turn_measures(turn: TurnRecord) -> dict[str, float]:
    """clembench's per-turn measures of the cluegiver and the guesser."""
    n_targets = len(turn.targets)
    team_targets = sum(k is Kind.TEAM for k in turn.target_kinds)
    n_revealed = len(turn.revealed)
    target_hits = sum(w in turn.targets for w, _ in turn.revealed)
    team_hits = sum(k is Kind.TEAM for _, k in turn.revealed)
    remaining = max(1, turn.team_hidden_before)
    cg_precision = team_targets / n_targets if n_targets else 0.0
    cg_recall = team_targets / remaining
    g_target_precision = target_hits / n_revealed if n_revealed else 0.0
    g_target_recall = target_hits / n_targets if n_targets else 0.0
    g_team_precision = team_hits / n_revealed if n_revealed else 0.0
    g_team_recall = team_hits / remaining
    return {
        "Cluegiver Number of Targets": n_targets,
        "Cluegiver Team Precision": cg_precision,
        "Cluegiver Team Recall": cg_recall,
        "Cluegiver Team F1": _f1(cg_precision, cg_recall),
        "Guesser Number of Guesses": len(turn.guesses),
        "Guesser Number of Revealed Words": n_revealed,
        "Guesser Number of Unrevealed Guesses": len(turn.guesses) - n_revealed,
        "Guesser Target Precision": g_target_precision,
        "Guesser Target Recall": g_target_recall,
        "Guesser Target F1": _f1(g_target_precision, g_target_recall),
        "Guesser Team Precision": g_team_precision,
        "Guesser Team Recall": g_team_recall,
        "Guesser Team F1": _f1(g_team_precision, g_team_recall),
    }


def episode_measures(board: Board, turns: Sequence[TurnRecord], turns_started: int, counts: Mapping[str, int]) -> dict[str, float]:
    """clembench's episode measures (its Main Score is 100 x Success, set by the env).

    Recall: share of the team's words the team revealed. Efficiency: mean guesses per turn / 2, at most 1.
    """
    team_total = counts["team"]
    others = counts["opponent"] + counts["innocent"] + counts["assassin"]
    by_team = board.revealed[Kind.TEAM]
    recall = len(by_team[Kind.TEAM]) / team_total if team_total else 0.0
    wrong = len(by_team[Kind.ASSASSIN]) + len(by_team[Kind.OPPONENT]) + len(by_team[Kind.INNOCENT])
    negative_recall = 1 - wrong / others if others else 1.0
    per_turn = [turn_measures(t) for t in turns]
    guesses = sum(m["Guesser Number of Guesses"] for m in per_turn)
    efficiency = min(guesses / max(1, turns_started) / EXPECTED_WORDS_PER_TURN, 1.0)
    measures: dict[str, float] = {
        "Episode Recall": round(recall, 3),
        "Episode Negative Recall": round(negative_recall, 3),
        "Efficiency": round(efficiency, 3),
        "Number of turns": turns_started,
    }
    for name in per_turn[0] if per_turn else ():
        measures[f"Average {name}"] = round(statistics.mean(m[name] for m in per_turn), 3)
    return measures


# ---------------------------------------------------------------------------------------------- instances

DEFAULT_ASSIGNMENTS = {"team": 9, "opponent": 8, "innocent": 7, "assassin": 1}
KINDS_IN_ORDER = ("team", "opponent", "innocent", "assassin")


def random_board(rng: random.Random, words: Sequence[str], counts: Mapping[str, int]) -> dict:
    """Words drawn at random, then dealt at random to the kinds."""
    board = rng.sample(list(words), sum(counts.values()))
    dealt = rng.sample(board, len(board))
    assignments, start = {}, 0
    for kind in KINDS_IN_ORDER:
        assignments[kind] = dealt[start:start + counts[kind]]
        start += counts[kind]
    return {"board": board, "assignments": assignments}


def _chunk_sizes(rng: random.Random, remaining: int) -> int:
    """2 to 4 words from one category, never leaving exactly one slot to fill."""
    sizes = [s for s in (2, 3, 4) if remaining - s != 1]
    return min(rng.choice(sizes), remaining)


def category_board(rng: random.Random, categories: Mapping[str, Sequence[str]], counts: Mapping[str, int],
                   *, same_team: bool) -> dict:
    """Words taken 2-4 at a time from random categories.

    ``same_team`` (clembench's "easy word assignments"): each group goes to one kind, so related words share
    a team. Otherwise ("difficult"): each group is spread over different kinds.
    """
    unused = {name: list(words) for name, words in categories.items()}
    assignments: dict[str, list[str]] = {kind: [] for kind in KINDS_IN_ORDER}
    board: list[str] = []

    def take(maximum: int) -> list[str]:
        name = rng.choice(sorted(n for n, w in unused.items() if len(w) >= 4))
        group = rng.sample(unused.pop(name), _chunk_sizes(rng, maximum))
        board.extend(group)
        return group

    if same_team:
        for kind in KINDS_IN_ORDER:
            while len(assignments[kind]) < counts[kind]:
                assignments[kind].extend(take(counts[kind] - len(assignments[kind])))
    else:
        total = sum(counts.values())
        while len(board) < total:
            used: set[str] = set()
            for word in take(total - len(board)):
                open_kinds = [k for k in KINDS_IN_ORDER if len(assignments[k]) < counts[k]]
                kind = rng.choice([k for k in open_kinds if k not in used] or open_kinds)
                used.add(kind)
                assignments[kind].append(word)
    rng.shuffle(board)
    for kind in KINDS_IN_ORDER:
        rng.shuffle(assignments[kind])
    return {"board": board, "assignments": assignments}


# clembench's experiments, one variable changed at a time from the default; names made unique here
# (clembench names two experiments "easy" and two "low").
EXPERIMENTS: dict[str, dict] = {
    "risk_low": {"variable": "Risk", "assignments": {"team": 9, "opponent": 8, "innocent": 8, "assassin": 0}},
    "risk_high": {"variable": "Risk", "assignments": {"team": 9, "opponent": 8, "innocent": 3, "assassin": 5}},
    "assignments_easy": {"variable": "Word Assignments", "generator": "easy word assignments"},
    "assignments_difficult": {"variable": "Word Assignments", "generator": "difficult word assignments"},
    "opponent_none": {"variable": "Opponent Difficulty", "opponent difficulty": 0},
    "opponent_easy": {"variable": "Opponent Difficulty", "opponent difficulty": 1},
    "opponent_difficult": {"variable": "Opponent Difficulty", "opponent difficulty": 2},
    "frequency_low": {"variable": "Word Frequency", "wordlist": "low"},
    "frequency_high": {"variable": "Word Frequency", "wordlist": "high"},
}
DEFAULT_EXPERIMENT = {"opponent difficulty": 1, "assignments": DEFAULT_ASSIGNMENTS, "generator": "random",
                      "wordlist": "all"}
DEFAULT_FLAGS = {"IGNORE RAMBLING": False, "IGNORE FALSE TARGETS OR GUESSES": False, "REPROMPT ON ERROR": False,
                 "STRIP WORDS": True, "IGNORE NUMBER OF TARGETS": False}


def generate_instances(categories: Mapping[str, Sequence[str]], frequency: Callable[[str], float], seed: int,
                       per_experiment: int = 10) -> dict:
    """clembench's codenames experiments (its ``instances.json`` layout) from our categories.

    ``frequency(word)`` ranks the words (Zipf frequency): the "low"/"high" word lists are the least and most
    frequent third of all words.
    """
    rng = random.Random(seed)
    words = sorted(w for ws in categories.values() for w in ws)
    by_frequency = sorted(words, key=lambda w: (frequency(w), w))
    third = len(words) // 3
    wordlists = {"all": words, "low": by_frequency[:third], "high": by_frequency[-third:]}
    experiments = []
    for name, changes in EXPERIMENTS.items():
        experiment = {"name": name, **DEFAULT_EXPERIMENT, **changes, "flags": dict(DEFAULT_FLAGS)}
        counts = experiment["assignments"]
        instances = []
        for game_id in range(per_experiment):
            if experiment["generator"] == "random":
                board = random_board(rng, wordlists[experiment["wordlist"]], counts)
            else:
                board = category_board(rng, categories, counts, same_team=experiment["generator"].startswith("easy"))
            instances.append({"game_id": game_id, **board})
        experiments.append({**experiment, "game_instances": instances})
    return {"experiments": experiments}
