"""Text map world: walk through a seeded house of named rooms (clembench's textmapworld, rebuilt).

    env = llm_arena_env.make("grid/textmapworld", rooms=6)                  # explore every room
    env = llm_arena_env.make("grid/textmapworld_graphreasoning")            # ... and report the map
    env = llm_arena_env.make("grid/textmapworld_specificroom")              # find a named room

One player (``"player"``). Each reset draws a map of ``rooms`` rooms on a ``rows`` x ``cols`` grid (a tree,
plus ``loops`` extra corridors; see ``graph.py``), starting in the room the map grew from, and for
``task="find"`` a target room. ``reset(options={"instance": room_map})`` plays a given ``RoomMap`` (its
first room is the start).

clembench's own instance files load unchanged: ``make("grid/textmapworld", instances="<clembench>/textmapworld/
textmapworld_main/in/instances.json")`` (any of the three games' files, named or unnamed graphs). Each
reset then draws one of its instances (or ``options={"instance": index | (experiment, game_id) | dict}``
picks one); the instance's map, start room, target room (``Specific_Room``) and reply patterns
(``Move_Construction``, ``Stop_Construction``, matched as clembench does: searched in the reply, any case)
are used, and (except for graph reports) clembench's rules: a move into a wall is answered "not valid" and
the walk goes on, 20 replies without DONE abort, exploration and efficiency are clembench's; see
``clembench.py``.

- Actions: ``GO: <direction>`` (north, east, south, west; any case) and ``DONE``; ids 0-4 are
  ``GO: north``, ``GO: east``, ``GO: south``, ``GO: west``, ``DONE``. A direction without an exit, or any
  other text, is rejected with the reason. With ``ask_graph=True`` a reply may add a second line
  ``GRAPH: <json>`` with the explored graph (see ``scoring.py``); the last one given is scored.
- Observations: the player's room and its exits, after the rules in the system prompt; ``messages`` carry
  the whole walk. The text is the same in every observation mode. The image (``observation_mode="image"`` or ``"text+image"``) is the map as far as the
  player knows it; ``render`` draws the whole map.
- End: ``DONE``, or ``max_turns`` replies (default 20; truncated).
- Scores in the final ``infos`` (see ``scoring.py``): ``exploration``, ``efficiency``, ``moves``,
  ``visited_rooms``, ``rooms``, ``turns``, ``Success``; ``task="explore"``: ``Main Score`` = harmonic mean
  of exploration and efficiency, success = every room visited; ``task="find"``: success = DONE said in the
  target room, ``Main Score`` = 100 x success, ``path_efficiency`` = 100 x shortest path / moves when
  successful, ``distance_to_target``; ``ask_graph``: ``graph_similarity``. Reward = main score / 100.
  A rule broken too often (``max_illegal_actions``) aborts: reward 0, main score 0.
- ``observation_mode="tensor"``: what the player knows, as its picture shows it, in 8 planes over the
  ``rows`` x ``cols`` grid (``TENSOR_PLANES``): the room it is in, the rooms it has visited, the exits
  north, east, south and west of each visited room, the room sought once it has been seen (``task="find"``),
  and the share of the turns used (every cell alike); values 0 to 1. Actions are then the ids 0-4 with the
  mask of the exits (and DONE). Graph reports (``ask_graph``) are free text, so that form has no tensor.

Version history: v0, first version.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from llm_arena_env.core.metrics import MAIN_SCORE, SUCCESS
from llm_arena_env.core.outcome import EndReason, Result
from llm_arena_env.core.text_env import IllegalAction, TextEnv
from llm_arena_env.games.dialogue import instances as inst
from llm_arena_env.games.grid.mapworld import scoring
from llm_arena_env.games.grid.mapworld.clembench import (
    ClembenchMap,
    best_first_steps,
    is_clembench_instance,
    read_instance,
    read_reply,
)
from llm_arena_env.games.grid.mapworld.draw import ascii_map, draw_map
from llm_arena_env.games.grid.mapworld.graph import DIRECTIONS, Cell, RoomMap, generate
from llm_arena_env.games.grid.mapworld.pictures import ROOM_TYPES
from llm_arena_env.games.grid.outcomes import aborted, team_result

COMMANDS = tuple(f"GO: {d}" for d in DIRECTIONS) + ("DONE",)  # id i is COMMANDS[i]
# observation_mode="tensor": one plane per entry over the map's grid (see the module docstring)
TENSOR_PLANES = ("here", "visited", *(f"exit {d}" for d in DIRECTIONS), "target seen", "turns used")
TASKS = ("explore", "find")
GRAPH_EXAMPLE = '{"nodes": ["Kitchen", "Office"], "edges": [["Kitchen", "north", "Office"]]}'


@dataclass(frozen=True)
class Command:
    """A reply that was accepted: a direction to go (None for DONE), maybe a graph report, and its text."""

    direction: str | None
    graph: tuple[frozenset[str], frozenset[scoring.Edge]] | None
    text: str
    blocked: bool = False  # clembench's rules: a move into a wall, answered "not valid"; the walk goes on


def _check_int(name: str, value: Any, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ValueError(f"{name} must be an int from {low} to {high}, got {value!r}")
    return value


class MapWorldEnv(TextEnv):
    """The map world; see the module docstring. ``two_roles.py`` builds the picture forms on it."""

    metadata = {**TextEnv.metadata, "name": "mapworld"}
    num_actions = len(COMMANDS)
    observation_bounds = (0.0, 1.0)
    max_action_length = 8_000
    players: tuple[str, ...] = ("player",)
    walker = "player"

    def __init__(self, rows: int = 4, cols: int = 4, rooms: int = 6, loops: int = 0, max_turns: int = 20,
                 task: str = "explore", ask_graph: bool = False, instances: Any = None, **kwargs: Any):
        self.rows = _check_int("rows", rows, 1, 10)
        self.cols = _check_int("cols", cols, 1, 10)
        self.room_count = _check_int("rooms", rooms, 2, min(rows * cols, len(ROOM_TYPES)))
        self.loops = _check_int("loops", loops, 0, 2 * rows * cols)
        self.max_turns = _check_int("max_turns", max_turns, 1, 1000)
        if task not in TASKS:
            raise ValueError(f"task must be one of {TASKS}, got {task!r}")
        self.task = task
        self.ask_graph = bool(ask_graph)
        self.instance_set = inst.load_instances(instances) if instances is not None else inst.InstanceSet(())
        kwargs.setdefault("answer_format", self._default_answer_format())
        no_tensor = self._why_no_tensor()
        if no_tensor is None:
            self.observation_shape = (len(TENSOR_PLANES), self.rows, self.cols)
        elif kwargs.get("observation_mode") == "tensor":
            raise ValueError(f"observation_mode='tensor' is not offered here: {no_tensor}")
        super().__init__(list(self.players), **kwargs)

    def _why_no_tensor(self) -> str | None:
        """Why this form of the game has no numeric observation with a finite move set (None: it has one)."""
        if self.ask_graph:
            return "ask_graph replies carry a free-text graph, which the int ids of the moves cannot"
        return None

    def _default_answer_format(self) -> str:
        done = "DONE when you have seen every room" if self.task == "explore" else \
            "DONE when you are in the room you seek"
        text = f"Reply with GO: <direction> (north, east, south or west) to move, or {done}."
        if self.ask_graph:
            text += f" On a second line, give the graph of the rooms you have explored so far: GRAPH: {GRAPH_EXAMPLE}"
        return text

    # ------------------------------------------------------------------ game flow

    def _new_game(self, options: dict) -> None:
        instance = options.get("instance")
        self.patterns: ClembenchMap | None = None  # a clembench instance's map and reply patterns
        if isinstance(instance, RoomMap) or (instance is None and not len(self.instance_set)):
            self.map = instance or generate(self.np_random, self.rows, self.cols, self.room_count, ROOM_TYPES,
                                            self.loops)
        elif is_clembench_instance(instance) or len(self.instance_set):
            _, chosen = inst.choose(self.instance_set, instance, self.np_random)
            self.patterns = read_instance(chosen)
            self.map = self.patterns.map
        else:
            raise ValueError("options['instance'] must be a RoomMap or a clembench textmapworld instance, "
                             f"got {type(instance).__name__}")
        if self.observation_mode == "tensor" and (self.map.rows > self.rows or self.map.cols > self.cols):
            raise ValueError(f"this map is {self.map.rows}x{self.map.cols}; tensor observations need it to fit the "
                             f"env's {self.rows}x{self.cols} grid (make the env with rows and cols of the map)")
        cells = self.map.rooms
        self.here = self.start = cells[0]  # a generated map grows from a random cell; it is the start
        others = cells[1:]
        self.target: Cell | None = None
        if self.task == "find":
            self.target = self.patterns.target if self.patterns and self.patterns.target is not None else \
                others[int(self.np_random.integers(len(others)))]
        self.visited: dict[Cell, None] = {self.start: None}  # ordered: the rooms in the order first seen
        self.walked: set[frozenset[Cell]] = set()
        self.walked_edges: set[scoring.Edge] = set()
        self.moves = self.new_room_moves = self.turns = 0
        self.finished = False
        self.reported: tuple[frozenset[str], frozenset[scoring.Edge]] = (frozenset(), frozenset())
        self.last_direction: str | None = None  # the direction of the last move, if any
        self.blocked: str | None = None  # clembench's rules: the direction of a move into a wall just tried
        self.good_moves: list[bool] = []  # clembench's rules: per move, whether it was an efficient one
        self.chat: dict[str, list[dict[str, str]]] = {p: [] for p in self.players}

    def _current_agent(self) -> str:
        return self.walker

    def _observation_tensor(self, agent: str) -> np.ndarray:
        planes = np.zeros(self.observation_shape, dtype=np.float32)
        planes[0][self.here] = 1.0
        for cell in self.visited:  # the player has been in these rooms and seen their exits
            planes[1][cell] = 1.0
            for direction in self.map.exits(cell):
                planes[2 + list(DIRECTIONS).index(direction)][cell] = 1.0
        if self.target in self.visited:
            planes[6][self.target] = 1.0
        planes[7] = self.turns / self.max_turns
        return planes

    def _parse_action(self, agent: str, text: str) -> Command:
        if self._clembench_rules:
            patterns = self.patterns
            direction = read_reply(text, patterns.move_pattern, patterns.stop_pattern, patterns.response_pattern)
            if direction is not None and direction not in DIRECTIONS:
                raise IllegalAction(f"{direction!r} is not a direction")
            blocked = direction is not None and direction not in self.map.exits(self.here)
            return Command(direction, None, text.strip(), blocked=blocked)
        first, _, rest = text.strip().partition("\n")
        graph = None
        if rest.strip():
            if not self.ask_graph:
                raise IllegalAction("reply with one line: GO: <direction> or DONE")
            found = re.match(r"\s*graph\s*:(.*)\Z", rest, re.IGNORECASE | re.DOTALL)
            if not found:
                raise IllegalAction('put the graph on the second line, starting with "GRAPH:"')
            try:
                graph = scoring.parse_graph(found.group(1))
            except ValueError as error:
                raise IllegalAction(str(error)) from None
        return self._command(first.strip(), graph, text.strip())

    def _parse_action_id(self, agent: str, action_id: int) -> Command:
        return self._command(COMMANDS[action_id], None, COMMANDS[action_id])

    @property
    def _clembench_rules(self) -> bool:
        """Whether clembench's game master's rules apply: a clembench instance is played (graph reports only
        in clembench's JSON form, its ``Response_Construction``)."""
        return self.patterns is not None and (not self.ask_graph or bool(self.patterns.response_pattern))

    def _command(self, line: str, graph: Any, text: str) -> Command:
        if self.patterns is not None:
            line = self._clembench_command(line)
        if re.fullmatch(r"done\.?", line, re.IGNORECASE):
            return Command(None, graph, text)
        found = re.fullmatch(r"go\s*:?\s*([a-z]+)\.?", line, re.IGNORECASE)
        if not found:
            raise IllegalAction("say GO: <direction> (north, east, south or west) or DONE")
        direction = found.group(1).lower()
        if direction not in DIRECTIONS:
            raise IllegalAction(f"{found.group(1)!r} is not a direction; "
                                "the directions are north, east, south and west")
        exits = self.map.exits(self.here)
        if direction not in exits:
            raise IllegalAction(f"there is no exit to the {direction} from {self._where()}; "
                                f"the exits are {', '.join(exits)}")
        return Command(direction, graph, text)

    def _clembench_command(self, line: str) -> str:
        """The command in ``line`` by the instance's own patterns (searched, any case, as clembench does)."""
        if re.search(self.patterns.stop_pattern, line, re.IGNORECASE):
            return "DONE"
        found = re.search(self.patterns.move_pattern, line, re.IGNORECASE)
        if not found:
            raise IllegalAction(f"reply with a move matching {self.patterns.move_pattern!r} "
                                f"or the end matching {self.patterns.stop_pattern!r}")
        return f"GO: {(found.group(1) if found.groups() else found.group(0)).split(':')[-1].strip()}"

    def _apply(self, agent: str, command: Command) -> None:
        self.chat[agent] += [{"role": "user", "content": self._observation_text(agent)},
                             {"role": "assistant", "content": command.text}]
        self.turns += 1
        self.blocked = command.direction if command.blocked else None
        if command.graph is not None:
            self.reported = command.graph
        if command.direction is None:
            self.finished = True
            return
        if command.blocked:
            return
        there = self.map.exits(self.here)[command.direction]
        if self._clembench_rules:
            best = best_first_steps(self.map, self.here, self.visited)
            self.good_moves.append(there in best and len(self.visited) != len(self.map.names))
        self.moves += 1
        if there not in self.visited:
            self.new_room_moves += 1
            self.visited[there] = None
        self.walked.add(frozenset((self.here, there)))
        names = self.map.names
        self.walked_edges.add(scoring.canonical_edge(names[self.here], command.direction, names[there]))
        self.here = there
        self.last_direction = command.direction

    def _result(self) -> Result | None:
        if not self.finished and self.turns < self.max_turns:
            return None
        scores = self.scores()
        if self._clembench_rules and not self.finished:  # clembench: no DONE in time counts as aborted
            return aborted(self.possible_agents, f"no DONE in {self.max_turns} turns", scores)
        reason = EndReason.GAME_OVER if self.finished else EndReason.MAX_TURNS
        detail = "DONE" if self.finished else f"{self.max_turns} turns played"
        return team_result(self.possible_agents, bool(scores[SUCCESS]), scores, reward=scores[MAIN_SCORE] / 100,
                           reason=reason, detail=detail)

    def _forfeit(self, offender: str, message: str) -> Result:
        return aborted(self.possible_agents, f"{offender}: {message}", self.scores())

    def scores(self) -> dict[str, float]:
        """The episode's measures as they stand now (final once the episode has ended)."""
        rooms = len(self.map.names)
        explored = scoring.exploration(len(self.visited), rooms)
        efficient = scoring.efficiency(self.moves, self.new_room_moves)
        scores = {"exploration": explored, "efficiency": efficient, "moves": float(self.moves),
                  "visited_rooms": float(len(self.visited)), "rooms": float(rooms), "turns": float(self.turns)}
        if self._clembench_rules:  # clembench's exploration and efficiency, each 0-100
            explored = 100.0 * len(self.visited) / rooms
            efficient = 100.0 * sum(self.good_moves) / len(self.good_moves) if self.good_moves else 0.0
            scores.update(exploration=explored, efficiency=efficient)
        if self.task == "explore":
            success = len(self.visited) == rooms and (self.finished or not self._clembench_rules)
            scores[MAIN_SCORE] = scoring.harmonic_mean(explored, efficient)
        else:
            success = self.finished and self.here == self.target
            shortest = self.map.distances(self.start)[self.target]
            scores[MAIN_SCORE] = 100.0 * success
            scores["path_efficiency"] = 100.0 * shortest / max(shortest, self.moves) if success else 0.0
            scores["distance_to_target"] = float(self.map.distances(self.here)[self.target])
        if self.ask_graph:
            names = [self.map.names[cell] for cell in self.visited]
            scores["graph_similarity"] = scoring.graph_similarity(self.reported, names, self.walked_edges)
        scores[SUCCESS] = float(success)
        return scores

    # ------------------------------------------------------------------ what players see

    def _where(self) -> str:
        return f"the {self.map.names[self.here]}"

    def _goal(self) -> str:
        if self.task == "find":
            return f"Find the {self.map.names[self.target]} and say DONE when you are in it."
        return "Visit every room of the house, with as few moves as you can, and say DONE when you have seen them all."

    def _system_prompt(self, agent: str) -> str:
        return self._rules()

    def _rules(self) -> str:
        text = (f"You are in a house of rooms joined by corridors that run north, east, south or west. "
                f"{self._goal()} You have at most {self.max_turns} replies. Each reply is one command: "
                f"GO: <direction> to walk through an exit, or DONE to end.")
        if self.ask_graph:
            text += (" Each reply also gives, on a second line, the graph of the rooms you have seen and the "
                     f"corridors you have walked, as JSON: GRAPH: {GRAPH_EXAMPLE} (going north from the "
                     "Kitchen leads to the Office).")
        return text

    def _prompt_fields(self, agent: str) -> dict[str, Callable[[], str]]:
        return {
            "rules": self._rules,
            "goal": self._goal,
            "event": self._event,
            "room": lambda: f"You are in {self._where()}.",
            "exits": lambda: f"Exits: {', '.join(self.map.exits(self.here))}.",
            "turns_left": lambda: str(self.max_turns - self.turns),
            "state": self._situation,
        }

    def _event(self) -> str:
        if self.finished:
            return "You said DONE."
        if self.blocked:
            return f"The move is not valid: there is no exit to the {self.blocked}."
        return f"You went {self.last_direction}." if self.last_direction else ""

    def _situation(self) -> str:
        event = f"{self._event()} " if self._event() else ""
        return f"{event}You are in {self._where()}. Exits: {', '.join(self.map.exits(self.here))}."

    def _messages(self, agent: str, text: str) -> list[dict[str, str]]:
        return [{"role": "system", "content": self._system_prompt(agent)}, *self.chat[agent],
                {"role": "user", "content": text}]

    def _legal_actions(self, agent: str) -> list[str]:
        return [f"GO: {d}" for d in self.map.exits(self.here)] + ["DONE"]

    def _legal_action_ids(self, agent: str) -> list[int]:
        return [COMMANDS.index(action) for action in self._legal_actions(agent)]

    def _render_text(self) -> str:
        status = (f"Turn {self.turns} of {self.max_turns}; visited {len(self.visited)} of {len(self.map.names)} rooms. "
                  "* you, + visited, ! target.")
        return f"{ascii_map(self.map, here=self.here, visited=self.visited, target=self.target)}\n{status}"

    def _render_image(self, agent: str | None) -> np.ndarray:
        return draw_map(self.map, self.image_size, here=self.here, visited=self.visited, walked=self.walked,
                        target=self.target if agent is None else None, reveal=agent is None)


# ---------------------------------------------------------------------- the scripted player

def scripted_move(env: Any, agent: str) -> str:
    """A walker that reads the map: the shortest walk to the nearest room not yet visited (the room sought,
    with ``task="find"``), DONE when there is none; with ``ask_graph``, the graph walked so far."""
    game = env.unwrapped
    goals = {game.target} if game.task == "find" else set(game.map.rooms) - set(game.visited)
    first: dict[Cell, str | None] = {game.here: None}
    frontier, direction = [game.here], None
    while frontier:
        at = frontier.pop(0)
        if at in goals:
            direction = first[at]
            break
        for way, there in game.map.exits(at).items():
            if there not in first:
                first[there] = first[at] or way
                frontier.append(there)
    command = "DONE" if direction is None else f"GO: {direction}"
    if not game.ask_graph or game._clembench_rules:
        return command
    nodes = [game.map.names[cell] for cell in game.visited]
    graph = {"nodes": nodes, "edges": [list(edge) for edge in sorted(game.walked_edges)]}
    return f"{command}\nGRAPH: {json.dumps(graph)}"
