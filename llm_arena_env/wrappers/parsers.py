"""Parsers: from a model's free-text reply to a move in the env's notation.

A parser is any object with ``parse(ParserInput) -> Parsed | None``; None means "no move found". Parsers
chain: :class:`ChainParser` asks each in turn and the first move wins. The default is
:class:`RuleBasedParser` (find the stated answer, then soft-match it against the legal moves), optionally
followed by :class:`LLMParser` (ask a second model what move the reply chose).

What a game adds to the generic matching (its own spellings of moves, chess's SAN and UCI read against the
board) comes from the observation's ``notation`` (:mod:`llm_arena_env.core.notation`), never from the text.

>>> parser = default_parser()
>>> parser.parse(ParserInput("I like the knight. **Final Answer:** nf3!", legal_actions=("e4", "Nf3"))).move
'Nf3'
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, replace
from typing import Any, Iterable, Mapping, Protocol, Sequence, runtime_checkable

from llm_arena_env.core.notation import PLAIN, Notation, notation_of


@dataclass(frozen=True)
class ParserInput:
    """What a parser may look at: the reply, the legal moves, the game's notation, a seed for ties."""

    text: str
    legal_actions: tuple[str, ...] = ()  # empty for free-text games: whatever is stated is the move
    notation: Notation = PLAIN  # the game's readings of its moves, from the observation
    seed: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "legal_actions", tuple(self.legal_actions))

    @classmethod
    def from_observation(cls, observation: Mapping[str, Any], text: str, seed: int = 0) -> ParserInput:
        """``text`` to be read against what ``observation`` says about the position."""
        legal = tuple(observation.get("legal_actions") or ())
        return cls(text, legal, notation_of(observation), seed)


@dataclass(frozen=True)
class Parsed:
    """A move a parser found, and how it was chosen, for the record."""

    move: str
    note: str = ""  # how the move was found, where that is worth recording ("read by ...", a tie broken)
    tied: tuple[str, ...] = ()  # the moves the reply named equally, where one was picked at random

    @classmethod
    def of(cls, found: Parsed | str | None) -> Parsed | None:
        """A parser's answer as a Parsed: parsers of one's own may return the move as a plain string."""
        return cls(found) if isinstance(found, str) else found


@runtime_checkable
class Parser(Protocol):
    def parse(self, parser_input: ParserInput) -> Parsed | None: ...


class ChainParser:
    """Asks each parser in turn; the first move found wins."""

    def __init__(self, parsers: Sequence[Parser]):
        self.parsers = tuple(parsers)

    def parse(self, parser_input: ParserInput) -> Parsed | None:
        for parser in self.parsers:
            found = Parsed.of(parser.parse(parser_input))
            if found is not None:
                return found
        return None


# ---------------------------------------------------------------------------------------- extraction

# Where a reply states its answer. The answer is the rest of the line after the tag.
# Prose that mentions "the final answer." is no tag: a separator, "is", or the end of the line must follow.
_FINAL_TAG = re.compile(r"\bfinal\s+answer\b(?:\s+is\b\s*[:：=\-–]?|\s*[:：=\-–]|[ \t]*$)", re.I | re.M)
_SOFT_TAGS = (
    re.compile(r"\banswer\s*(?:is\b\s*[:：=]?|[:：=])", re.I),
    # "Move: e4", "My move is e4", "best move: e4"; not "last move: e5" or "opponent's move: e5".
    re.compile(r"(?<!last )(?<!previous )(?<!opponent's )(?<!opponent’s )\bmove\s*(?:is\b\s*[:：=]?|[:：=])", re.I),
    re.compile(r"\bI\s*(?:will|'ll|’ll|shall|would)?\s*(?:play|choose|pick|go\s+with)\b\s*:?", re.I),
)
_ANSWER_TAG = re.compile(r"(?<!final )\banswer\s*[:：=]", re.I)
_ANSWER_ELEMENT = re.compile(r"<answer>(.*?)</answer>", re.I | re.S)
_BOXED = re.compile(r"\\boxed\s*\{")
_BACKTICKS = re.compile(r"`+([^`\n]+?)`+")
_BOLD = re.compile(r"\*\*([^*\n]+?)\*\*|__([^_\n]+?)__")
_HTML_TAG = re.compile(r"</?[A-Za-z][^<>\n]{0,40}>")
_LATEX_WRAPPER = re.compile(r"\\(?:boxed|text[a-z]*|math[a-z]*|mbox|fbox|bf|it)\s*\{")
_LATEX_DELIMITER = re.compile(r"\\[()\[\]]|\$")
_MARKDOWN = re.compile(r"\*+|__+|`+|~~")
_LAST_FEW = 5  # how many of the last tags of a kind are read
_MOST_WORDS = 50  # how many words of a line are tried as moves, from the end or the start
_LONGEST_ANSWER = 200  # characters of a \boxed{} answer read before giving up on its closing brace


def plain(text: str) -> str:
    """``text`` without HTML tags, LaTeX wrappers and delimiters, and markdown emphasis and code marks."""
    text = _HTML_TAG.sub(" ", text)
    text = _LATEX_WRAPPER.sub("", text).replace("{", "").replace("}", "")
    text = _LATEX_DELIMITER.sub("", text)
    return _MARKDOWN.sub("", text)


def tidy(candidate: str) -> str:
    """A candidate move without markup, quotes, bullets and trailing punctuation."""
    text = " ".join(plain(candidate).split())
    text = text.strip(" \"'“”‘’«»").lstrip("-•>→:：= ").rstrip(".,;:!?")
    return text.strip(" \"'“”‘’«»")


def _after_tag(text: str, end: int) -> str:
    """The rest of the line after a tag; the next non-empty line where the tag ends its line."""
    while end >= 0:
        line_end = text.find("\n", end)
        line = text[end : line_end if line_end >= 0 else len(text)]
        if tidy(line):
            return line
        end = line_end + 1 if line_end >= 0 else -1
    return ""


def _boxed(text: str) -> list[str]:
    """The contents of the last few ``\\boxed{...}``, braces balanced."""
    found = []
    for start in list(_BOXED.finditer(text))[-_LAST_FEW:]:
        depth, i, stop = 1, start.end(), min(len(text), start.end() + _LONGEST_ANSWER)
        while i < stop and depth:
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        if depth == 0:
            found.append(text[start.end() : i - 1])
    return found


def _tidied(found: Iterable[str]) -> list[str]:
    return [t for t in map(tidy, found) if t]


def _last_few(pattern: re.Pattern, text: str) -> list[re.Match]:
    """The last few matches of ``pattern``, last first: enough to find the answer, few enough to stay fast."""
    return list(pattern.finditer(text))[: -_LAST_FEW - 1 : -1]


def final_answer(text: str) -> str | None:
    """The answer a reply states outright: its last "Final Answer:", else ``<answer>``, else ``\\boxed{}``."""
    flat = plain(text)
    finals = _last_few(_FINAL_TAG, flat)
    # "Before my final answer: d4 looks passive. Answer: e4": an "Answer:" after the last final tag is the answer
    later = [m for m in _last_few(_ANSWER_TAG, flat) if finals and m.start() > finals[0].end()][:1]
    for answers in (
        _tidied(_after_tag(flat, m.end()) for m in later + finals)[::-1],
        _tidied(m[1] for m in _last_few(_ANSWER_ELEMENT, text))[::-1],
        _tidied(_boxed(text)),
    ):
        if answers:
            return answers[-1]
    return None


def stated_moves(text: str) -> list[str]:
    """Moves a reply names in passing ("Answer: X", "Move: X", "My move is X", "I play X"), last first."""
    flat = plain(text)
    return _tidied(_after_tag(flat, m.end()) for tag in _SOFT_TAGS for m in _last_few(tag, flat))


def hints(text: str) -> list[str]:
    """Where else a move may hide: the last line, then text in backticks or bold (last first)."""
    lines = _tidied(plain(text).split("\n"))
    bold = [a or b for a, b in _BOLD.findall(text)]
    return _tidied(lines[-1:] + _BACKTICKS.findall(text)[: -_LAST_FEW - 1 : -1] + bold[: -_LAST_FEW - 1 : -1])


# ------------------------------------------------------------------------------------ soft matching

_MOVE_NUMBER = re.compile(r"^\d+\s*(?:\.{1,3}|…)\s*(?=\S)")
_FILLER_WORDS = re.compile(r"\b(?:row|column|col|cell|square|position|point|place|drop|play|put|move|in|at|on|to|the)\b", re.I)
# A legal action that starts with the player's mark: "x(1,1)", "W d4", "P2(h,0,1)", "Point 3", "o3", "GO: north".
_MARKED = re.compile(r"^([A-Za-z]+\d?)(?::?\s+|(?=\())(.+)$|^([xo])(\d+)$")
# A word of a reply: "column 3"-like phrases, "(1, 2)"-like groups, or a run without spaces and commas.
_TOKEN = re.compile(r"(?:column|col|row|cell|point|position|square)\s*\d+|\S*\([^()]*\)\S*|[^\s,;]+", re.I)


def squeeze(text: str) -> str:
    """Lower-case letters and digits only, without a leading move number: "12. Nf3+" -> "nf3"."""
    return re.sub(r"[^0-9a-z]", "", _MOVE_NUMBER.sub("", text.strip()).casefold())


class SoftMatcher:
    """Finds the legal moves a candidate may mean: exactly; by the game's own reading (its notation:
    for chess, every way of writing a move, read against the board); by case; ignoring spaces and
    punctuation; without the player's mark ("(1,1)" for "x(1,1)"); without filler words ("column 3").
    The generic readings try the game's aliases of the candidate too."""

    def __init__(self, legal_actions: Sequence[str], notation: Notation = PLAIN):
        self.legal_actions = tuple(legal_actions)
        self.notation = notation
        self._squeezed = {a: squeeze(a) for a in self.legal_actions}
        self._bodies = _marked_bodies(self.legal_actions)

    def candidates(self, text: str) -> list[str]:
        """The legal moves ``text`` may stand for, by the first way of reading it that finds any."""
        if text in self.legal_actions:
            return [text]
        found = [a for a in self.notation.match(text, self.legal_actions) if a in self.legal_actions]
        if found:
            return list(dict.fromkeys(found))
        spellings = (text, *self.notation.aliases(text))
        for reading in (self._exact, self._casefold, self._squeezed_equal, self._body, self._without_fillers):
            found = [move for spelling in spellings for move in reading(spelling)]
            if found:
                return list(dict.fromkeys(found))
        return []

    def _exact(self, text: str) -> list[str]:
        return [text] if text in self.legal_actions else []

    def _casefold(self, text: str) -> list[str]:
        return [a for a in self.legal_actions if a.casefold() == text.strip().casefold()]

    def _squeezed_equal(self, text: str) -> list[str]:
        key = squeeze(text)
        return [a for a, s in self._squeezed.items() if key and s == key]

    def _body(self, text: str) -> list[str]:
        key = squeeze(text)
        return [a for a, body in self._bodies.items() if key and body == key]

    def _without_fillers(self, text: str) -> list[str]:
        key = squeeze(_FILLER_WORDS.sub(" ", text))
        return [a for a in self.legal_actions if key and key in (self._squeezed[a], self._bodies.get(a))]


def _marked_bodies(legal_actions: Sequence[str]) -> dict[str, str]:
    """The squeezed text, without the player's mark, of the legal actions that carry one shared mark
    (the others, like a "DONE" beside "GO: north", keep no body)."""
    marked = {a: m for a in legal_actions if (m := _MARKED.match(a))}
    if len({m[1] or m[3] for m in marked.values()}) != 1:
        return {}
    return {a: squeeze(m[2] or m[4]) for a, m in marked.items()}


def pick(found: Sequence[str], said: str, seed: int) -> Parsed:
    """The one move found, or one of several picked with ``random.Random(seed)``; the pick is noted."""
    if len(found) == 1:
        return Parsed(found[0])
    tied = tuple(sorted(found))
    chosen = random.Random(seed).choice(tied)
    return Parsed(chosen, f"{said!r} matches {', '.join(tied)} equally; picked {chosen} at random (seed {seed})", tied)


def words(text: str) -> list[str]:
    """The words of ``text`` that could be moves, tidied."""
    return _tidied(_TOKEN.findall(text))


def match_text(text: str, matcher: SoftMatcher, seed: int, *, from_end: bool = False, numbers: bool = True) -> Parsed | None:
    """A legal move for the whole of ``text``, else for one of its words (the first or the last that
    matches). ``numbers=False`` skips bare numbers among the words: "3" is column 3 when it is the
    answer, not when it is "3 options" in prose."""
    parts = words(text)
    parts = parts[: -_MOST_WORDS - 1 : -1] if from_end else parts[:_MOST_WORDS]
    for part in [text] + [p for p in parts if numbers or not p.isdigit()]:
        found = matcher.candidates(part)
        if found:
            return pick(found, part, seed)
    return None


# ---------------------------------------------------------------------------------------- parsers

_SHORT_REPLY_WORDS = 40  # a reply this short may name its move anywhere in it
_MOVE_LIKE = re.compile(r"\d|^[O0o]-[O0o]")  # a word with a square or a castling: "Qxf7", "(1,1)", "O-O"


class RuleBasedParser:
    """Finds the move a reply states and matches it against the legal moves.

    A stated final answer ("Final Answer: X", ``<answer>X</answer>``, ``\\boxed{X}``) is the move even
    when it matches no legal move, so that the env can say what is wrong with it. Without one, weaker
    hints are tried in turn ("Answer: X", "Move: X", "I play X", the last line, backticks, bold, the words
    of a short reply) and the first that names a legal move wins. Free-text games (no legal moves listed)
    get the reply exactly as written: the game's own format rules judge it, and "final answer" or a tag
    inside a clue or a guess is part of it (clembench's games read the whole reply)."""

    def parse(self, parser_input: ParserInput) -> Parsed | None:
        text, seed = parser_input.text or "", parser_input.seed
        if not parser_input.legal_actions:
            return Parsed(text) if text.strip() else None
        answer = final_answer(text)
        matcher = SoftMatcher(parser_input.legal_actions, parser_input.notation)
        if answer is not None:
            move = match_text(answer, matcher, seed)
            return move if move is not None else Parsed(_stated(answer))
        for said in stated_moves(text):
            move = match_text(said, matcher, seed)
            if move is not None:
                return move
        for hint in hints(text):
            move = match_text(hint, matcher, seed, from_end=True, numbers=False)
            if move is not None:
                return move
        if len(words(text)) <= _SHORT_REPLY_WORDS:
            return match_text(plain(text), matcher, seed, from_end=True, numbers=False)
        return None


def _stated(answer: str) -> str:
    """An answer that matches no legal move, as the env should see it: "Qxf7, winning the queen" -> "Qxf7"."""
    return next((w for w in words(answer) if _MOVE_LIKE.search(w)), answer)


DEFAULT_LLM_PARSER_PROMPT = (
    "A player of a game wrote the reply below. Which move did the player choose in the end?\n\n"
    'Reply:\n"""\n{reply}\n"""\n\n'
    "Legal moves: {legal_moves}\n\n"
    "Answer with the chosen move exactly as it is written among the legal moves, and nothing else. "
    "If the reply chose no move, answer: none"
)


class LLMParser:
    """Asks a second model which move a reply chose, then soft-matches that model's answer.

    ``prompt`` is a ``str.format`` template with ``{reply}`` and ``{legal_moves}``. A transport failure,
    "none", or an answer that matches no legal move gives None."""

    def __init__(self, backend: Any, prompt: str = DEFAULT_LLM_PARSER_PROMPT, options: dict | None = None):
        self.backend = backend
        self.prompt = prompt
        self.options = {"temperature": 0.0, **(options or {})}

    def parse(self, parser_input: ParserInput) -> Parsed | None:
        from llm_arena_env.agents.backends.base import Request

        if not parser_input.legal_actions:  # nothing to choose among: a free-text reply is never rewritten
            return None
        legal = ", ".join(parser_input.legal_actions)
        content = self.prompt.format(reply=parser_input.text, legal_moves=legal)
        [result] = self.backend.complete([Request(({"role": "user", "content": content},), options=self.options)])
        if isinstance(result, Exception):
            return None
        answer = tidy(result.text)
        if not answer or answer.casefold() == "none":
            return None
        matcher = SoftMatcher(parser_input.legal_actions, parser_input.notation)
        found = match_text(answer, matcher, parser_input.seed)
        if found is None:
            return None
        note = "; ".join(n for n in (f"read by {self.backend.name}", found.note) if n)
        return replace(found, note=note)


def default_parser(llm_backend: Any = None) -> Parser:
    """Rule-based extraction and soft matching, then (where a backend is given) the LLM parser."""
    if llm_backend is None:
        return RuleBasedParser()
    return ChainParser([RuleBasedParser(), LLMParser(llm_backend)])


__all__ = [
    "ParserInput",
    "Parser",
    "Parsed",
    "ChainParser",
    "RuleBasedParser",
    "LLMParser",
    "SoftMatcher",
    "default_parser",
    "final_answer",
    "stated_moves",
    "hints",
    "match_text",
    "plain",
    "tidy",
    "squeeze",
    "pick",
    "words",
    "DEFAULT_LLM_PARSER_PROMPT",
]
