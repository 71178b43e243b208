"""dialogue/hot_air_balloon: clembench v3's hot air balloon survival game (its game name ``hot_air_balloon``).

Make it::

    env = llm_arena_env.make("dialogue/hot_air_balloon")
    env.reset(seed=0, options={"instance": ("inverse_en", 0)})

Two players, ``player_1`` (speaks first) and ``player_2``, must agree on one set of items to keep in a
balloon: the items together may weigh at most ``max_weight``, and each player values the items in its own
way (``equal`` mode: both the same; ``inverse``: opposed). Every reply is made of tagged parts only::

    STRATEGIC REASONING: {...}      (first, and only when the instance asks for it; not shown to the other)
    ARGUMENT: {...}                 (required in every reply)
    PROPOSAL: {'rope', 'tent'}      (a Python set of item names; becomes an active proposal)
    REFUSE: {'rope', 'tent'}        (withdraws one of the other player's active proposals)
    AGREE: {'rope', 'tent'}         (accepts one of the other player's active proposals: the game ends)

Rules and outcomes (clembench's game master and scorer):

- A reply that breaks the tag format (no leading reasoning where required, no argument, untagged text,
  a set that does not parse, only reasoning), or a rule (a proposal with unknown items, refusing or
  agreeing to a set the other player has not actively proposed, agreeing twice), is answered with the
  instance's re-prompt text and the same player replies again, while its ``patience`` lasts (2 in
  clembench's instances: the third mistake is one too many). Out of patience, a format mistake aborts the
  episode (Main Score NaN, one violated request) and a rule mistake loses it (Main Score 0). Re-prompted
  replies count as parsed requests, as in clembench.
- More than ``empty_turn_limit`` replies in a row without a proposal lose the game.
- AGREE on an active proposal: Success. Main Score: ``equal`` mode the normalized utility of player 1
  (100 x its utility / the best it could reach within the weight limit); ``inverse`` mode the harmonic mean
  of both normalized utilities, relative to the best reachable harmonic mean; 0 for a deal over the weight
  limit. Measures: ``Normalized Utility Player 1``/``2``, ``Harmonic Mean Score``, ``Violations Player
  1``/``2``, ``Total Violations``.

Instances use clembench's layout, so its ``air_balloon_survival`` files (``en``, ``de``, ``it``) play
unchanged: every instance carries its prompts, re-prompts, tag patterns and precomputed best values. The
shipped set (:func:`generate_instances`) is ours: our own English prompts, items and numbers
(``resources/hot_air_balloon/``). Deviations: docs/clembench-deviations-v3.md.
"""

from __future__ import annotations

import functools
import math
import random
from typing import Any

from llm_arena_env.games.dialogue import hot_air_balloon_rules as rules
from llm_arena_env.games.dialogue.base import DialogueEnv, IllegalAction
from llm_arena_env.games.dialogue.instances import load_resource

PLAYER_1, PLAYER_2 = "player_1", "player_2"
_NAN_MEASURES = ("Normalized Utility Player 1", "Normalized Utility Player 2", "Harmonic Mean Score")


@functools.lru_cache(maxsize=1)
def resources() -> dict[str, Any]:
    """Our items, tag patterns, prompts and re-prompts."""
    return load_resource("hot_air_balloon", "resources.json")


def draw_instance(rng: random.Random, mode: str, reasoning: bool, n_items: int = 8) -> dict[str, Any]:
    data = resources()
    items = rng.sample(data["items"], n_items)
    weights = {item: rng.randint(100, 900) for item in items}
    prefs1 = {item: rng.randint(50, 900) for item in items}
    if mode == "equal":
        prefs2 = dict(prefs1)
    else:  # opposed: the order of player 1's values reversed
        ranked = sorted(items, key=prefs1.get)
        prefs2 = {item: prefs1[other] for item, other in zip(ranked, reversed(ranked))}
    max_weight = sum(weights.values()) // 2
    best = rules.benchmarks(weights, (prefs1, prefs2), max_weight)
    if mode == "equal":
        best["max_harmonic"] = 1  # unused in equal mode (clembench stores 1)
    prompt = data["prompt"] + ("\n\n" + data["reasoning"] if reasoning else "")

    def prompt_for(prefs: dict[str, int]) -> str:
        listed = "\n".join(f"- {item}: weight {weights[item]}, value to you {prefs[item]}" for item in items)
        return prompt.replace("$ITEMS$", listed).replace("$MAX_WEIGHT$", str(max_weight))

    first_choice = "{" + ", ".join(repr(i) for i in sorted(best["pareto_optima_sets"][0])) + "}"
    opening = "STRATEGIC REASONING: {'...'}\n" if reasoning else ""
    return {
        # clembench's mock players (its programmatic model) send these; its game master requires them
        "mock_response_p1": f"{opening}ARGUMENT: {{'...'}}\nPROPOSAL: {first_choice}",
        "mock_response_p2": f"{opening}ARGUMENT: {{'...'}}\nAGREE: {first_choice}",
        "negotiation_mode": mode, "item_weights": weights, "player1_preferences": prefs1,
        "player2_preferences": prefs2, "max_weight": max_weight, **best, "empty_turn_limit": 8, "patience": 2,
        "strategic_reasoning": reasoning, "require_argument": True,
        "player1_initial_prompt": prompt_for(prefs1), "player2_initial_prompt": prompt_for(prefs2),
        **data["tags"], **data["reprompts"]}


def generate_instances(seed: int = 0, per_experiment: int = 6) -> dict[str, Any]:
    """Experiments ``equal_en``, ``inverse_en`` (with strategic reasoning) and ``reasoning_off_en``."""
    rng = random.Random(seed)
    plan = (("equal_en", "equal", True), ("inverse_en", "inverse", True), ("reasoning_off_en", "inverse", False))
    return {"experiments": [
        {"name": name, "game_instances": [{"game_id": i, **draw_instance(rng, mode, reasoning)}
                                          for i in range(per_experiment)]}
        for name, mode, reasoning in plan]}


class HotAirBalloonEnv(DialogueEnv):
    """clembench's hot air balloon game (see the module docstring)."""

    game_name = "hot_air_balloon"

    def __init__(self, **kwargs: Any):
        super().__init__([PLAYER_1, PLAYER_2], **kwargs)

    # ------------------------------------------------------------------ setup

    def _setup(self, instance: dict[str, Any], experiment: dict[str, Any]) -> None:
        if not instance:  # an empty set: play a drawn instance
            instance = draw_instance(random.Random(0), "inverse", True)
        try:
            self.tags = rules.Tags(instance["agree_tag"], instance["refusal_tag"], instance["proposal_tag"],
                                   instance["argument_tag"], instance["strategic_reasoning_tag"],
                                   bool(instance["strategic_reasoning"]), bool(instance["require_argument"]))
            self.scoring = rules.Scoring(
                instance["negotiation_mode"], dict(instance["item_weights"]),
                (dict(instance["player1_preferences"]), dict(instance["player2_preferences"])),
                int(instance["max_weight"]), (int(instance["max_u1"]), int(instance["max_u2"])),
                int(instance["max_total_utility"]), float(instance["max_harmonic"]),
                frozenset(frozenset(s) for s in instance.get("pareto_optima_sets", [])))
            self.reprompts = {key: instance[key] for key in (
                "no_sr_prompt", "no_argument_prompt", "untagged_sequence_prompt", "only_sr_prompt",
                "invalid_python_set_error", "proposal_error_prompt", "refuse_error_prompt",
                "agreement_ambiguous_prompt", "agreement_non_active_prompt")}
            self.patience = {PLAYER_1: int(instance["patience"]), PLAYER_2: int(instance["patience"])}
            self.empty_turn_limit = int(instance["empty_turn_limit"])
            prompts = {PLAYER_1: instance["player1_initial_prompt"], PLAYER_2: instance["player2_initial_prompt"]}
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"not a hot_air_balloon instance in clembench's layout: missing or bad {error}") from None
        self.items = frozenset(self.scoring.weights)
        self.active: dict[str, list[Any]] = {PLAYER_1: [], PLAYER_2: []}
        self.empty_turns = 0
        self.deal: frozenset[str] | None = None
        self.to_move = PLAYER_1
        self.tell(PLAYER_1, prompts[PLAYER_1])
        # player 2's prompt opens its first context, whatever that turns out to be (clemcore's initial_prompt)
        self._opening = {PLAYER_2: prompts[PLAYER_2]}

    def _current_agent(self) -> str:
        return self.to_move

    def _set_context(self, player: str, text: str) -> None:
        """What ``player`` sees next replaces what it was to see (clemcore keeps one context per player)."""
        self._pending[player] = [self._opening[player]] if player in self._opening else []
        self.tell(player, text)

    # ------------------------------------------------------------------ a reply

    def _parse_action(self, agent: str, text: str) -> rules.Reply:
        try:
            return rules.read_reply(text, self.tags)
        except rules.TagError as error:
            raise IllegalAction(self.reprompts[error.prompt_key]) from None

    def _reject(self, agent: str, action: Any, reason: str) -> None:
        # clembench re-prompts a malformed reply while the player's patience lasts; the reply stays in the
        # player's history and counts as a parsed request. Out of patience, the usual policy applies.
        if self.result is not None or not self._use_patience(agent):
            super()._reject(agent, action, reason)
            return
        self.infos[agent]["rejection"] = reason
        self._opening.pop(agent, None)
        self.record_reply(agent, str(action))
        self._set_context(agent, reason)

    def _use_patience(self, agent: str) -> bool:
        self.patience[agent] -= 1
        return self.patience[agent] >= 0

    def _play(self, agent: str, reply: rules.Reply) -> None:
        self._opening.pop(agent, None)
        other = PLAYER_2 if agent == PLAYER_1 else PLAYER_1
        self._set_context(other, reply.shown)
        problem = self._rule_problem(other, reply)
        if problem:
            if self._use_patience(agent):
                self._set_context(agent, self.reprompts[problem])
            else:
                self.end_game(success=False, main_score=0.0, detail=f"{agent} broke a rule once too often: {problem}")
            return
        self.empty_turns = 0 if reply.proposals else self.empty_turns + 1
        if self.empty_turns > self.empty_turn_limit:
            self.end_game(success=False, main_score=0.0, detail=f"{self.empty_turns} replies in a row without a proposal")
            return
        self.active[agent].extend(reply.proposals)
        for refusal in reply.refusals:
            if refusal not in self.active[other]:  # the same set refused twice in one reply
                self.end_game(success=False, main_score=0.0, detail="refused a proposal that is no longer active")
                return
            self.active[other].remove(refusal)
        if reply.agreements:
            self.deal = frozenset(reply.agreements[0])
            scores = rules.deal_scores(self.scoring, set(self.deal))
            self.end_game(success=True, main_score=scores["Harmonic Mean Score"], detail="agreed on a deal",
                          measures=scores)
            return
        self.to_move = other

    def _rule_problem(self, other: str, reply: rules.Reply) -> str | None:
        """The re-prompt for the first rule this reply breaks, None when it breaks none."""
        for proposal in reply.proposals:
            if not isinstance(proposal, (set, frozenset)):
                return "invalid_python_set_error"
            if not proposal <= self.items:
                return "proposal_error_prompt"
        if any(refusal not in self.active[other] for refusal in reply.refusals):
            return "refuse_error_prompt"
        if len(reply.agreements) > 1:
            return "agreement_ambiguous_prompt"
        if reply.agreements and reply.agreements[0] not in self.active[other]:
            return "agreement_non_active_prompt"
        return None

    def _measures(self) -> dict[str, float]:
        violations = {p: int(self.aborted and self._replier == p) for p in (PLAYER_1, PLAYER_2)}
        return {**{name: math.nan for name in _NAN_MEASURES},
                "Violations Player 1": violations[PLAYER_1], "Violations Player 2": violations[PLAYER_2],
                "Total Violations": sum(violations.values())}

    # ------------------------------------------------------------------ display

    def _render_text(self) -> str:
        active = "; ".join(f"{p}: {[sorted(s) if isinstance(s, (set, frozenset)) else s for s in a]}"
                           for p, a in self.active.items())
        return f"{super()._render_text()}\n\nactive proposals: {active}\ndeal: {sorted(self.deal or [])}"


# ---------------------------------------------------------------------- the scripted player

def _tag_word(pattern: str) -> str:
    """The literal tag a tag pattern starts with: ``'^\\s*STRATEGIC REASONING:\\s*...'`` -> ``'STRATEGIC REASONING:'``."""
    return pattern.removeprefix("^").removeprefix("\\s*").split(":", 1)[0] + ":"


def scripted_move(env: Any, agent: str) -> str:
    """A pair that agrees at once (player 1 reads the instance): player 1 proposes a Pareto-optimal set (else
    its most valued items that fit), player 2 agrees to it."""
    game = env.unwrapped
    tags, scoring = game.tags, game.scoring
    parts = [f"{_tag_word(tags.reasoning)} {{'scripted'}}"] if tags.require_reasoning else []
    if tags.require_argument or not parts:
        parts.append(f"{_tag_word(tags.argument)} {{'these items fit the weight limit'}}")
    if agent == PLAYER_2 and game.active[PLAYER_1]:
        chosen = set(game.active[PLAYER_1][-1])
        parts.append(f"{_tag_word(tags.agree)} {_set_text(chosen)}")
        return "\n".join(parts)
    if scoring.pareto_sets:
        chosen = set(min(sorted(s) for s in scoring.pareto_sets))
    else:
        chosen, weight = set(), 0
        for item in sorted(scoring.weights, key=lambda i: -scoring.preferences[0][i]):
            if weight + scoring.weights[item] <= scoring.max_weight:
                chosen.add(item)
                weight += scoring.weights[item]
    parts.append(f"{_tag_word(tags.propose)} {_set_text(chosen)}")
    return "\n".join(parts)


def _set_text(items: set[str]) -> str:
    return "{" + ", ".join(repr(item) for item in sorted(items)) + "}"
