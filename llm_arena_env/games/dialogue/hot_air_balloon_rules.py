"""Pure rules of the hot air balloon game (clembench v3's ``hot_air_balloon``): reading a reply's tags,
and scoring a deal.

A reply is a sequence of tagged parts, ``TAG: {...}``, whose patterns come from the instance (``agree_tag``,
``refusal_tag``, ``proposal_tag``, ``argument_tag``, ``strategic_reasoning_tag``: regular expressions, in
the instance's language). PROPOSAL, REFUSE and AGREE carry a Python set literal of item names.
"""

from __future__ import annotations

import ast
import itertools
import re
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence


@dataclass(frozen=True)
class Tags:
    """The tag patterns of an instance and which of them a reply must carry."""

    agree: str
    refuse: str
    propose: str
    argument: str
    reasoning: str
    require_reasoning: bool
    require_argument: bool


@dataclass(frozen=True)
class Reply:
    """What a well-formed reply says: the sets it proposes, refuses and agrees to, and the text the other
    player is shown (the reply without its strategic reasoning)."""

    proposals: tuple[Any, ...] = ()
    refusals: tuple[Any, ...] = ()
    agreements: tuple[Any, ...] = ()
    shown: str = ""


class TagError(ValueError):
    """A reply that breaks the tag format; ``prompt_key`` names the instance's re-prompt for it."""

    def __init__(self, prompt_key: str):
        super().__init__(prompt_key)
        self.prompt_key = prompt_key


def _literal(text: str) -> Any:
    try:
        return ast.literal_eval(text)
    except Exception:  # clembench accepts any literal and re-prompts on anything that is none
        raise TagError("invalid_python_set_error") from None


def read_reply(text: str, tags: Tags) -> Reply:
    """The reply's tagged parts, or TagError with the re-prompt clembench sends for the first problem.

    Checks in clembench's order: the strategic reasoning opens the reply, an argument is present, nothing
    is left untagged, every set parses, and the reasoning is not all there is. Parts are removed across
    lines but read within one line (clembench's ``re.sub`` uses DOTALL, its ``findall`` does not)."""
    patterns = [tags.agree, tags.refuse, tags.propose]
    if tags.require_reasoning:
        patterns.append(tags.reasoning)
        if not re.match(tags.reasoning, text, re.DOTALL):
            raise TagError("no_sr_prompt")
    if tags.require_argument:
        if not re.search(tags.argument, text, re.DOTALL):
            raise TagError("no_argument_prompt")
        patterns.append(tags.argument)
    rest = text
    for pattern in patterns:
        rest = re.sub(pattern, "", rest, flags=re.DOTALL)
    if rest.strip():
        raise TagError("untagged_sequence_prompt")
    shown = text
    found: dict[str, list[Any]] = {tags.agree: [], tags.refuse: [], tags.propose: []}
    for pattern in patterns:
        for match in re.findall(pattern, text):
            body = match.split(":", 1)[1].strip()
            if pattern == tags.reasoning and tags.require_reasoning:
                shown = re.sub(re.compile(tags.reasoning, re.DOTALL), "", text).strip()
                if not re.search(r"\S", shown):
                    raise TagError("only_sr_prompt")
            if pattern in found:
                found[pattern].append(_literal(body))
    return Reply(tuple(found[tags.propose]), tuple(found[tags.refuse]), tuple(found[tags.agree]), shown)


@dataclass(frozen=True)
class Scoring:
    """What an instance says about scoring: preferences, weights and the best values reachable."""

    mode: str  # "equal" (same preferences) or "inverse"
    weights: Mapping[str, int]
    preferences: tuple[Mapping[str, int], Mapping[str, int]]
    max_weight: int
    max_u: tuple[int, int]
    max_total_utility: int
    max_harmonic: float
    pareto_sets: frozenset[frozenset[str]] = field(default_factory=frozenset)


def deal_scores(scoring: Scoring, deal: set[str]) -> dict[str, float]:
    """clembench's normalized utilities and harmonic mean of an agreed deal (all 0 when it is too heavy)."""
    u1 = sum(scoring.preferences[0][item] for item in deal)
    u2 = sum(scoring.preferences[1][item] for item in deal)
    nan = float("nan")
    n1 = u1 / scoring.max_u[0] * 100 if scoring.max_u[0] > 0 else nan
    n2 = u2 / scoring.max_u[1] * 100 if scoring.max_u[1] > 0 else nan
    harmonic = 2 * (n1 * n2) / (n1 + n2) if n1 + n2 > 0 else nan
    mean = harmonic / scoring.max_harmonic * 100 if scoring.max_total_utility > 0 else nan
    if scoring.mode == "equal":
        mean = n1
    if sum(scoring.weights[item] for item in deal) > scoring.max_weight:
        n1 = n2 = mean = 0
    return {"Normalized Utility Player 1": n1, "Normalized Utility Player 2": n2, "Harmonic Mean Score": mean}


def benchmarks(weights: Mapping[str, int], prefs: Sequence[Mapping[str, int]], max_weight: int) -> dict[str, Any]:
    """The best values an instance can reach, by trying every set of items (for small instances)."""
    items = sorted(weights)
    feasible = [set(c) for r in range(1, len(items) + 1) for c in itertools.combinations(items, r)
                if sum(weights[i] for i in c) <= max_weight]
    utils = [(s, sum(prefs[0][i] for i in s), sum(prefs[1][i] for i in s)) for s in feasible]
    max_u1 = max((u for _, u, _ in utils), default=0)
    max_u2 = max((u for _, _, u in utils), default=0)
    best_harmonic = 0.0
    for _, u1, u2 in utils:
        n1, n2 = (u1 / max_u1 * 100 if max_u1 else 0), (u2 / max_u2 * 100 if max_u2 else 0)
        if n1 + n2 > 0:
            best_harmonic = max(best_harmonic, 2 * n1 * n2 / (n1 + n2))
    pareto = [s for s, a1, a2 in utils
              if not any(b1 >= a1 and b2 >= a2 and (b1 > a1 or b2 > a2) for _, b1, b2 in utils)]
    return {"max_u1": max_u1, "max_u2": max_u2, "max_total_utility": max((a + b for _, a, b in utils), default=0),
            "max_harmonic": best_harmonic, "pareto_optima_count": len(pareto),
            "pareto_optima_sets": [sorted(s) for s in pareto]}
