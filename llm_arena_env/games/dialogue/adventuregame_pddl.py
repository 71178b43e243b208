"""The PDDL subset of clembench's adventuregame definitions: read, checked against a world, applied.

clembench's adventuregame defines each action in its definition files as a PDDL ``(:action ...)`` and the
types in a ``(define (domain ...))``. This module reads those texts (an S-expression reader of its own) and
evaluates them the way clembench's interpreter does, quirks included, because the verdicts must agree:

- every literal of a precondition is evaluated (no short cut) and numbered in reading order; the first
  unfulfilled one (looking into the first branch of an ``or``) picks the failure feedback of that number;
- an argument that is a type name (``apple``, ``kitchen``) is replaced by the first instance of that type
  when a literal is checked, and from then on the variable holds the instance;
- a literal with a missing (``None``) argument counts as fulfilled and is not added by an effect;
- ``forall`` iterates over the objects with a fact named by its type (``(takeable x)``).

A world here is a set of fact tuples: ``("at", "apple1", "kitchen1")``, ``("itemcount", "inventory", 0)``.
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass, field
from typing import Any, Union

Fact = tuple
Node = Union[str, list]

_TOKEN = re.compile(r"\(|\)|[^\s()]+")
_COMPARISONS = {"<": operator.lt, ">": operator.gt, "<=": operator.le, ">=": operator.ge, "=": operator.eq}
_CHANGES = {"increase": operator.add, "decrease": operator.sub, "assign": lambda _old, new: new}


def read_sexpr(text: str) -> list:
    """``"(a (b c))"`` -> ``["a", ["b", "c"]]``; a ValueError for unbalanced brackets."""
    stack: list[list] = [[]]
    for token in _TOKEN.findall(text):
        if token == "(":
            stack.append([])
        elif token == ")":
            if len(stack) == 1:
                raise ValueError("PDDL: a ')' without its '('")
            done = stack.pop()
            stack[-1].append(done)
        else:
            stack[-1].append(token)
    if len(stack) != 1 or len(stack[0]) != 1:
        raise ValueError("PDDL: unbalanced brackets")
    return stack[0][0]


def typed_list(items: list[str]) -> list[tuple[str, str]]:
    """``["?c", "?d", "-", "room", "?p", "-", "player"]`` -> ``[("c", "room"), ("d", "room"), ("p", "player")]``."""
    out, pending, i = [], [], 0
    while i < len(items):
        if items[i] == "-":
            out += [(name.lstrip("?"), items[i + 1]) for name in pending]
            pending, i = [], i + 2
        else:
            pending.append(items[i])
            i += 1
    return out + [(name.lstrip("?"), "object") for name in pending]


def _number(text: str) -> float:
    return float(text) if "." in text else int(text)


# ---------------------------------------------------------------------------------------------- conditions


@dataclass
class Trace:
    """How one part of a precondition came out: ``kind`` is pred/and/or/not, ``index`` numbers literals."""

    kind: str
    ok: bool
    index: int = -1
    parts: list["Trace"] = field(default_factory=list)


class Evaluator:
    """Checks conditions and applies effects on ``facts`` (a set, changed in place by ``apply``)."""

    def __init__(self, facts: set[Fact]):
        self.facts = facts
        self.counter = -1

    # -- literals

    def _value(self, arg: str, bindings: dict[str, Any]) -> Any:
        return bindings[arg[1:]] if arg.startswith("?") else arg

    def _instance_of(self, type_name: str) -> str | None:
        for fact in sorted(self.facts, key=str):
            if fact[0] in ("room", "type") and len(fact) == 3 and fact[2] == type_name:
                return fact[1]
        return None

    def literal(self, name: str, args: list[str], bindings: dict[str, Any]) -> Fact:
        """The fact a literal stands for, type names resolved to their instance (and rebound)."""
        values = [self._value(a, bindings) for a in args]
        for i, value in enumerate(values):
            if value and not value.endswith(tuple("0123456789")) and not value.endswith("inventory"):
                instance = self._instance_of(value)
                if instance is None:  # no such thing here (clembench stops with an IndexError)
                    continue
                for variable, bound in bindings.items():
                    if bound == value:
                        bindings[variable] = instance
                values[i] = instance
        return (name, *values)

    def holds(self, fact: Fact) -> bool:
        return None in fact or fact in self.facts

    def function_value(self, term: Node, bindings: dict[str, Any]) -> Any:
        if isinstance(term, str):
            return _number(term)
        subject = self._value(term[1], bindings)
        return next((f[2] for f in self.facts if f[0] == term[0] and len(f) == 3 and f[1] == subject), None)

    # -- conditions

    def check(self, node: list, bindings: dict[str, Any]) -> Trace:
        head = node[0]
        if head in ("and", "or"):
            parts = [self.check(child, bindings) for child in node[1:]]
            ok = all(p.ok for p in parts) if head == "and" else any(p.ok for p in parts)
            return Trace(head, ok, parts=parts)
        if head == "not":
            inner = self.check(node[1], bindings)
            return Trace("not", not inner.ok, parts=[inner])
        if head in _COMPARISONS:
            left, right = (self.function_value(t, bindings) for t in node[1:3])
            self.counter += 1
            ok = left is not None and right is not None and _COMPARISONS[head](left, right)
            return Trace("pred", ok, self.counter)
        fact = self.literal(head, node[1:], bindings)
        self.counter += 1
        return Trace("pred", self.holds(fact), self.counter)

    # -- effects

    def apply(self, node: list, bindings: dict[str, Any]) -> tuple[list[Fact], list[Fact]]:
        """Apply an effect; returns (added, removed) facts in the order they happened."""
        added: list[Fact] = []
        removed: list[Fact] = []
        head = node[0]
        if head == "and":
            for child in node[1:]:
                a, r = self.apply(child, bindings)
                added += a
                removed += r
        elif head == "when":
            if self.check(node[1], bindings).ok:
                effects = node[2][1:] if node[2][0] == "and" else [node[2]]
                for effect in effects:
                    a, r = self.apply(effect, bindings)
                    added += a
                    removed += r
        elif head == "forall":
            variables = typed_list(node[1])
            name, kind = variables[0]
            objects = [f[1] for f in self.facts if f[0] == kind and len(f) >= 2]
            for obj in objects:
                inner = {**bindings, name: obj}
                for part in node[2:]:
                    if part[0] in ("when", "and"):  # clembench applies no single-literal forall body
                        a, r = self.apply(part, inner)
                        added += a
                        removed += r
        elif head in _CHANGES:
            term = node[1]
            subject = self._value(term[1], bindings)
            old = next((f for f in self.facts if f[0] == term[0] and len(f) == 3 and f[1] == subject), None)
            if old is not None:
                self.facts.discard(old)
                new = (term[0], subject, _CHANGES[head](old[2], self.function_value(node[2], bindings)))
                self.facts.add(new)
                removed.append(old)
                added.append(new)
        elif head == "not":
            fact = (node[1][0], *(self._value(a, bindings) for a in node[1][1:]))
            if None not in fact:
                self.facts.discard(fact)
                removed.append(fact)
        else:
            fact = (head, *(self._value(a, bindings) for a in node[1:]))
            if None not in fact:
                self.facts.add(fact)
                added.append(fact)
        return added, removed


def failed_literal(trace: Trace) -> int | None:
    """The number of the literal whose feedback explains a failed precondition (clembench's choice)."""

    def own(part: Trace) -> int:
        return part.parts[0].index if part.kind == "not" else part.index

    for item in trace.parts:
        if item.ok:
            continue
        if item.kind == "or":
            for branch in item.parts:
                if branch.kind == "and":
                    for part in branch.parts:
                        if not part.ok:
                            return own(part)
                elif branch.kind == "pred":
                    return branch.index
        elif item.kind == "and":
            for part in item.parts:
                if not part.ok:
                    return own(part)
        else:
            return own(item)
    return None


# ---------------------------------------------------------------------------------------------- definitions


@dataclass(frozen=True)
class ActionSchema:
    """One ``(:action ...)``: its parameters (name, type) in order, precondition and effect trees."""

    name: str
    parameters: tuple[tuple[str, str], ...]
    precondition: list
    effect: list


def read_action(text: str) -> ActionSchema:
    tree = read_sexpr(text)
    if not tree or tree[0] != ":action":
        raise ValueError("PDDL: an action definition starts with (:action NAME")
    parts = dict(zip(tree[2::2], tree[3::2]))
    return ActionSchema(tree[1].lower(), tuple(typed_list(parts.get(":parameters", []))),
                        parts.get(":precondition", ["and"]), parts.get(":effect", ["and"]))


def read_domain(text: str) -> tuple[dict[str, list[str]], list[tuple[str, str]]]:
    """A domain's types ``{supertype: [subtypes]}`` and its functions ``[(name, type)]``."""
    tree = read_sexpr(text)
    types: dict[str, list[str]] = {}
    functions: list[tuple[str, str]] = []
    for part in tree[1:]:
        if isinstance(part, list) and part and part[0] == ":types":
            for sub, sup in typed_list(part[1:]):
                types.setdefault(sup, []).append(sub)
        elif isinstance(part, list) and part and part[0] == ":functions":
            for function in part[1:]:
                functions.append((function[0], typed_list(function[1:])[0][1]))
    return types, functions
