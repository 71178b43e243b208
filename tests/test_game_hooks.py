"""A new game brings its own notation through the hooks, and the generic wrappers use it unchanged.

The game is defined in the tests and nowhere else: Stones, a Nim whose moves are written "T1", "T2", "T3"
(take 1-3 stones; who takes the last wins). Its notation reads "two" or "a pair" as "T2" (aliases), "take them all"
as taking every stone left (matching that depends on the position), and says why a move is illegal in the
game's own words. Parse, Rethink and the human agent pick all of that up from the observation.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Sequence

from pettingzoo.test import api_test, seed_test

from llm_arena_env.agents.human import HumanAgent
from llm_arena_env.core.notation import PLAIN, Notation
from llm_arena_env.core.text_env import IllegalAction
from llm_arena_env.wrappers import Parse, Rethink
from tests.test_rethink import Scripted
from tests.test_text_env import Nim

_NUMBERS = {"one": "T1", "a single": "T1", "two": "T2", "a pair": "T2", "three": "T3"}


@dataclass(frozen=True)
class StonesNotation(Notation):
    stones: int  # left on the table

    def aliases(self, text: str) -> tuple[str, ...]:
        words = text.casefold()
        return tuple(move for said, move in _NUMBERS.items() if said in words)

    def match(self, text: str, legal_actions: Sequence[str]) -> list[str]:
        everything = f"T{self.stones}"
        return [everything] if "all" in text.casefold().split() and everything in legal_actions else []

    def explain(self, action: str) -> str:
        wanted = int(action[1:]) if action[:1] == "T" and action[1:].isdigit() else 0
        if wanted > self.stones:
            return f"only {self.stones} stones are left, so you cannot take {wanted}"
        return ""


class Stones(Nim):
    """tests/test_text_env.py's Nim, its moves written T1-T3, with its notation."""

    def _parse_action(self, agent, text):
        if text.strip() not in self._legal_actions(agent):
            raise IllegalAction("take 1 to 3 stones, written T1, T2 or T3, no more than are left")
        return int(text.strip()[1:])

    def _legal_actions(self, agent):
        return [f"T{n}" for n in super()._legal_actions(agent)]

    def _notation(self, agent):
        return StonesNotation(self.stones)


def _observation_with(stones: int) -> dict:
    env = Stones(stones)
    env.reset(seed=0)
    return env.observe(env.agent_selection)


def test_the_game_passes_the_pettingzoo_api_with_its_notation_in_every_observation():
    api_test(Stones(5), num_cycles=20)
    seed_test(Stones, num_cycles=20)
    env = Stones(4)
    env.reset(seed=0)
    assert env.observe("first")["notation"] == StonesNotation(4)
    assert env.observe("second")["notation"] is PLAIN  # only the player to move gets the game's notation


def test_parse_reads_the_game_s_aliases_and_its_own_matching():
    observation = _observation_with(3)
    replies = ["Taking a pair seems wise.\nFinal Answer: two", "Final Answer: take them all", "Final Answer: T1"]
    decisions = Parse(Scripted(*replies)).decide_batch([observation] * 3)
    assert [d.action for d in decisions] == ["T2", "T3", "T1"]
    # without the game's notation only "T1" is read; the other answers go to the env as stated, to be rejected
    plain = {**observation, "notation": PLAIN}
    assert [d.action for d in Parse(Scripted(*replies)).decide_batch([plain] * 3)] == ["two", "take them all", "T1"]


def test_rethink_explains_an_illegal_move_in_the_game_s_words():
    observation = _observation_with(2)
    inner = Scripted("Final Answer: T3", "Final Answer: a single one")
    decision = Rethink(Parse(inner)).decide(observation)
    first, second = decision.attempts
    assert first.feedback == "Your move T3 was illegal: only 2 stones are left, so you cannot take 3. Give a legal move."
    assert inner.calls[1][0]["notation"] == StonesNotation(2)  # the position stays with the retry
    assert decision.action == "T1" and second.legal is True


def test_a_person_may_use_the_game_s_aliases_too():
    env = Stones(3)
    env.reset(seed=0)
    person = HumanAgent(input=io.StringIO("a pair\n"), output=io.StringIO())
    person.bind_env(env)
    assert person.act(env.observe(env.agent_selection)) == "T2"
