"""The world of clembench's adventuregame: definitions, the command grammar, and the interpreter.

An instance names its definition files (``action_definitions``, ``entity_definitions``, ``room_definitions``,
``domain_definitions``); they live in the game's ``resources/definitions/`` folder of the user's clembench
checkout and are read from there. Each action definition brings its verbs (a grammar snippet), its PDDL
(``adventuregame_pddl``), how its parameters are bound (``pddl_parameter_mapping``) and its feedback texts.

A command is processed in two phases, as clembench's interpreter does: *parsing* (the words against the
grammar and the names against the definitions) and *resolution* (the action's PDDL against the world). A
failure in either is reported with clembench's phase and fail type (``Verdict``); a success changes the
world and reports which goal facts hold.

The descriptions of rooms, containers, the inventory and examined things are this package's own wording of
the same facts (clembench lists a room's contents in Python's set order, which changes from run to run).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llm_arena_env.games.dialogue.adventuregame_pddl import ActionSchema, Evaluator, Fact, failed_literal, read_action, read_domain

PARSING, RESOLUTION = "parsing", "resolution"
_DIGITS = tuple("0123456789")
_PREPOSITIONS = ("on", "in", "from", "out of", "out", "into", "up")
_DETERMINERS = ("the", "a", "an")


def fact_from_text(text: str) -> Fact:
    """``"on(book1,table1)"`` -> ``("on", "book1", "table1")`` (a value may hold further commas)."""
    name, _, rest = text.partition("(")
    inner = rest[:-1] if rest.endswith(")") else rest
    first, comma, second = inner.partition(",")
    return (name, first, second) if comma else (name, first)


def fact_text(fact: Fact) -> str:
    return f"{fact[0]}({','.join(str(v) for v in fact[1:])})"


# ---------------------------------------------------------------------------------------------- definitions


@dataclass
class ActionDef:
    name: str
    verbs: tuple[str, ...]
    pattern: list  # the grammar rule's elements after the verb (see _read_pattern)
    schema: ActionSchema
    mapping: dict[str, list[str]]
    parameter_feedback: list[tuple[str, str]]
    precondition_feedback: list[tuple[str, str]]
    success_feedback: str
    verb_then_space: bool  # "done" may stand alone; "take" must be followed by something


@dataclass
class Definitions:
    """Everything an instance's definition files say."""

    entities: dict[str, dict[str, Any]]
    rooms: dict[str, dict[str, Any]]
    names: dict[str, str]  # what a player writes ("living room") -> type ("livingroom")
    actions: dict[str, ActionDef]
    supertypes: dict[str, list[str]]
    functions: list[tuple[str, str]]
    adjectives: frozenset[str]


def _files(folder: Path, instance: dict, key: str) -> list[Any]:
    out = []
    for name in instance.get(key) or []:
        path = folder / name
        if not path.is_file():
            raise FileNotFoundError(f"adventuregame: the instance names {key} file {name!r}, not found in {folder}; "
                                    "pass clembench=<your clembench checkout> or definitions=<its resources/definitions>")
        out.append(json.loads(path.read_text(encoding="utf-8")))
    return out


_LITERAL_GROUP = re.compile(r'\("(\w+)"\s+WS\)\*')


def _read_pattern(rule: str) -> list:
    """The elements of a grammar rule after its verb terminal: ``thing``, ``PREP``, ``PREP*``,
    ``("lit", word)`` for an optional repeated literal, ``("prep_thing",)`` for ``(PREP thing)*``."""
    body = rule.split(":", 1)[1].split()[1:]
    text = " ".join(body)
    out: list = []
    while text:
        text = text.strip()
        if not text:
            break
        literal = _LITERAL_GROUP.match(text)
        if literal:
            out.append(("lit", literal.group(1)))
            text = text[literal.end():]
        elif text.startswith("(PREP thing)*"):
            out.append(("prep_thing",))
            text = text[len("(PREP thing)*"):]
        elif text.startswith("PREP*"):
            out.append(("preps",))
            text = text[5:]
        elif text.startswith("thing"):
            out.append(("thing",))
            text = text[5:]
        else:
            raise ValueError(f"adventuregame: grammar rule {rule!r} uses a form this interpreter does not read")
    return out


def _read_action(raw: dict[str, Any]) -> ActionDef:
    rule, _, terminal = raw["lark"].partition("\n")
    verbs = tuple(re.findall(r'"([^"]+)"', terminal.split(":", 1)[1]))
    return ActionDef(
        name=raw["type_name"], verbs=verbs, pattern=_read_pattern(rule), schema=read_action(raw["pddl"]),
        mapping=dict(raw["pddl_parameter_mapping"]),
        parameter_feedback=[tuple(x) for x in raw["failure_feedback"]["parameters"]],
        precondition_feedback=[tuple(x) for x in raw["failure_feedback"]["precondition"]],
        success_feedback=raw["success_feedback"], verb_then_space=not terminal.rstrip().endswith("WS*"))


def load_definitions(folder: str | Path, instance: dict) -> Definitions:
    """Read the definition files ``instance`` names from ``folder`` (``resources/definitions``)."""
    folder = Path(folder)
    entities = {e["type_name"]: e for f in _files(folder, instance, "entity_definitions") for e in f}
    rooms = {r["type_name"]: r for f in _files(folder, instance, "room_definitions") for r in f}
    names = {d["repr_str"]: t for t, d in {**entities, **rooms}.items()}
    actions = {a["type_name"]: _read_action(a) for f in _files(folder, instance, "action_definitions") for a in f}
    domains = _files(folder, instance, "domain_definitions")
    types: dict[str, list[str]] = {}
    functions: list[tuple[str, str]] = []
    for domain in domains[-1:]:  # clembench uses the last domain file
        types, functions = read_domain(domain["pddl_domain"])
    for entity_type in list(types.get("entity", [])):  # traits are types too: (container x) makes x a container
        for trait in entities.get(entity_type, {}).get("traits", []):
            types.setdefault(trait, []).append(entity_type)
    supertypes: dict[str, list[str]] = {}
    for sup, subs in types.items():
        for sub in subs:
            supertypes.setdefault(sub, []).append(sup)
    adjectives = frozenset(a for e in entities.values() for a in e.get("possible_adjs", []))
    return Definitions(entities, rooms, names, actions, supertypes, functions, adjectives)


# ---------------------------------------------------------------------------------------------- commands


@dataclass
class Verdict:
    """What became of one command: ``ok``, the feedback text, and clembench's fail phase and type."""

    ok: bool
    feedback: str
    action: str = ""
    phase: str = ""
    fail_type: str = ""


class CommandFailed(Exception):
    """A command failed in one of the two phases; ``verdict`` says how."""

    def __init__(self, verdict: Verdict):
        self.verdict = verdict


def _fail(phase: str, fail_type: str, feedback: str, action: str = "") -> CommandFailed:
    return CommandFailed(Verdict(False, feedback, action, phase, fail_type))


@dataclass
class _Parse:
    words: list[str] = field(default_factory=list)  # WORD tokens (the cost: fewer is the preferred reading)
    args: list[str] = field(default_factory=list)
    prep: str | None = None
    adjectives: int = 0

    def rank(self) -> tuple:
        """lark's choice among readings, as observed: fewest plain words, then fewest prepositions read as
        plain words, then the earlier things longer, then fewest adjectives."""
        as_words = sum(w in _PREPOSITIONS for w in self.words)
        return len(self.words), as_words, [-len(a.split()) for a in self.args], self.adjectives


def _things(words: list[str], i: int, adjectives: frozenset[str], ends: list[bool]) -> list[tuple[int, list[str], int]]:
    """Ways to read a noun phrase from ``words[i:]``: (next index, its name words, its adjective count)."""
    out = []
    starts = [i]
    if i < len(words) and words[i] in _DETERMINERS and ends[i]:
        starts.append(i + 1)
    for s in starts:
        a = s
        while a < len(words) and words[a] in adjectives and ends[a]:
            a += 1
            for n in (1, 2):  # ADJ+ WORD | ADJ+ WORD WORD
                if a + n <= len(words):
                    out.append((a + n, words[a:a + n], a - s))
        for n in (1, 2):  # WORD | WORD WORD
            if s + n <= len(words):
                out.append((s + n, words[s:s + n], 0))
    return out


def _read_preps(words: list[str], i: int, seps: list[str], ends: list[bool]) -> list[tuple[int, str]]:
    """Ways to read one preposition at ``words[i]`` ("out of" is one)."""
    out = []
    if i + 1 < len(words) and words[i] == "out" and words[i + 1] == "of" and seps[i] == " " and ends[i + 1]:
        out.append((i + 2, "out of"))
    if i < len(words) and words[i] in _PREPOSITIONS and ends[i]:
        out.append((i + 1, words[i]))
    return out


def _match(pattern: list, words: list[str], i: int, state: _Parse, adjectives, seps, ends) -> list[_Parse]:
    if not pattern:
        return [state] if i == len(words) else []
    head, rest = pattern[0], pattern[1:]
    found: list[_Parse] = []
    if head[0] == "thing":
        for j, name, n in _things(words, i, adjectives, ends):
            found += _match(rest, words, j, _Parse(state.words + name, state.args + [" ".join(name)], state.prep,
                                                   state.adjectives + n), adjectives, seps, ends)
    elif head[0] == "lit":
        found += _match(rest, words, i, state, adjectives, seps, ends)
        if i < len(words) and words[i] == head[1] and ends[i]:
            found += _match(pattern, words, i + 1, state, adjectives, seps, ends)
    elif head[0] == "preps":
        found += _match(rest, words, i, state, adjectives, seps, ends)
        for j, prep in _read_preps(words, i, seps, ends):
            found += _match(pattern, words, j, _Parse(state.words, state.args, prep, state.adjectives),
                            adjectives, seps, ends)
    elif head[0] == "prep_thing":
        found += _match(rest, words, i, state, adjectives, seps, ends)
        for j, prep in _read_preps(words, i, seps, ends):
            for k, name, n in _things(words, j, adjectives, ends):
                found += _match(pattern, words, k, _Parse(state.words + name, state.args + [" ".join(name)], prep,
                                                          state.adjectives + n), adjectives, seps, ends)
    return found


def parse_command(text: str, definitions: Definitions) -> dict[str, Any]:
    """A command as clembench's grammar reads it: ``{"type": "take", "arg1": "apple", "prep": "from", "arg2":
    "table"}``, or ``{"type": "unknown", "arg1": first word}``; ``CommandFailed`` (lark_exception) when not
    even that."""
    if text.endswith((".", "!")):
        text = text[:-1]
    text = text.lower()
    if not re.fullmatch(r"[a-z][a-z \t\f\r\n]*", text):  # lark's WORD and WS only, a word first
        raise _fail(PARSING, "lark_exception", "I don't understand that command.")
    words = text.split()
    seps = re.findall(r"[ \t\f\r\n]+", text.strip())
    trailing = text != text.rstrip()
    ends = [True] * (len(words) - 1) + [trailing]  # whether whitespace follows each word
    best: tuple[str, _Parse] | None = None
    for action in definitions.actions.values():
        verb = next((len(v.split(" ")) for v in action.verbs if words[:len(v.split(" "))] == v.split(" ")
                     and (not action.verb_then_space or ends[len(v.split(" ")) - 1])), None)
        if verb is None:
            continue
        for reading in _match(action.pattern, words, verb, _Parse(), definitions.adjectives, seps, ends):
            if best is None or reading.rank() < best[1].rank():
                best = (action.name, reading)
    if best is None:
        return {"type": "unknown", "arg1": words[0]}
    name, reading = best
    parsed: dict[str, Any] = {"type": name}
    for n, arg in enumerate(reading.args, 1):
        parsed[f"arg{n}"] = arg
    if reading.prep is not None:
        parsed["prep"] = reading.prep
    return parsed


# ---------------------------------------------------------------------------------------------- the world


class World:
    """One episode's world: the facts, the goals, and command processing (clembench's two phases)."""

    def __init__(self, instance: dict, definitions: Definitions):
        self.defs = definitions
        self.facts: set[Fact] = {fact_from_text(f) for f in instance["initial_state"]}
        self.goals: frozenset[Fact] = frozenset(fact_from_text(f) for f in instance["goal_state"])
        self.order = [fact_from_text(f) for f in instance["initial_state"]]  # for stable descriptions
        self._augment()
        self.types = {f[1]: f[2] for f in self.facts if f[0] == "type" and len(f) == 3}
        self.room_types = {f[1]: f[2] for f in self.facts if f[0] == "room" and len(f) == 3}
        #: the goals that held after the last successful command (plans' simulated ones included)
        self.goals_reached: frozenset[Fact] = frozenset()

    def _augment(self) -> None:
        """The facts clembench's interpreter adds to an initial state (traits, floors, supports, access)."""
        facts, added = self.facts, set()
        for f in facts:
            if f[0] == "type" and len(f) == 3:
                added |= {(t, f[1]) for t in self.defs.entities.get(f[2], {}).get("traits", [])}
            if f[0] == "room" and len(f) == 3:
                added |= {("type", f"{f[1]}floor1", "floor"), ("at", f"{f[1]}floor1", f[1])}
        facts |= added
        for f in list(facts):
            if f[0] == "at" and ("needs_support", f[1]) in facts and not any(
                    g[0] in ("on", "in") and g[1] == f[1] for g in facts):
                added.add(("on", f[1], f"{f[2]}floor"))
        for f in list(facts):
            if f[0] == "in" and ("container", f[2]) in facts and ("open", f[2]) in facts:
                added.add(("accessible", f[1]))
            if f[0] == "in" and f[2] == "inventory":
                added.add(("accessible", f[1]))
            if f[0] == "on" and ("support", f[2]) in facts:
                added.add(("accessible", f[1]))
            if f[0] == "type" and ("needs_support", f[1]) not in facts and f[2] not in ("floor", "player"):
                added.add(("accessible", f[1]))
        facts |= added
        for name, kind in self.defs.functions:
            for f in [f for f in facts if f[0] == name]:
                facts.discard(f)
                facts.add((f[0], f[1], float(f[2]) if "." in str(f[2]) else int(f[2])))
            subjects = {f[1] for f in facts if f[0] == "type" and len(f) == 3 and f[2] == kind}
            if kind == "inventory":
                subjects.add("inventory")
            for subject in subjects:
                if not any(f[0] == name and f[1] == subject for f in facts):
                    facts.add((name, subject, 0))

    # -- reading the world

    def _sorted(self, things) -> list[str]:
        rank = {f[1]: i for i, f in enumerate(self.order) if len(f) >= 2}
        return sorted(things, key=lambda t: (rank.get(t, len(rank)), t))

    def player_room(self) -> str:
        return next(f[2] for f in self.facts if f[0] == "at" and f[1] == "player1")

    def name_of(self, thing: str) -> str:
        """What a thing or room is called, with its adjectives: ``"red apple"``, ``"living room"``."""
        adjectives = sorted(f[2] for f in self.facts if f[0] == "adj" and f[1] == thing)
        kind = self.types.get(thing) or self.room_types.get(thing) or thing.rstrip("0123456789")
        definition = self.defs.entities.get(kind) or self.defs.rooms.get(kind) or {}
        return " ".join(adjectives + [definition.get("repr_str", kind)])

    def visible(self) -> list[str]:
        room = self.player_room()
        out = []
        for thing in self._sorted({f[1] for f in self.facts if f[0] == "at" and f[2] == room and f[1] != "player1"}):
            if self.defs.entities.get(self.types.get(thing, ""), {}).get("hidden"):
                continue
            holder = next((f[2] for f in self.facts if f[0] == "in" and f[1] == thing), None)
            if holder is not None and ("open", holder) not in self.facts:
                continue
            out.append(thing)
        return out

    def inventory(self) -> list[str]:
        return self._sorted(f[1] for f in self.facts if f[0] == "in" and f[2] == "inventory")

    def contents(self, holder: str, relation: str = "in") -> list[str]:
        return self._sorted(f[1] for f in self.facts if f[0] == relation and len(f) == 3 and f[2] == holder)

    def _listing(self, things: list[str]) -> str:
        names = [f"{'an' if self.name_of(t)[:1] in 'aeiou' else 'a'} {self.name_of(t)}" for t in things]
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]

    def room_description(self) -> str:
        room = self.player_room()
        parts = [f"You are in the {self.name_of(room)}."]
        things = self.visible()
        if things:
            parts.append(f"You see {self._listing(things)}.")
        for thing in things:
            for f in sorted(self.facts, key=str):
                if f[1] != thing:
                    continue
                if f[0] in ("open", "closed"):
                    parts.append(f"The {self.name_of(thing)} is {f[0]}.")
                elif f[0] in ("in", "on") and len(f) == 3:
                    parts.append(f"The {self.name_of(thing)} is {f[0]} the {self.name_of(f[2])}.")
        exits = self._sorted(f[2] for f in self.facts if f[0] == "exit" and f[1] == room)
        if exits:
            parts.append(f"From here you can go to {self._listing(exits)}.")
        return " ".join(parts)

    def inventory_description(self) -> str:
        held = self.inventory()
        return f"You are carrying {self._listing(held)}." if held else "You are carrying nothing."

    def container_description(self, container: str) -> str:
        inside = self.contents(container)
        name = self.name_of(container)
        return f"Inside the {name} you see {self._listing(inside)}." if inside else f"The {name} is empty."

    def entity_description(self, kind: str) -> str:
        """What examining a thing of type ``kind`` shows."""
        if kind == "inventory":
            return self.inventory_description()
        thing = next((f[1] for f in sorted(self.facts, key=str) if f[0] == "type" and f[2] == kind), "")
        name = self.name_of(thing) if thing else kind
        parts = []
        if ("openable", thing) in self.facts:
            parts.append(f"The {name} can be opened and closed; it is {'open' if ('open', thing) in self.facts else 'closed'}.")
        if ("takeable", thing) in self.facts:
            parts.append(f"You can take the {name}.")
        if ("needs_support", thing) in self.facts:
            place = next((f for f in self.facts if f[0] in ("on", "in") and f[1] == thing), None)
            if place is not None:
                where = "your inventory" if place[2] == "inventory" else f"the {self.name_of(place[2])}"
                parts.append(f"The {name} is {place[0]} {where}.")
        if ("container", thing) in self.facts:
            if ("closed", thing) in self.facts:
                parts.append(f"The {name} is closed: you cannot see inside.")
            else:
                inside = [t for t in self.contents(thing) if ("accessible", t) in self.facts]
                parts.append(f"Inside the {name} you see {self._listing(inside)}." if inside else f"The {name} is empty.")
        if ("support", thing) in self.facts:
            on = self.contents(thing, "on")
            parts.append(f"On the {name} you see {self._listing(on)}." if on else f"There is nothing on the {name}.")
        return " ".join(parts)

    # -- commands

    def process(self, command: str) -> Verdict:
        """Process one command (the text after ``>``); a success changes the world."""
        try:
            parsed = self._parse(command)
            verdict = self._resolve(parsed)
        except CommandFailed as failure:
            return failure.verdict
        self.goals_reached = frozenset(self.goals & self.facts)
        return verdict

    def _parse(self, command: str) -> dict[str, Any]:
        defs = self.defs
        parsed = parse_command(command, defs)
        if parsed["type"] == "unknown":
            if parsed["arg1"] in defs.actions:
                raise _fail(PARSING, "malformed_command", "I don't understand that command.")
            raise _fail(PARSING, "undefined_action_verb", f"I don't know the action '{parsed['arg1']}'.")
        if parsed["type"] == "done":
            return parsed
        name = parsed["arg1"]
        if name not in defs.names:
            raise _fail(PARSING, "undefined_repr_str", f"I don't know what '{name}' is.")
        parsed["arg1"] = kind = defs.names[name]
        if kind not in defs.entities:
            if kind not in defs.rooms:
                raise _fail(PARSING, "undefined_argument_type", f"I don't know what '{kind}' is.")
            if parsed["type"] in ("take", "put", "open", "close"):
                raise _fail(PARSING, "manipulating_room", f"You cannot {parsed['type']} the {name}.")
        if "arg2" in parsed:
            second = parsed["arg2"]
            if parsed["type"] == "take" and second == "inventory":
                if any(self.types.get(t) == kind for t in self.inventory()):
                    raise _fail(RESOLUTION, "taking_from_inventory", f"The {defs.entities[kind]['repr_str']} is already in your inventory.")
                raise _fail(PARSING, "taking_from_inventory", "There is no need to take things from your inventory.")
            if second not in defs.names:
                raise _fail(PARSING, "undefined_repr_str", f"I don't know what '{second}' is.")
            parsed["arg2"] = defs.names[second]
            if parsed["arg2"] in defs.rooms:
                here = defs.rooms[self.room_types[self.player_room()]]["repr_str"]
                if parsed["arg2"] != here:  # clembench compares the type with the room's name: "livingroom" != "living room"
                    raise _fail(PARSING, "other_room_argument", f"You are not in the {second}.")
        return parsed

    def _bind(self, action: ActionDef, parsed: dict[str, Any]) -> dict[str, Any]:
        bindings: dict[str, Any] = {}
        keys = list(action.mapping)
        for variable, kind in action.schema.parameters:
            source = action.mapping[f"?{variable}"]
            if source[0] == "arg1":
                value = parsed["arg1"]
            elif source[0] == "arg2":
                value = parsed.get("arg2")
                if value is None and len(source) == 2 and source[1] == "arg1_receptacle":
                    first = next(v for v, s in action.mapping.items() if s[0] == "arg1")[1:]
                    # a thing put somewhere without being taken stays on its old place too (clembench's
                    # "put"); clembench then takes the first in its set's order, which changes between runs
                    value = next((f[2] for f in sorted(self.facts, key=str)
                                  if f[0] in ("in", "on") and f[1] == f"{bindings[first]}1"), None)
            elif source[0] == "current_player_room":
                value = self.player_room()
            elif source[0] == "player":
                value = "player1"
            elif source[0] == "inventory":
                value = "inventory"
            else:
                value = None
            bindings[variable] = value
            if isinstance(value, str):
                if value.endswith(_DIGITS):
                    value_type = self.types.get(value) or self.room_types.get(value)
                else:
                    value_type = value
                if value_type is not None and value_type != kind and kind not in self.defs.supertypes.get(value_type, []):
                    template, fail_type = action.parameter_feedback[keys.index(f"?{variable}")]
                    raise _fail(RESOLUTION, fail_type, fill(template, {variable: value}).capitalize(), action.name)
        return bindings

    def _resolve(self, parsed: dict[str, Any]) -> Verdict:
        action = self.defs.actions[parsed["type"]]
        bindings = self._bind(action, parsed)
        evaluator = Evaluator(self.facts)
        trace = evaluator.check(action.schema.precondition, bindings)
        if not trace.ok:
            index = failed_literal(trace)
            template, fail_type = action.precondition_feedback[index]
            names = {k: self.name_of(v) if isinstance(v, str) and v.endswith(_DIGITS) else v for k, v in bindings.items()}
            raise _fail(RESOLUTION, fail_type, fill(template, names).capitalize(), action.name)
        added, _removed = evaluator.apply(action.schema.effect, bindings)
        names = {k: self.name_of(v) if isinstance(v, str) and v.endswith(_DIGITS) else v for k, v in bindings.items()}
        template = action.success_feedback
        if "room_desc" in template:
            names["room_desc"] = self.room_description()
        if "inventory_desc" in template:
            names["inventory_desc"] = self.inventory_description()
        if "prep" in template:
            names["prep"] = parsed.get("prep") or next((f[0] for f in added if f[0] in ("in", "on")), "")
        if "container_content" in template:
            opened = next((f[1] for f in added if f[0] == "open"), None)
            names["container_content"] = self.container_description(opened) if opened else ""
        if "arg1_desc" in template:
            names["arg1_desc"] = self.entity_description(parsed["arg1"])
        return Verdict(True, fill(template, names), action.name)

    def run_plan(self, commands: list[str]) -> list[Verdict]:
        """Try ``commands`` in turn until one fails, then put the world back (clembench's plan check). The
        goals reached on the way are kept in ``goals_reached``, as clembench's interpreter keeps them."""
        saved = set(self.facts)
        verdicts = []
        for command in commands:
            verdicts.append(self.process(command))
            if not verdicts[-1].ok:
                break
        self.facts.clear()
        self.facts |= saved
        return verdicts


_FIELD = re.compile(r"\{\{\s*(\w+)\s*\}\}")


def fill(template: str, values: dict[str, Any]) -> str:
    """A definition file's ``{{ name }}`` template filled in (a missing name gives "")."""
    return _FIELD.sub(lambda m: "" if values.get(m.group(1)) is None else str(values[m.group(1)]), template)


def copy_world(world: World) -> World:
    """An independent copy of ``world`` (same definitions and goals)."""
    twin = object.__new__(World)
    twin.__dict__.update(world.__dict__)
    twin.facts = set(world.facts)
    return twin


def candidate_commands(world: World, useful: frozenset[str]) -> list[str]:
    """The commands worth trying towards the goals: walk, open closed containers, take the goal things
    (``useful``: their instance ids), put a carried one on or in anything here."""
    room = world.player_room()
    here = [f[1] for f in world.facts if f[0] == "at" and f[2] == room and f[1] != "player1"]
    out = [f"go {world.name_of(f[2])}" for f in world.facts if f[0] == "exit" and f[1] == room]
    out += [f"open {world.name_of(t)}" for t in here if ("closed", t) in world.facts]
    held = set(world.inventory())
    out += [f"take {world.name_of(t)}" for t in here if t in useful and t not in held and ("accessible", t) in world.facts]
    for t in held:
        for r in here:
            if ("support", r) in world.facts or ("container", r) in world.facts and ("open", r) in world.facts:
                out.append(f"put {world.name_of(t)} {'on' if ('support', r) in world.facts else 'in'} {world.name_of(r)}")
    return sorted(out)


def solve(world: World, limit: int = 30) -> list[str] | None:
    """A shortest list of commands that makes every goal fact hold (breadth first over
    ``candidate_commands``), or None when there is none within ``limit`` commands."""
    useful = frozenset(g[1] for g in world.goals)
    start = copy_world(world)
    frontier = [(start, [])]
    seen = {frozenset(start.facts)}
    for _depth in range(limit + 1):
        following = []
        for state, path in frontier:
            if world.goals <= state.facts:
                return path
            for command in candidate_commands(state, useful):
                twin = copy_world(state)
                if not twin.process(command).ok:
                    continue
                key = frozenset(twin.facts)
                if key not in seen:
                    seen.add(key)
                    following.append((twin, path + [command]))
        frontier = following
        if not frontier:
            return None
    return None
