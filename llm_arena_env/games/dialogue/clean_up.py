"""dialogue/clean_up: clembench v3's clean up game, text modality (its game name ``clean_up``).

Make it::

    env = llm_arena_env.make("dialogue/clean_up")
    env.reset(seed=0, options={"instance": ("3obj_en", 0)})

Two players, ``player_1`` (speaks first) and ``player_2``, each see their own copy of a text grid with the
same lettered objects at different places. Without seeing each other's board they must agree on where the
objects go and move them there. Every reply is exactly one command::

    SAY: <message>          (passed on to the other player; player 1 must open with one)
    MOVE: <OBJECT>, (<X>, <Y>)    (moves an object on your own board; the target cell must be empty)

Rules and outcomes (clembench's game master and scorer):

- A reply that is not exactly one command (text before or after it, two commands, no command, or not a
  SAY to open the game) costs a penalty: the same player is asked again, with the instance's message.
  It is a violated request. A move to a cell that is not empty, off the board, or of an unknown object
  also costs a penalty and is asked again (a parsed request).
- A round is both players making one accepted command. At the end of a round, more penalties than
  ``max_penalties`` abort the episode (Main Score NaN); reaching ``max_rounds`` ends it as played.
- A player may ask ``SAY: finished?``; when the other then answers a message holding ``finished!``, the game
  ends as played (Success).
- Main Score (a played game): 100 x distance score x penalty score, where the distance score averages
  how far the objects ended below the distance expected at random and how much the players reduced the
  starting distance (0 when worse than random), and the penalty score is 1/(penalties/max - 2) + 1.5.
  Measures: ``Distance Score``, ``Consistency Score`` (how seldom players switched objects; only when
  there were enough switches), ``Coverage Score``, ``Penalty Score``, ``Shifts``, ``End Distance Sum``,
  ``Init Distance Sum``, ``Expected Distance Sum``, ``Penalties``, ``Rounds``, ``Valid Moves``,
  ``Invalid Moves``, ``Parse Errors`` (reported for aborted episodes too, as clembench does).
- Rewards (ours): Main Score / 100 for both players (a cooperative game).

Instances use clembench's layout, so its text ``clean_up`` files (``instances*.json``: en, de, it, zh-CN)
play unchanged: each instance carries its grid, objects, prompts, messages and patterns. The image and
hybrid variants (``mm_``, ``hybrid_``, ``st_`` files) are not supported. The shipped set
(:func:`generate_instances`) is ours: our own grids and English prompts (``resources/clean_up/``).
Deviations: docs/clembench-deviations-v3.md.
"""

from __future__ import annotations

import functools
import math
import random
import re
from string import Template
from typing import Any

from llm_arena_env.games.dialogue import clean_up_rules as rules
from llm_arena_env.games.dialogue.base import DialogueEnv, IllegalAction
from llm_arena_env.games.dialogue.instances import load_resource

PLAYER_1, PLAYER_2 = "player_1", "player_2"
_MEASURE_NAMES = ("Distance Score", "Consistency Score", "Coverage Score", "Penalty Score", "Shifts",
                  "End Distance Sum", "Init Distance Sum", "Expected Distance Sum", "Penalties", "Rounds",
                  "Valid Moves", "Invalid Moves", "Parse Errors")


@functools.lru_cache(maxsize=1)
def resources() -> dict[str, Any]:
    """Our grids, prompts and messages."""
    return load_resource("clean_up", "resources.json")


def draw_instance(rng: random.Random, objects: int) -> dict[str, Any]:
    data = resources()
    grid = rng.choice(data["grids"])
    cells = [(x, y) for y, row in enumerate(grid.split("\n")) for x, char in enumerate(row) if char == rules.EMPTY]
    ids = rng.sample("ABCDEFGHJKLMNPRSTUVWXYZ", objects)
    boards = []
    for _ in range(2):
        spots = rng.sample(cells, objects)
        boards.append([{"id": i, "coord": list(xy)} for i, xy in zip(ids, spots)])
    max_rounds, max_penalties = 4 * objects, 2 * objects + 2
    prompts = []
    for board in boards:
        shown = str(rules.Board(grid, board))
        text = data["prompt"].replace("$GRID$", shown).replace("$OBJECTS$", ", ".join(f"'{i}'" for i in ids))
        text = text.replace("$MAX_ROUNDS$", str(max_rounds)).replace("$MAX_PENALTIES$", str(max_penalties))
        prompts.append(text)
    return {
        "modality": "text", "language": "en", "max_penalties": max_penalties, "max_rounds": max_rounds,
        "empty_symbol": rules.EMPTY, "background": grid, "objects_1": boards[0], "objects_2": boards[1],
        "p1_initial_prompt": prompts[0] + data["p1_start"], "p2_initial_prompt": prompts[1] + data["p2_start"],
        "intermittent_prompts": {**data["intermittent_prompts"],
                                 "penalty_counter": data["intermittent_prompts"]["penalty_counter"].replace(
                                     "$MAX_PENALTIES$", str(max_penalties)),
                                 "round_counter": data["intermittent_prompts"]["round_counter"].replace(
                                     "$MAX_ROUNDS$", str(max_rounds))},
        "say_pattern": data["say_pattern"], "move_pattern": data["move_pattern"],
        "parse_errors": data["parse_errors"], "move_messages": data["move_messages"],
        "terminate_question": "finished?", "terminate_answer": "finished!"}


def generate_instances(seed: int = 0, per_experiment: int = 5) -> dict[str, Any]:
    """Experiments ``3obj_en``, ``5obj_en`` and ``7obj_en`` of ``per_experiment`` instances each."""
    rng = random.Random(seed)
    return {"experiments": [
        {"name": f"{n}obj_en", "game_instances": [{"game_id": i, **draw_instance(rng, n)} for i in range(per_experiment)]}
        for n in (3, 5, 7)]}


class CleanUpEnv(DialogueEnv):
    """clembench's clean up game, text modality (see the module docstring)."""

    game_name = "clean_up"

    def __init__(self, **kwargs: Any):
        super().__init__([PLAYER_1, PLAYER_2], **kwargs)

    # ------------------------------------------------------------------ setup

    def _setup(self, instance: dict[str, Any], experiment: dict[str, Any]) -> None:
        if not instance:  # an empty set: play a drawn instance
            instance = draw_instance(random.Random(0), 3)
        if instance.get("modality", "text") != "text":
            raise ValueError(f"dialogue/clean_up plays the text modality; this instance is {instance['modality']!r}")
        try:
            self.boards = {PLAYER_1: rules.Board(instance["background"], instance["objects_1"]),
                           PLAYER_2: rules.Board(instance["background"], instance["objects_2"])}
            self.prompts = dict(instance["intermittent_prompts"])
            self.parse_errors = dict(instance["parse_errors"])
            self.move_messages = dict(instance["move_messages"])
            self.say = re.compile(instance["say_pattern"], re.DOTALL)
            self.move = re.compile(instance["move_pattern"], re.DOTALL)
            self.restricted = [re.compile(p, re.DOTALL) for p in instance.get("restricted_patterns", [])]
            self.max_penalties = int(instance["max_penalties"])
            self.max_rounds = int(instance["max_rounds"])
            self.question, self.answer = instance["terminate_question"], instance["terminate_answer"]
            self.p2_prompt = instance["p2_initial_prompt"]
            opening = instance["p1_initial_prompt"]
        except (KeyError, TypeError, ValueError, IndexError, re.error) as error:
            raise ValueError(f"not a clean_up instance in clembench's layout: missing or bad {error}") from None
        self.object_ids = list(self.boards[PLAYER_1].coords)
        self.start_distance = self.boards[PLAYER_1].distance_sum(self.boards[PLAYER_2])
        self.moves: list[tuple[str, str]] = []
        self.stats = {"Valid Moves": 0, "Invalid Moves": 0, "Parse Errors": 0}
        self.penalties = 0
        self.round = 0
        self.finished = {PLAYER_1: False, PLAYER_2: False}
        self.relay: dict[str, str] = {}
        self.to_move = PLAYER_1
        self.tell(PLAYER_1, opening)

    def _current_agent(self) -> str:
        return self.to_move

    def _set_context(self, player: str, text: str) -> None:
        """``player``'s next prompt replaces the last one; what it did last is reported first (clembench's
        relay message, added when the player is next asked)."""
        self._pending[player] = []
        self.tell(player, self.relay.get(player, "") + text)

    def _counters(self) -> str:
        return (Template(self.prompts["round_counter"]).substitute(round=self.round + 1)
                + Template(self.prompts["penalty_counter"]).substitute(penalty=self.penalties))

    # ------------------------------------------------------------------ a reply

    def _parse_action(self, agent: str, text: str) -> rules.Command:
        try:
            return rules.read_command(text, self.say, self.move, must_say=agent == PLAYER_1 and self.round == 0)
        except rules.CommandError as error:
            raise IllegalAction(self.parse_errors[error.key]) from None

    def _reject(self, agent: str, action: Any, reason: str) -> None:
        # clembench never aborts on a malformed reply: it costs a penalty and the player is asked again.
        if self.result is not None:
            super()._reject(agent, action, reason)
            return
        self.count_violation()
        self.infos[agent]["rejection"] = reason
        self.relay.pop(agent, None)
        self.record_reply(agent, str(action))
        self._penalize(agent, Template(self.prompts["invalid_response"]).substitute(reason=reason) + "\n")
        self.stats["Parse Errors"] += 1
        if self.penalties > 2 * self.max_penalties + 2:  # clembench would ask forever: a round never ends
            self._finish(self._forfeit(agent, "far more penalties than allowed, and no round completed"))

    def _penalize(self, agent: str, message: str) -> None:
        self.penalties += 1
        self._set_context(agent, message + Template(self.prompts["penalty_counter"]).substitute(
            penalty=self.penalties) + self.prompts["penalty_reprompt"])

    def _play(self, agent: str, command: rules.Command) -> None:
        self.relay.pop(agent, None)
        other = PLAYER_2 if agent == PLAYER_1 else PLAYER_1
        if command.kind == "move":
            done, message = self.boards[agent].move(command.obj, command.x, command.y, self.move_messages)
            if not done:
                self.stats["Invalid Moves"] += 1
                self._penalize(agent, message + "\n")
                return
            self.stats["Valid Moves"] += 1
            self.moves.append((agent, command.obj))
            self.relay[agent] = message
            self._set_context(other, self._counters() + self.prompts["new_turn_move"] + self.prompts["command_prompt"])
        else:
            ended = self._say(agent, other, command.message)
            if ended is False:
                return
        self._pass_turn(agent, other)

    def _say(self, agent: str, other: str, message: str) -> bool | None:
        if self.question in message:
            self.finished[agent] = True
        if self.answer in message and self.finished[other]:
            self._success = True
        if any(p.search(message) for p in self.restricted):
            self.count_violation()
            self.stats["Parse Errors"] += 1
            self._penalize(agent, Template(self.prompts["invalid_response"]).substitute(
                reason=self.parse_errors["restriction"]) + "\n")
            if self._success:  # clembench reads "finished!" before it rejects the message
                self._end_played("the players finished")
            return False
        self.relay[agent] = Template(self.prompts["message_relay"]).substitute(message=message)
        if agent == PLAYER_1 and self.round == 0:
            self._set_context(other, Template(self.p2_prompt).substitute(start_message=message))
        else:
            relayed = Template(self.prompts["new_turn"]).substitute(turn_message=message)
            self._set_context(other, self._counters() + relayed + self.prompts["command_prompt"])
        return None

    def _pass_turn(self, agent: str, other: str) -> None:
        self.to_move = other
        if agent == PLAYER_2:  # a round is over
            if self.penalties > self.max_penalties:
                self._ending = self._forfeit(agent, f"{self.penalties} penalties, more than {self.max_penalties}")
                self.round += 1
                return
            if self.round + 1 >= self.max_rounds:
                self._success = True
            self.round += 1
        if getattr(self, "_success", False):
            self._end_played("the players finished" if self.round < self.max_rounds else "the last round was played")

    def _end_played(self, detail: str) -> None:
        found = self._scores()
        self.end_game(success=True, main_score=found.pop("Main"), detail=detail, measures=found)

    def _scores(self) -> dict[str, float]:
        b1, b2 = self.boards[PLAYER_1], self.boards[PLAYER_2]
        found = rules.metrics(moves=self.moves, object_ids=self.object_ids, end=b1.distance_sum(b2),
                              start=self.start_distance, expected=b1.expected_distance_sum(),
                              penalties=self.penalties, max_penalties=self.max_penalties)
        return {**found, "Rounds": self.round, **self.stats}

    def _new_game(self, options: dict) -> None:
        self._success = False
        super()._new_game(options)

    def _measures(self) -> dict[str, float]:
        found = self._scores()
        found.pop("Main")
        return {k: v for k, v in found.items() if k in _MEASURE_NAMES}

    # ------------------------------------------------------------------ display

    def _render_text(self) -> str:
        return (f"{super()._render_text()}\n\nplayer_1:\n{self.boards[PLAYER_1]}\nplayer_2:\n{self.boards[PLAYER_2]}"
                f"round {self.round + 1} of {self.max_rounds}, penalties {self.penalties} of {self.max_penalties}")


# ---------------------------------------------------------------------- the scripted player

def scripted_move(env: Any, agent: str) -> str:
    """A pair that cleans up (player 2 reads player 1's board): player 1 keeps its objects and says so,
    player 2 moves its objects to player 1's places one at a time, then asks whether they are finished
    and player 1 answers yes."""
    game = env.unwrapped
    if agent == PLAYER_1:
        if game.finished[PLAYER_2]:
            return f"SAY: {game.answer}"
        return "SAY: I keep my objects where they are; please move yours to the same places."
    mine, goal = game.boards[PLAYER_2], game.boards[PLAYER_1].coords
    wrong = [obj for obj, xy in mine.coords.items() if obj in goal and goal[obj] != xy]
    free = [obj for obj in wrong if mine.cells[goal[obj][1]][goal[obj][0]][-1] == rules.EMPTY]
    if free:
        x, y = goal[free[0]]
        return f"MOVE: {free[0]}, ({x}, {y})"
    if wrong:  # every wrong object waits for a cell another one holds: move one aside
        targets = set(goal.values())
        x, y = next((x, y) for y, row in enumerate(mine.cells) for x, cell in enumerate(row)
                    if cell[-1] == rules.EMPTY and (x, y) not in targets)
        return f"MOVE: {wrong[0]}, ({x}, {y})"
    return f"SAY: {game.question}"
