"""dialogue/matchit_ascii: clembench's MatchIt (ASCII). Two players find out whether their grids are the same.

Make it::

    env = llm_arena_env.make("dialogue/matchit_ascii")
    env.reset(seed=0, options={"instance": ("similar_grid_1", 0)})

Roles and turns (players ``player_a``, ``player_b``). Each sees only its own 5x5 grid of "X" and "▢".
Every reply starts with its flag as the first word: ``DESCRIPTION:``, ``QUESTION:``, ``ANSWER:`` or
``DECISION:``. The order is clembench's:

1. ``player_a`` describes its grid; ``player_b`` describes its own, then reads A's description and asks a
   question.
2. ``decision_turn`` rounds (default 3): each player answers the other's last question and asks one of
   its own, so each asks 3 questions; in the last round ``player_b`` answers and then decides.
3. ``player_a`` decides.

A decision is the whole reply ``DECISION: same grid`` or ``DECISION: different grids`` (case and
surrounding dots ignored; an experiment's ``solution`` / ``wrong_solution`` labels win).

Outcomes: a reply without the expected flag, an empty reply, or a decision that is neither label aborts
the episode (clembench). Otherwise Success (Main Score 100) when both decide correctly, else Lose (Main
Score 0). ``Player Score`` is 100, 50 or 0 for two, one or no right decisions (NaN when aborted).

Keywords of ``make`` (defaults): ``decision_turn=3`` (an instance's ``decision_turn`` wins),
``same_label="same grid"``, ``different_label="different grids"``, ``instances`` (clembench's
matchit_ascii files load and play, their prompts included), plus DialogueEnv's and TextEnv's keywords.

Instances: clembench's difficulties ``same_grid``, ``similar_grid_1`` (flipped or turned),
``similar_grid_2`` (two cells inverted) and ``different_grid``, made from the curated grids in
``resources/matchit_ascii/grids.json`` by :func:`generate_instances`.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from llm_arena_env.games.dialogue import matchit_rules as rules
from llm_arena_env.games.dialogue.base import DialogueEnv, IllegalAction
from llm_arena_env.games.dialogue.matchit_rules import Move

RESOURCES = Path(__file__).parent / "resources" / "matchit_ascii"
PLAYERS = {"a": "player_a", "b": "player_b"}

INITIAL_PROMPT = """You are playing a cooperative guessing game. The goal is to find out whether this grid and \
another grid that only I can see are the same.
Describe your grid first. Then I will give you my description, and we can ask each other questions about our \
grids to find out whether they are the same. Now start your short description of the grid with \
"$FLAG$" followed by the description. Add nothing else. This is your grid:
$GRID$"""
Q_REPROMPT = ("Now ask a question to find out something about my grid that may differ from yours. Start with "
              "\"$FLAG$\" and add nothing else.")
D_REPROMPT = ("Now decide: are your grid and the other grid the same? Write \"$FLAG$ $SOL_SAME$\" if you think "
              "they are the same grid, or \"$FLAG$ $SOL_DIFF$\" if you think they are different. Add nothing else.")
A_REQUEST = " Start your answer with \"$FLAG$\" and add nothing else."
DESC_INTRO = "This is my "


def generate_instances(seed: int = 0) -> dict:
    """The shipped instance set: see :func:`matchit_rules.generate_instances`."""
    grids = json.loads((RESOURCES / "grids.json").read_text(encoding="utf-8"))
    return rules.generate_instances(grids, seed)


class MatchItEnv(DialogueEnv):
    """clembench's MatchIt (ASCII) (see the module docstring)."""

    game_name = "matchit_ascii"

    def __init__(self, decision_turn: int = 3, same_label: str = rules.SAME, different_label: str = rules.DIFFERENT,
                 **kwargs: Any):
        if not isinstance(decision_turn, int) or decision_turn < 1:
            raise ValueError(f"decision_turn must be an int >= 1, got {decision_turn!r}")
        self.decision_turn = decision_turn
        self.same_label, self.different_label = same_label, different_label
        super().__init__(list(PLAYERS.values()), **kwargs)

    # ------------------------------------------------------------------ setup

    def _setup(self, instance: dict[str, Any], experiment: dict[str, Any]) -> None:
        if not instance.get("grid_a") or not instance.get("grid_b"):
            raise ValueError("a matchit_ascii instance needs 'grid_a' and 'grid_b'")
        self.grids = {"a": str(instance["grid_a"]), "b": str(instance["grid_b"])}
        self.same = rules.normalize(self.grids["a"]) == rules.normalize(self.grids["b"])
        self.flags = {**rules.DEFAULT_FLAGS, **(experiment.get("flags") or {})}
        self.labels = self._labels(experiment)
        self.steps = rules.script(int(instance.get("decision_turn", self.decision_turn)))
        self.step_index = 0
        self.said: dict[tuple[str, Move], str] = {}
        self.decisions: dict[str, bool] = {}  # player -> decided correctly
        prompt = (experiment.get("initial_prompt") or INITIAL_PROMPT).replace("$FLAG$", self.flags["description"])
        self.prompt = prompt.replace("$NUM_QUESTIONS$", "")
        self.q_reprompt = experiment.get("q_reprompt") or Q_REPROMPT.replace("$FLAG$", self.flags["question"])
        self.d_reprompt = experiment.get("d_reprompt") or D_REPROMPT.replace("$FLAG$", self.flags["decision"]).replace(
            "$SOL_SAME$", self.labels[True]).replace("$SOL_DIFF$", self.labels[False])
        self.a_request = experiment.get("a_request") or A_REQUEST.replace("$FLAG$", self.flags["answer"])
        self.desc_intro = experiment.get("desc_intro") or DESC_INTRO
        self.tell(PLAYERS["a"], self.prompt.replace("$GRID$", self.grids["a"]))

    def _labels(self, experiment: dict[str, Any]) -> dict[bool, str]:
        """The decision labels: {True: same, False: different}. clembench's experiments name the right one
        ``solution`` and the other ``wrong_solution``."""
        if experiment.get("solution") and experiment.get("wrong_solution"):
            right, wrong = str(experiment["solution"]), str(experiment["wrong_solution"])
            return {True: right, False: wrong} if self.same else {True: wrong, False: right}
        return {True: self.same_label, False: self.different_label}

    def _current_agent(self) -> str:
        return PLAYERS[self.steps[self.step_index].player]

    # ------------------------------------------------------------------ replies

    def _parse_action(self, agent: str, text: str) -> Any:
        move = self.steps[self.step_index].move
        flag = self.flags[move.value]
        if not text.strip():
            raise IllegalAction("the reply is empty")
        if not rules.has_flag(text, flag):
            raise IllegalAction(f"start your reply with {flag!r} (then a space)")
        if move is Move.DECISION:
            decision = rules.read_decision(text, flag, self.labels[True], self.labels[False])
            if decision is None:
                raise IllegalAction(f"decide with exactly '{flag} {self.labels[True]}' or '{flag} {self.labels[False]}'")
            return decision
        return text.strip()

    def _play(self, agent: str, move: Any) -> None:
        step = self.steps[self.step_index]
        me, other = step.player, "b" if step.player == "a" else "a"
        if step.move is Move.DECISION:
            self.decisions[me] = move == self.same
        else:
            self.said[(me, step.move)] = move
        self.step_index += 1
        if self.step_index == len(self.steps):
            self._score()
            return
        self._relay(step, me, other)

    def _relay(self, step: rules.Step, me: str, other: str) -> None:
        """What clembench's game master passes on after ``step`` (see the module docstring for the order)."""
        nxt = self.steps[self.step_index]
        if step.move is Move.DESCRIPTION and me == "a":
            self.tell(PLAYERS["b"], self.prompt.replace("$GRID$", self.grids["b"]))
        elif step.move is Move.DESCRIPTION:
            self.tell(PLAYERS["b"], f"{self.desc_intro}{self.said[('a', Move.DESCRIPTION)]}\n{self.q_reprompt}")
        elif step.move is Move.ANSWER and nxt.move is Move.DECISION:
            self.tell(PLAYERS[other], f"{self.said[(me, Move.ANSWER)]}\n{self.d_reprompt}")
            self.tell(PLAYERS[me], self.d_reprompt)
        elif step.move is Move.ANSWER:
            self.tell(PLAYERS[me], self.q_reprompt)
        elif step.move is Move.QUESTION and (me, Move.ANSWER) not in self.said:  # B's first question
            self.tell(PLAYERS["a"], f"{self.desc_intro}{self.said[('b', Move.DESCRIPTION)]}\n"
                                    f"{self.said[('b', Move.QUESTION)]}{self.a_request}")
        elif step.move is Move.QUESTION:
            self.tell(PLAYERS[other], f"{self.said[(me, Move.ANSWER)]}\n{self.said[(me, Move.QUESTION)]}{self.a_request}")

    def _score(self) -> None:
        right = sum(self.decisions.values())
        both = right == 2
        self.end_game(success=both, main_score=100.0 if both else 0.0, detail=f"{right} of 2 decided correctly",
                      measures={"Player Score": 50.0 * right})

    def _measures(self) -> dict[str, float]:
        return {"Player Score": math.nan}

    def _render_text(self) -> str:
        return (f"{super()._render_text()}\n\ngrid A:\n{self.grids['a']}\n\ngrid B:\n{self.grids['b']}\n"
                f"same: {self.same}")


# ---------------------------------------------------------------------- the scripted player

def scripted_move(env: Any, agent: str) -> str:
    """A winning pair (they read both grids): each step of the script in its own form, then the right
    decision."""
    game = env.unwrapped
    step = game.steps[game.step_index]
    flag = game.flags[step.move.value]
    if step.move is Move.DECISION:
        return f"{flag} {game.labels[game.same]}"
    if step.move is Move.DESCRIPTION:
        marks = rules.normalize(game.grids[step.player]).count("X")
        return f"{flag} a grid with {marks} X marks"
    if step.move is Move.QUESTION:
        return f"{flag} How many X marks are in your first row?"
    row = game.grids[step.player].strip().splitlines()[0]
    return f"{flag} {row.count('X')}"
