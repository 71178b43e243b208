"""dialogue/dond: Deal or No Deal, clembench v3's negotiation game (its game name ``dond``).

Make it::

    env = llm_arena_env.make("dialogue/dond")
    env.reset(seed=0, options={"instance": ("semi_en", 3)})

Two players, ``player_a`` (speaks first) and ``player_b``, share a small set of items (e.g. ``3 rings,
1 dice, 1 pan``); each has a private value per item type. They talk freely for ``max_turns`` rounds (one
message each per round), then each makes a *secret* proposal of what it wants for itself, written in
square brackets: ``[Proposal: 2 rings, 1 pan]`` (``[Proposal:]`` asks for nothing). A player may propose
earlier; the other is then asked to propose too. A message with no brackets is passed on to the other
player as it is; a message with a proposal is not (the other player is only told that a proposal was made).

Rules and outcomes (clembench's game master and scorer):

- A bracketed text that is not a proposal (wrong opening word, not ``<number> <item>`` pairs, an unknown
  item, an item named twice) is a format violation: the episode is aborted (Main Score NaN), the reply a
  violated request. Item names match singular or plural, else by Snowball stem when that is unambiguous.
- A free message when a proposal is due (after the last round, or after the other player proposed), or a
  proposal asking for more of an item than exists, breaks a rule: clembench aborts the episode too, but
  counts the reply as parsed; so does this env, also when ``max_illegal_actions`` allows re-asking
  (that re-asks only format violations).
- Both proposals made: Success when together they ask for no more than there is, else Lose (nobody gets
  anything). Main Score by mode: ``coop`` (maximise the sum of both players' points):
  100 x sum / best possible sum; ``semi`` (maximise your own points): 100 x (1 - largest Pareto
  improvement / best single-player points), 0 on Lose; ``comp`` (maximise your lead): always 100.
- Measures: ``Sum of Points`` (sum / best possible sum) and ``Pareto Optimal`` (1 when no split of the
  items makes one player better off and neither worse off; in ``semi`` also 0 on Lose); NaN when aborted.
- Rewards (ours; clembench has none): ``coop`` Main Score / 100 for both; ``semi`` each player's own points
  / its points for all items; ``comp`` (own - other's points) / the larger of the two all-items totals.

Instances use clembench's layout, so its ``dond`` files (``en``, ``de``, ``it``) play unchanged:
experiments carry ``max_turns``, ``mode``, ``language``, ``initial_prompt`` (with ``$N$``, ``$ITEMS$``,
``$VALUE_FUNCTION$``), ``proposal_early`` and ``proposal_timeout``; instances carry ``item_types``,
``item_types_plural``, ``item_counts``, ``player_a_values`` and ``player_b_values``. The shipped set
(:func:`generate_instances`) has our own English prompts and items (``resources/dond/``).

Where this differs from clembench (see docs/clembench-deviations-v3.md): an empty or blank message, one
with control characters, or one without a letter or digit is rejected (clembench passes an empty message
on as "<no response from the other player>"); Snowball stems come from ``snowballstemmer``, not NLTK.
"""

from __future__ import annotations

import functools
import math
import random
import re
import unicodedata
from typing import Any

from llm_arena_env.games.dialogue import dond_rules as rules
from llm_arena_env.games.dialogue.base import DialogueEnv, IllegalAction
from llm_arena_env.games.dialogue.instances import load_resource

PLAYER_A, PLAYER_B = "player_a", "player_b"
_MEASURES = ("Sum of Points", "Pareto Optimal")


@functools.lru_cache(maxsize=1)
def resources() -> dict[str, Any]:
    """Our item names (singular, plural) and prompt templates, per mode."""
    return load_resource("dond", "resources.json")


def _values(rng: random.Random, counts: list[int]) -> list[int]:
    """A value per item type such that all items are worth exactly 10 (rejection sampling)."""
    while True:
        values = [rng.randint(0, 10) for _ in counts]
        if rules.points(counts, values) == 10:
            return values


def draw_instance(rng: random.Random, items: list[list[str]]) -> dict[str, Any]:
    """3-5 item types, 5-8 items; each player's all-items total is 10, every item is worth something to
    someone and at least one item to both (clembench's constraints, so that the game is a negotiation)."""
    while True:
        kinds = rng.sample(items, rng.randint(3, 5))
        counts = [1] * len(kinds)
        for _ in range(rng.randint(5, 8) - len(kinds)):
            counts[rng.randrange(len(kinds))] += 1
        a, b = _values(rng, counts), _values(rng, counts)
        if all(x or y for x, y in zip(a, b)) and any(x and y for x, y in zip(a, b)):
            return {"item_types": [k[0] for k in kinds], "item_types_plural": [k[1] for k in kinds],
                    "item_counts": counts, "player_a_values": a, "player_b_values": b}


def generate_instances(seed: int = 0, per_mode: int = 10) -> dict[str, Any]:
    """One experiment per mode (``coop_en``, ``semi_en``, ``comp_en``) of ``per_mode`` instances, 5 rounds."""
    data = resources()
    rng = random.Random(seed)
    experiments = []
    for mode in rules.MODES:
        experiments.append({
            "name": f"{mode}_en", "max_turns": 5, "mode": mode, "language": "en",
            "initial_prompt": data["prompts"][mode], "proposal_early": data["proposal_early"],
            "proposal_timeout": data["proposal_timeout"],
            "game_instances": [{"game_id": i, **draw_instance(rng, data["items"])} for i in range(per_mode)]})
    return {"experiments": experiments}


def _check_message(text: str) -> None:
    if not text.strip():
        raise IllegalAction("send a message (or a proposal such as '[Proposal: 1 book]'); it was empty")
    if any(unicodedata.category(char) == "Cc" and char not in "\n\t\r" for char in text):
        raise IllegalAction("a message may not hold control characters")
    if not re.search(r"[^\W_]", text):
        raise IllegalAction("a message needs words")


class DondEnv(DialogueEnv):
    """clembench's Deal or No Deal (see the module docstring)."""

    game_name = "dond"

    def __init__(self, **kwargs: Any):
        super().__init__([PLAYER_A, PLAYER_B], **kwargs)

    # ------------------------------------------------------------------ setup

    def _setup(self, instance: dict[str, Any], experiment: dict[str, Any]) -> None:
        if not instance and not experiment:  # an empty set: play a drawn instance
            experiment = {k: v for k, v in generate_instances(0, 1)["experiments"][1].items() if k != "game_instances"}
            instance = draw_instance(random.Random(0), resources()["items"])
        try:
            self.items = rules.Items(tuple(instance["item_types"]), tuple(instance["item_types_plural"]),
                                     tuple(int(n) for n in instance["item_counts"]))
            self.values = {PLAYER_A: tuple(instance["player_a_values"]), PLAYER_B: tuple(instance["player_b_values"])}
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"a dond instance needs item_types, item_types_plural, item_counts, "
                             f"player_a_values and player_b_values: {error}") from None
        defaults = resources()
        self.mode = experiment.get("mode", "semi")
        self.language = experiment.get("language", "en")
        if self.mode not in rules.MODES or self.language not in rules.PROPOSAL_PREFIX:
            raise ValueError(f"dond modes are {rules.MODES}, languages {tuple(rules.PROPOSAL_PREFIX)}; "
                             f"got {self.mode!r}, {self.language!r}")
        self.max_turns = int(experiment.get("max_turns", 5))
        self.proposal_early = experiment.get("proposal_early", defaults["proposal_early"])
        self.proposal_timeout = experiment.get("proposal_timeout", defaults["proposal_timeout"])
        template = (experiment.get("initial_prompt", defaults["prompts"][self.mode])
                    .replace("$N$", str(self.max_turns)).replace("$ITEMS$", self.items.describe()))
        self.proposals: dict[str, tuple[int, ...] | None] = {PLAYER_A: None, PLAYER_B: None}
        self.round = 0
        self.to_move = PLAYER_A
        for player in (PLAYER_A, PLAYER_B):
            self.tell(player, template.replace("$VALUE_FUNCTION$", self.items.describe_values(self.values[player])))

    def _current_agent(self) -> str:
        return self.to_move

    # ------------------------------------------------------------------ a reply

    def _parse_action(self, agent: str, text: str) -> list[int] | str:
        try:
            proposal = rules.find_proposal(text, self.items, self.language)
        except rules.ProposalError as error:
            raise IllegalAction(str(error)) from None
        if proposal is None:
            _check_message(text)
            return text
        return proposal

    def _proposal_due(self) -> bool:
        return self.round == self.max_turns or any(p is not None for p in self.proposals.values())

    def _play(self, agent: str, move: list[int] | str) -> None:
        other = PLAYER_B if agent == PLAYER_A else PLAYER_A
        if isinstance(move, str):
            if self._proposal_due():
                self.abort_game("a proposal was due, not a message", violated=False)
                return
            last_message = agent == PLAYER_B and self.round == self.max_turns - 1
            self.tell(other, move + "\n\n\n" + self.proposal_timeout if last_message else move)
        else:
            if rules.exceeds(self.items.counts, move):
                self.abort_game("the proposal asks for more items than there are", violated=False)
                return
            self.proposals[agent] = tuple(move)
            if all(p is not None for p in self.proposals.values()):
                self._end_with_deal()
                return
            self.tell(other, self.proposal_early)
        self.to_move = other
        if agent == PLAYER_B:
            self.round += 1

    def _end_with_deal(self) -> None:
        self.deal = rules.Deal(self.mode, self.items.counts, self.values[PLAYER_A], self.values[PLAYER_B],
                               self.proposals[PLAYER_A], self.proposals[PLAYER_B])
        best_sum = rules.max_sum_of_points(self.items.counts, self.values[PLAYER_A], self.values[PLAYER_B])
        self.end_game(success=self.deal.agreed, main_score=self.deal.main_score,
                      detail="the proposals fit together" if self.deal.agreed else "the proposals clash",
                      measures={"Sum of Points": self.deal.sum_of_points / best_sum,
                                "Pareto Optimal": int(self.deal.improvement == 0)})

    def _measures(self) -> dict[str, float]:
        return {name: math.nan for name in _MEASURES}  # a played ending passes the real values

    def _rewards(self, success: bool, main_score: float) -> dict[str, float]:
        if self.mode == "coop":
            return super()._rewards(success, main_score)
        got = {p: rules.points(self.proposals[p], self.values[p]) if success else 0 for p in self.values}
        full = {p: rules.points(self.items.counts, self.values[p]) or 1 for p in self.values}
        if self.mode == "semi":
            return {p: got[p] / full[p] for p in got}
        scale = max(full.values())
        return {PLAYER_A: (got[PLAYER_A] - got[PLAYER_B]) / scale, PLAYER_B: (got[PLAYER_B] - got[PLAYER_A]) / scale}

    # ------------------------------------------------------------------ display

    def _render_text(self) -> str:
        made = ", ".join(f"{p}: {self.items.describe(v) if v is not None else '-'}" for p, v in self.proposals.items())
        return f"{super()._render_text()}\n\nitems: {self.items.describe()}\nproposals: {made}"


# ---------------------------------------------------------------------- the scripted player

def scripted_move(env: Any, agent: str) -> str:
    """A pair that reaches a deal (they read both value tables): one message each, then each proposes the
    item types it values more (ties to player A), so the proposals fit together."""
    game = env.unwrapped
    if not game._proposal_due() and game.round == 0:
        return "Let us each take the items we value more than the other does."
    mine = [count if (a >= b) == (agent == PLAYER_A) else 0
            for count, a, b in zip(game.items.counts, game.values[PLAYER_A], game.values[PLAYER_B])]
    return f"[{rules.PROPOSAL_PREFIX[game.language]} {game.items.describe(mine)}]"
