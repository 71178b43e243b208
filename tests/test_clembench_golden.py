"""Golden cases against clembench: scripted replies and the verdicts clembench's own game masters and
scorers gave on them (recorded by ``scripts/clembench_diff.py record``; the replies and instances are ours).

Every case is replayed through our env with each reply sent by the CLI's default LLM player
(``Rethink(Parse(LLMAgent))``) around a backend that returns the scripted text, so the test checks two
things: the game receives each reply exactly as written (no parser rewrites free text), and the episode's
outcome, Main Score and request counts are the ones clembench gave. Games that list their legal moves
(the text map worlds) get the replies directly: there the player's parser maps replies onto the moves by
design, and what is compared is the env's own judgement.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

import llm_arena_env
from llm_arena_env.agents.backends.base import Completion
from llm_arena_env.agents.specs import _llm_player
from llm_arena_env.core import metrics as m

GOLDEN = Path(__file__).parent / "golden" / "clembench"
GAMES = {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in sorted(GOLDEN.glob("*.json"))}
CASES = [(name, case) for name, game in GAMES.items() for case in game["cases"]
         if case["clembench"]["outcome"] != "crash"]
OUTCOMES = {"aborted": m.ABORTED, "success": m.SUCCESS, "lose": m.LOSE}


class ScriptedBackend:
    """Returns the given replies in turn: the model of one seat."""

    name = "scripted:golden"

    def __init__(self, replies):
        self.replies = list(replies)

    def complete(self, requests):
        return [Completion(self.replies.pop(0) if self.replies else "") for _ in requests]


def replay(game: dict, case: dict) -> tuple[dict, list[tuple[str, str]]]:
    """Play ``case``; returns the final scores and (sent, received) for every reply the env got."""
    env = llm_arena_env.make(game["env_id"], instances=game["instances"], **game.get("env_kwargs", {}))
    env.reset(seed=0, options={"instance": (case["experiment"], case["game_id"])})
    roles = game.get("agent_roles", {})
    backends = {role: ScriptedBackend(replies) for role, replies in case["replies"].items()}
    players = {role: _llm_player(backend) for role, backend in backends.items()}
    seen = []
    while env.unwrapped.result is None and len(seen) < 200:
        role = roles.get(env.agent_selection, env.agent_selection)
        observation = env.observe(env.agent_selection)
        queue = backends[role].replies
        sent = queue[0] if queue else ""
        if observation.get("legal_actions"):  # a game that lists its moves: the player's parser may map replies
            action = queue.pop(0) if queue else ""  # onto them by design; the env's own rules are compared here
        elif sent.strip():
            action = players[role].act(observation)
        else:  # an empty reply is no model output (the backend would report an error): sent as it is
            action = queue.pop(0) if queue else ""
        seen.append((sent, action))
        env.step(action)
    # the scores every seat's info carries at the end (Aborted included, which TextEnv adds there)
    return next(info["scores"] for info in env.infos.values() if "scores" in info), seen


def _number(value):
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else round(float(value), 4)


@pytest.mark.parametrize("game_name, case", CASES, ids=[f"{g}: {c['name']}" for g, c in CASES])
def test_our_env_gives_clembenchs_verdict(game_name, case):
    game = GAMES[game_name]
    scores, seen = replay(game, case)
    assert all(sent == received for sent, received in seen), "a reply was changed before the game saw it"
    expected = case["clembench"]
    assert scores[OUTCOMES[expected["outcome"]]] == 1
    assert _number(scores[m.MAIN_SCORE]) == pytest.approx(expected["Main Score"])
    # rows of docs/clembench.md: counts clembench defines otherwise, for a game or one case
    exempt = set(game.get("request_count_deviation", ())) | set(case.get("request_count_deviation", ()))
    for name in (m.REQUEST_COUNT, m.PARSED_REQUEST_COUNT, m.VIOLATED_REQUEST_COUNT):
        if name not in exempt and expected[name] is not None:  # clembench's textmapworld logs none
            assert scores[name] == expected[name], name


def test_every_golden_game_has_cases_of_every_outcome_it_can_reach():
    assert GAMES, "no golden files"
    for name, game in GAMES.items():
        outcomes = {case["clembench"]["outcome"] for case in game["cases"]}
        assert {"success", "aborted"} <= outcomes, name
