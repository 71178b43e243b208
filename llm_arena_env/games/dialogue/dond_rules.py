"""Pure rules of Deal or No Deal (clembench v3's ``dond``): proposals, points and the Main Score.

An item set is a list of counts aligned with the instance's ``item_types``; a value function is a list of
non-negative ints aligned the same way. A proposal names what its author wants for itself, e.g.
``[Proposal: 2 hats, 1 book]``; an empty one (``[Proposal:]``) asks for nothing.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Sequence

import snowballstemmer

MODES = ("coop", "semi", "comp")
#: The word that opens a proposal inside the brackets, per language of clembench's instances.
PROPOSAL_PREFIX = {"en": "proposal:", "de": "vorschlag:", "it": "proposta:"}
_STEMMER_LANGUAGE = {"en": "english", "de": "german", "it": "italian"}


class ProposalError(ValueError):
    """A bracketed proposal that does not follow the syntax (clembench: a parse error, the episode aborts)."""


@dataclass(frozen=True)
class Items:
    """The items of one instance: singular and plural names, and how many there are of each."""

    types: tuple[str, ...]
    plurals: tuple[str, ...]
    counts: tuple[int, ...]

    def describe(self, counts: Sequence[int] | None = None) -> str:
        """``'3 rings, 1 dice, 1 pan'``: every type, with its singular name when the count is 1."""
        counts = self.counts if counts is None else counts
        return ", ".join(f"{n} {one if n == 1 else many}" for n, one, many in zip(counts, self.types, self.plurals))

    def describe_values(self, values: Sequence[int]) -> str:
        """``'ring: 0, dice: 4, pan: 6'``."""
        return ", ".join(f"{name}: {value}" for name, value in zip(self.types, values))


def _stem(language: str, word: str) -> str:
    return snowballstemmer.stemmer(_STEMMER_LANGUAGE[language]).stemWord(word.lower())  # NLTK lower-cases too


def match_type(items: Items, count: int, name: str, language: str) -> int | None:
    """The index of the item type ``name`` refers to: an exact singular/plural name (the form the count
    calls for first), else the one type whose stem matches; None when none or several do."""
    forms = [items.types, items.plurals] if count == 1 else [items.plurals, items.types]
    for words in forms:
        if name in words:
            return list(words).index(name)
    stem = _stem(language, name)
    for words in forms:
        hits = [i for i, word in enumerate(words) if _stem(language, word) == stem]
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            return None
    return None


def _first_bracketed(text: str) -> str | None:
    """What clembench's ``re.search(r"\\[(.*?)\\]", text)`` captures, in linear time: the text between the
    first "[" that has a "]" after it on its line and that "]" (the regex retries from every "[")."""
    for line in text.split("\n"):
        start = line.find("[")
        if start >= 0:
            end = line.find("]", start + 1)
            if end >= 0:
                return line[start + 1:end]
    return None


def find_proposal(text: str, items: Items, language: str) -> list[int] | None:
    """The counts the first ``[...]`` of ``text`` proposes, None when there is no bracket pair on a line.

    Raises ProposalError when the brackets do not hold ``<prefix> <n> <item>, ...`` with known items, each
    named once. Counts beyond what exists parse fine: that is a rule, not the syntax (see ``exceeds``)."""
    body = _first_bracketed(text)
    if body is None:
        return None
    body = body.strip().lower()
    prefix = PROPOSAL_PREFIX[language]
    if not body.startswith(prefix):
        raise ProposalError(f'a proposal starts with "{prefix}"')
    body = body[len(prefix):].strip()
    if body.endswith(","):
        body = body[:-1].strip()
    counts = [0] * len(items.types)
    seen: set[int] = set()
    for part in body.split(",") if body else []:
        words = part.split()
        if len(words) != 2 or not words[0].isdecimal():
            raise ProposalError("a proposal is a comma-separated list of '<number> <item>'")
        count = int(words[0])
        index = match_type(items, count, words[1], language)
        if index is None:
            raise ProposalError(f"{words[1]!r} is not one of the items ({', '.join(items.types)})")
        if index in seen:
            raise ProposalError(f"{items.types[index]!r} is named twice; name every item at most once")
        seen.add(index)
        counts[index] += count
    return counts


def exceeds(available: Sequence[int], *proposals: Sequence[int]) -> bool:
    """Whether the proposals together ask for more of some item than there is."""
    return any(sum(wanted) > total for total, *wanted in zip(available, *proposals))


def points(counts: Sequence[int], values: Sequence[int]) -> int:
    return sum(n * v for n, v in zip(counts, values))


def max_sum_of_points(counts: Sequence[int], values_a: Sequence[int], values_b: Sequence[int]) -> int:
    """Every item to whoever values it more."""
    return sum(n * max(a, b) for n, a, b in zip(counts, values_a, values_b))


def max_player_points(counts: Sequence[int], values_a: Sequence[int], values_b: Sequence[int]) -> int:
    return max(points(counts, values_a), points(counts, values_b))


def pareto_improvement(counts: Sequence[int], values_a: Sequence[int], values_b: Sequence[int],
                       got_a: Sequence[int], got_b: Sequence[int]) -> int:
    """The most one player could gain by another split of all items that leaves neither worse off."""
    now_a, now_b = points(got_a, values_a), points(got_b, values_b)
    best = 0
    for split in itertools.product(*(range(n + 1) for n in counts)):
        a = points(split, values_a)
        b = points([n - s for n, s in zip(counts, split)], values_b)
        if a >= now_a and b >= now_b:
            best = max(best, a - now_a, b - now_b)
    return best


@dataclass(frozen=True)
class Deal:
    """The end of a played episode: both proposals, and whether they fit together."""

    mode: str
    counts: tuple[int, ...]
    values_a: tuple[int, ...]
    values_b: tuple[int, ...]
    proposal_a: tuple[int, ...]
    proposal_b: tuple[int, ...]

    @property
    def agreed(self) -> bool:
        return not exceeds(self.counts, self.proposal_a, self.proposal_b)

    @property
    def sum_of_points(self) -> int:
        """Both players' points; 0 when the proposals clash (nobody gets anything)."""
        if not self.agreed:
            return 0
        return points(self.proposal_a, self.values_a) + points(self.proposal_b, self.values_b)

    @property
    def improvement(self) -> int:
        """How far the deal is from Pareto optimal, measured as clembench's dond does per mode."""
        if self.mode == "coop":
            return max_sum_of_points(self.counts, self.values_a, self.values_b) - self.sum_of_points
        if self.mode == "semi":
            if not self.agreed:
                return max_player_points(self.counts, self.values_a, self.values_b)
            return pareto_improvement(self.counts, self.values_a, self.values_b, self.proposal_a, self.proposal_b)
        return 0  # comp: zero-sum, every outcome is Pareto optimal

    @property
    def main_score(self) -> float:
        """100 x (1 - improvement / the largest possible improvement); always 100 in ``comp``."""
        if self.mode == "comp":
            return 100.0
        if self.mode == "coop":
            largest = max_sum_of_points(self.counts, self.values_a, self.values_b)
        else:
            largest = max_player_points(self.counts, self.values_a, self.values_b)
        return 100 * (1 - self.improvement / largest)
