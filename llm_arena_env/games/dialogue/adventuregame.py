"""dialogue/adventuregame: clembench's text adventure. Move through rooms, open, take and put things until
the goal facts hold (the book on the table...), then say "> done".

Make it::

    env = llm_arena_env.make("dialogue/adventuregame")                                # our own small world
    env = llm_arena_env.make("dialogue/adventuregame", clembench="/path/to/clembench")  # clembench's own
    env.reset(seed=0, options={"instance": ("home_deliver_three_basic_easy", 0)})

One player, ``adventurer``. It is shown the instance's prompt and the room it is in, and replies with one
command on a line starting with ``>`` (``> take the book``); in the planning variant (instance ``"variant":
"plan"``) a line ``Next actions: a, b, c`` follows. The command is read and carried out by this package's
interpreter of clembench's action definitions (``adventuregame_rules``): the feedback is what the definition
file says (or, for rooms and inventories, this package's description of the same facts).

Ending, as clembench's game master plays it:

- A reply not starting with ``>`` aborts the episode; in the planning variant so does one without
  ``\\nNext actions:`` (unless it contains the word "done" anywhere).
- A command that cannot be read or carried out is not a format error: the world stays, the feedback says
  why, and the failure is counted (``action_parsing_fail``, ``action_resolution_fail``, one count per fail
  type, clembench's names).
- ``> done`` ends the episode. The reply numbered ``max_turns`` (the instance's) aborts it, whatever it says.
- Success: every goal fact held after some successful command (even if one was undone later); Main Score:
  100 x the goal facts holding at the end / their number (NaN when aborted). A failed last command leaves
  the goals of the last successful one, simulated plan steps included (clembench's interpreter keeps them).

Planning variant: after each command the plan is tried on a copy of the world, up to its first failing
step (``plan_average_viability_ratio``); ``plan_followed_ratio`` counts commands equal to the previous
plan's first step; ``bad_plan_follow_ratio`` those that followed a plan none of whose steps worked.

Instances: clembench's ``adventuregame/in/instances.json``. Each instance names its definition files,
read from ``resources/definitions/`` of the game folder: ``clembench/adventuregame`` with
``clembench=PATH``, the folder above ``in/`` for ``instances=.../in/instances.json``, or ``definitions=``
(the shipped layout, ``instances.json`` beside ``definitions/``, is found too). The package ships its own
small world (our own definitions and instances, in clembench's formats).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from llm_arena_env.games.dialogue.adventuregame_rules import PARSING, RESOLUTION, World, fact_text, load_definitions
from llm_arena_env.games.dialogue.base import DialogueEnv, IllegalAction
from llm_arena_env.games.dialogue.clembench_dir import checkout_instances
from llm_arena_env.games.dialogue.instances import RESOURCES

GAME = "adventuregame"
PLAYER = "adventurer"
PLAN_MARK = "\nNext actions:"
#: clembench's scorer's fail types, after its two phases (episode scores under these names).
FAIL_TYPES = ("lark_exception", "malformed_command", "undefined_action_verb", "undefined_action",
              "undefined_repr_str", "manipulating_room", "undefined_argument_type", "taking_from_inventory",
              "other_room_argument", "domain_trait_type_mismatch", "domain_type_discrepancy",
              "world_state_discrepancy", "entity_not_accessible", "entity_state_mismatch", "entity_trait_mismatch",
              "entity_already_inventory", "going_to_current_room", "no_exit_to", "inventory_limit_exceeded")
FINISH_WORDS = ("complete", "finish", "done", "successfully")  # a reply without ">" saying one: a hallucinated finish


def read_command(reply: str, planning: bool) -> str:
    """The command of a reply (its first line after ``>``); ``IllegalAction`` for clembench's format breaks."""
    if not reply.startswith(">"):
        raise IllegalAction("Start your reply with '>' followed by one command, e.g. '> open cupboard'.")
    if planning and PLAN_MARK not in reply and "done" not in reply:
        raise IllegalAction("Write your plan on the line after your command, starting with 'Next actions:'.")
    return reply[1:].split("\n")[0].strip()


def read_plan(reply: str) -> list[str] | None:
    """The planned commands of a planning reply, or None when it has none (a bare "> done" has none)."""
    if reply == "> done":
        return None
    parts = reply.split(PLAN_MARK)
    return [c.strip() for c in parts[1].split(",")] if len(parts) >= 2 else None


class AdventureGameEnv(DialogueEnv):
    """clembench's adventuregame (see the module docstring)."""

    game_name = GAME

    def __init__(self, *, clembench: str | Path | None = None, definitions: str | Path | None = None,
                 instances: Any = None, **kwargs: Any):
        _, instances = checkout_instances(GAME, clembench, instances)  # the checkout named here is used below
        if definitions is None:
            if clembench is not None:
                definitions = Path(clembench) / GAME / "resources" / "definitions"
            elif isinstance(instances, (str, Path)):  # <game>/in/instances.json, or our <game>/instances.json
                here = Path(instances).resolve().parent
                definitions = next((d for d in (here.parent / "resources" / "definitions", here / "definitions")
                                    if d.is_dir()), here.parent / "resources" / "definitions")
            else:
                definitions = RESOURCES / GAME / "definitions"
        self.definitions_folder = Path(definitions)
        self._definitions: dict[tuple, Any] = {}
        super().__init__([PLAYER], instances=instances, **kwargs)
        for experiment, instance in self.instance_set.entries():
            self._load(instance)  # a missing or unreadable definition file fails now, not at a reset

    def _load(self, instance: dict[str, Any]):
        if instance.get("event_definitions"):
            raise ValueError(f"{GAME} instance {instance.get('game_id', '?')!r}: clembench v3's event definitions "
                             "(new-words and potion experiments) are not supported; v2's experiments are")
        key = tuple(tuple(instance.get(k) or ()) for k in
                    ("action_definitions", "entity_definitions", "room_definitions", "domain_definitions"))
        if key not in self._definitions:
            self._definitions[key] = load_definitions(self.definitions_folder, instance)
        return self._definitions[key]

    # ------------------------------------------------------------------ the game

    def _setup(self, instance: dict[str, Any], experiment: dict[str, Any]) -> None:
        self.world = World(instance, self._load(instance))
        self.planning = instance.get("variant") == "plan"
        self.max_turns = int(instance["max_turns"])
        self.optimal_turns = int(instance["optimal_turns"])
        self.goal_texts = frozenset(fact_text(g) for g in self.world.goals)
        self.goals_now: frozenset[str] = frozenset()  # the goals as the game master last heard them
        self.finished = False  # every goal held after some turn
        self.turns = 0
        self.fails: list[tuple[str, str]] = []  # (phase, fail type) of each failed command
        self.hallucinations = 0
        self.plans: list[list[str]] = []
        self.plan_ratios: list[float] = []  # per turn, 0 where no plan was tried
        self.plan_followed: list[int] = []
        self.bad_plan_followed: list[int] = []
        self.tell(PLAYER, str(instance["prompt"]) + self.world.room_description())

    def _current_agent(self) -> str:
        return PLAYER

    def _parse_action(self, agent: str, text: str) -> str:
        return read_command(text, self.planning)

    def _play(self, agent: str, command: str) -> None:
        reply = str(self._reply)
        self.turns += 1
        plan = read_plan(reply) if self.planning else None
        if plan is not None:
            self.plans.append(plan)
        verdict = self.world.process(command)
        # after a failed command clembench's game master holds the interpreter's last goals as facts, not
        # strings: counted at the end, but never equal to its goal set
        self.goals_now = frozenset(fact_text(g) for g in self.world.goals_reached)
        if not verdict.ok:
            self.fails.append((verdict.phase, verdict.fail_type))
        done = verdict.ok and verdict.action == "done"
        if done and not self.finished:
            self.hallucinations += 1
        self._plan_turn(command)
        if verdict.ok and self.goals_now == self.goal_texts:
            self.finished = True
        if self.turns >= self.max_turns:
            self.abort_game(f"reached the turn limit of {self.max_turns}", violated=False)
        elif done:
            self.end_game(success=self.finished, main_score=self._goal_ratio() * 100,
                          detail="the adventurer said done" + ("" if self.finished else " before reaching the goal"))
        else:
            self.tell(PLAYER, verdict.feedback)

    def _plan_turn(self, command: str) -> None:
        ratio, followed, bad = 0.0, 0, 0
        if self.planning and self.plans:  # clembench fails (IndexError) on a planning turn before any plan
            plan = self.plans[-1]
            steps = self.world.run_plan(plan)
            ratio = sum(v.ok for v in steps) / len(plan)
            if len(self.plans) >= 2:
                followed = int(self.plans[-2][0] == command)
        if self.turns >= 2 and self.plan_ratios[-1] == 0.0 and followed:
            bad = 1
        self.plan_ratios.append(ratio)
        self.plan_followed.append(followed)
        self.bad_plan_followed.append(bad)

    def _goal_ratio(self) -> float:
        return len(self.goals_now) / len(self.goal_texts)

    def _measures(self) -> dict[str, float]:
        reply = str(self._reply) if self._reply is not None else ""
        broken = self.aborted and self.turns < self.max_turns  # ended on a rejected reply (a turn too)
        turns = self.turns + int(broken)
        hallucinations = self.hallucinations + int(broken and not reply.startswith(">")
                                                   and any(w in reply for w in FINISH_WORDS))
        parsing = sum(p == PARSING for p, _ in self.fails)
        resolution = sum(p == RESOLUTION for p, _ in self.fails)
        over_par = turns - self.optimal_turns
        turn_ratio = 1 - over_par / (self.max_turns - self.optimal_turns)
        finished = self.finished
        measures = {
            "hallucination_count": hallucinations,
            "action_parsing_fail": parsing,
            "action_resolution_fail": resolution,
            **{t: sum(f == t for _, f in self.fails) for t in FAIL_TYPES},
            "successful_actions": self.turns - parsing - resolution,
            "turn_limit_loss": int(self.turns >= self.max_turns),
            "turns_over_par": over_par if finished else math.nan,
            "turn_ratio": turn_ratio if finished else math.nan,
            "finish_speed": 1 - turn_ratio if finished else math.nan,
            "achieved_goal_ratio": self._goal_ratio(),
            "plan_followed_ratio": sum(self.plan_followed[1:]) / turns,
            "plan_average_viability_ratio": sum(self.plan_ratios) / turns,
            "bad_plan_follow_ratio": sum(self.bad_plan_followed) / turns,
        }
        measures["bad_plan_dismiss_ratio"] = 1 - measures["bad_plan_follow_ratio"]
        return measures


def scripted_move(env: AdventureGameEnv, agent: str) -> str:
    """A valid reply in the current state: the instance's optimal commands in turn, then "> done" (every
    clembench instance has them); where they are used up or missing, "> done"."""
    commands = list(env.instance.get("optimal_commands") or [])
    step = env.turns
    command = commands[step] if step < len(commands) else "done"
    reply = f"> {command}"
    if env.planning:
        rest = commands[step + 1:step + 3] or ["done"]
        reply += f"{PLAN_MARK} {', '.join(rest)}"
    return reply


# ---------------------------------------------------------------------------------------------- shipped set

SHIPPED_ROOMS = ("study", "workshop", "gardenshed", "hall", "attic", "porch")
SUPPORTS = ("desk", "bench", "windowsill", "workbench", "stool")
CONTAINERS = ("chest", "cabinet", "crate")
ITEMS = ("lamp", "mug", "hammer", "candle", "scarf", "globe", "kettle", "teapot")
#: experiment name -> (variant, inventory limit of two, (fewest, most) optimal commands); clembench's names
EXPERIMENTS = {
    "home_deliver_three_basic_easy": ("basic", False, (4, 10)),
    "home_deliver_three_planning_easy": ("plan", False, (4, 10)),
    "home_deliver_three_basic_easy_invlimittwo": ("basic", True, (4, 10)),
    "home_deliver_three_planning_easy_invlimittwo": ("plan", True, (4, 10)),
    "home_deliver_three_basic_hard": ("basic", False, (11, 20)),
    "home_deliver_three_planning_hard": ("plan", False, (11, 20)),
    "home_deliver_three_basic_hard_invlimittwo": ("basic", True, (11, 20)),
    "home_deliver_three_planning_hard_invlimittwo": ("plan", True, (11, 20)),
}
SHIPPED_MAX_TURNS = 50


def _prompt(variant: str, carry_two: bool, goals: list[str]) -> str:
    """Our own wording of the task (clembench's instances carry theirs)."""
    if variant == "plan":
        head = ("You are playing a text adventure. I tell you what you perceive; you answer with one command on a "
                "line starting with >, and on the line below it your plan for the following commands, starting "
                "with \"Next actions:\".\nFor example:\n> open chest\nNext actions: take lamp, go hall\n\n")
    else:
        head = ("You are playing a text adventure. I tell you what you perceive; you answer with one command on a "
                "line starting with >. Answer with the command only.\nFor example:\n> open chest\n\n")
    limit = "You can carry at most two things at a time.\n\n" if carry_two else ""
    goal = ", ".join(goals[:-1]) + " and " + goals[-1] if len(goals) > 1 else goals[0]
    return f"{head}{limit}Your goal: {goal}.\n\nWhen you have reached your goal, answer \"> done\" to end the game.\n\n"


def _draw_world(rng: Any, carry_two: bool) -> dict[str, Any]:
    """One random cottage: four rooms in a row of passages, every piece of furniture and every thing."""
    rooms = [str(r) for r in rng.choice(SHIPPED_ROOMS, size=4, replace=False)]
    facts = [f"room({r}1,{r})" for r in rooms]
    for a, b in zip(rooms, rooms[1:]):
        facts += [f"exit({a}1,{b}1)", f"exit({b}1,{a}1)"]
    if rng.random() < 0.5:  # sometimes a shortcut
        facts += [f"exit({rooms[0]}1,{rooms[2]}1)", f"exit({rooms[2]}1,{rooms[0]}1)"]
    placed = {}
    for kind in SUPPORTS + CONTAINERS:
        placed[kind] = str(rng.choice(rooms))
        facts += [f"type({kind}1,{kind})", f"at({kind}1,{placed[kind]}1)"]
    facts += [f"closed({c}1)" for c in CONTAINERS]
    holders = list(SUPPORTS + CONTAINERS)
    for item in ITEMS:
        holder = str(rng.choice(holders))
        relation = "in" if holder in CONTAINERS else "on"
        facts += [f"type({item}1,{item})", f"at({item}1,{placed[holder]}1)", f"{relation}({item}1,{holder}1)"]
    facts += ["type(player1,player)", f"at(player1,{rng.choice(rooms)}1)"]
    goal_items = [str(i) for i in rng.choice(ITEMS, size=3, replace=False)]
    initial = {f.split("(")[1].split(",")[0]: f for f in facts if f.startswith(("on(", "in("))}
    goals = []
    for item in goal_items:
        target = str(rng.choice([s for s in SUPPORTS if f"on({item}1,{s}1)" != initial[f"{item}1"]]))
        goals.append(f"on({item}1,{target}1)")
    return {"initial_state": facts, "goal_state": goals}


def generate_instances(seed: int = 0, per_experiment: int = 2) -> dict:
    """The shipped set: clembench's eight experiments on random cottages of ours, with our own definitions
    (``resources/adventuregame/definitions``) and prompts; the optimal commands found by breadth-first
    search over the interpreter itself."""
    import numpy as np

    from llm_arena_env.games.dialogue.adventuregame_rules import solve

    rng = np.random.default_rng(seed)
    folder = RESOURCES / GAME / "definitions"
    experiments = []
    for name, (variant, carry_two, (fewest, most)) in EXPERIMENTS.items():
        suffix = "_carry_two" if carry_two else ""
        files = {"action_definitions": [f"cottage_actions{suffix}.json"], "room_definitions": ["cottage_rooms.json"],
                 "entity_definitions": ["cottage_entities.json"], "domain_definitions": [f"cottage_domain{suffix}.json"]}
        instances = []
        while len(instances) < per_experiment:
            drawn = _draw_world(rng, carry_two)
            definitions = load_definitions(folder, files)
            commands = solve(World(drawn, definitions), limit=most)
            if commands is None or not fewest <= len(commands) <= most:
                continue
            world = World(drawn, definitions)
            goals = [f"put the {world.name_of(g[1])} on the {world.name_of(g[2])}" for g in sorted(world.goals)]
            instances.append({"game_id": len(instances), "variant": variant, "prompt": _prompt(variant, carry_two, goals),
                              **drawn, "max_turns": SHIPPED_MAX_TURNS, "optimal_turns": len(commands),
                              "optimal_commands": commands, **files})
        experiments.append({"name": name, "game_instances": instances})
    return {"experiments": experiments}
