"""Typed episode records: to_dict and from_dict are inverses, and files earlier versions wrote still load."""

from __future__ import annotations

import json
import math

import pytest

import llm_arena_env
from llm_arena_env.agents.base import Decision, Verdict
from llm_arena_env.agents.specs import make_agent
from llm_arena_env.arena.episode import play_episode
from llm_arena_env.arena.ratings import matches_from_episodes
from llm_arena_env.arena.records import EpisodeRecord, RecordError, StepRecord, as_record
from llm_arena_env.arena.stats import episode_stats
from llm_arena_env.arena.transcript import episode_html
from llm_arena_env.core.outcome import EndReason, Outcome
from llm_arena_env.training.trajectory import trajectories_from_episode

# An episode.json as the first version of the arena wrote it: no token counts, ids, kwargs, errors or teams.
FIRST_VERSION = {
    "game": "openspiel/tic_tac_toe", "seed": 3, "agents": {"player_0": "random", "player_1": "llm"},
    "steps": [
        {"player": "player_0", "observation": "board", "action": "x(1,1)", "accepted": True, "rejection": "",
         "decision": {"action": "x(1,1)", "attempts": [{"raw_output": "x(1,1)", "parsed": "x(1,1)", "legal": None}]}},
        {"player": "player_1", "observation": "board", "action": "nonsense", "accepted": False,
         "rejection": "not a move", "decision": {"action": "nonsense", "attempts": [
             {"raw_output": "I think", "prompt": [{"role": "user", "content": "board"}], "parsed": None,
              "legal": None, "reason": "no move", "feedback": "", "error": "", "prompt_tokens": 7,
              "completion_tokens": 2, "latency_s": 0.5, "votes": {}}]}},
    ],
    "rewards": {"player_0": 1.0, "player_1": -1.0}, "outcomes": {"player_0": "win", "player_1": "loss"},
    "end_reason": "illegal_action", "end_detail": "player_1 broke the rules", "scores": {"Main Score": None},
    "num_steps": 2, "seconds": 0.1,
}


def test_a_played_record_survives_json_unchanged():
    env = llm_arena_env.make("openspiel/tic_tac_toe")
    record = play_episode(env, [make_agent("random", seed=1), make_agent("random", seed=2)], seed=0,
                          game="openspiel/tic_tac_toe", episode_id="0000")
    data = json.loads(json.dumps(record.to_dict()))
    again = EpisodeRecord.from_dict(data)
    assert again == record
    assert again.to_dict() == data
    assert all(isinstance(o, Outcome) for o in again.outcomes.values())
    assert isinstance(again.end_reason, EndReason) and isinstance(again.steps[0].decision, Decision)


def test_a_record_of_the_first_version_loads_typed_with_defaults():
    record = EpisodeRecord.from_dict(FIRST_VERSION)
    assert record.outcomes == {"player_0": Outcome.WIN, "player_1": Outcome.LOSS}
    assert record.end_reason is EndReason.ILLEGAL_ACTION and record.error is None and not record.is_error
    assert (record.episode_id, record.game_kwargs, record.options, record.teams, record.pgn) == ("", {}, None, {}, "")
    assert [a.verdict for s in record.steps for a in s.attempts] == [Verdict.UNCHECKED, Verdict.UNPARSED]
    assert record.steps[1].attempts[0].prompt_tokens == 7 and record.steps[0].prompt_tokens == 0
    assert math.isnan(record.scores["Main Score"])  # NaN was written as null
    # every reader takes it
    [row_random, row_llm] = sorted(episode_stats([FIRST_VERSION]).rows, key=lambda r: r.player != "random")
    assert (row_random.wins, row_llm.losses, row_llm.parse_failures, row_llm.illegal_actions) == (1, 1, 1, 1)
    matches, _ = matches_from_episodes([FIRST_VERSION])
    assert [(m.a, m.b, m.score) for m in matches] == [("random", "llm", 1.0)]
    assert [t.outcome for t in trajectories_from_episode(FIRST_VERSION)] == ["win", "loss"]
    assert "player_1 broke the rules" in episode_html(FIRST_VERSION, images=False)


def test_an_env_without_an_end_reason_records_none_and_writes_it_as_before():
    record = EpisodeRecord.from_dict({**FIRST_VERSION, "end_reason": ""})
    assert record.end_reason is None and record.to_dict()["end_reason"] == ""


@pytest.mark.parametrize("change, message", [
    ({"steps": "none"}, "steps must be a list"),
    ({"outcomes": {"player_0": "victory"}}, "unknown outcome 'victory'"),
    ({"end_reason": "bored"}, "unknown end reason 'bored'"),
    ({"agents": ["a"]}, "agents must be a JSON object"),
    ({"seed": "s"}, "seed"),
    ({"steps": [{"decision": {"attempts": [{"prompt": "text"}]}}]}, "attempt"),
    ({"steps": [None]}, "a step must be a JSON object"),
])
def test_what_cannot_be_a_record_is_a_clear_error(change, message):
    with pytest.raises(RecordError, match=message):
        EpisodeRecord.from_dict({**FIRST_VERSION, **change})


def test_as_record_takes_a_record_or_its_dict():
    record = EpisodeRecord.from_dict(FIRST_VERSION)
    assert as_record(record) is record and as_record(FIRST_VERSION) == record
    assert StepRecord.from_dict(record.steps[1].to_dict()) == record.steps[1]
