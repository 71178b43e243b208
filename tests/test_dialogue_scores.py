"""clembench's episode metrics and benchmark table, on hand-worked numbers."""

from __future__ import annotations

import copy
import json
import math
import pickle

import pytest

from llm_arena_env.games.dialogue.scores import NAN, EpisodeScores, aggregate, episode_scores, player_label

NAN_F = float("nan")


def test_episode_scores_of_a_played_and_an_aborted_episode():
    played = episode_scores(aborted=False, success=True, requests=4, violated=1, main_score=50, measures={"X": 2})
    assert played == {"Aborted": 0, "Lose": 0, "Success": 1, "Request Count": 4, "Parsed Request Count": 3,
                      "Violated Request Count": 1, "Request Success Ratio": 0.75, "Main Score": 50.0, "X": 2}
    lost = episode_scores(aborted=False, success=False, requests=2, violated=0, main_score=0)
    assert lost["Lose"] == 1 and lost["Success"] == 0 and lost["Main Score"] == 0.0
    aborted = episode_scores(aborted=True, success=True, requests=3, violated=1, main_score=100,
                             measures={"Main Score": 7, "Y": NAN_F})
    assert aborted["Aborted"] == 1 and aborted["Lose"] == 0 and aborted["Success"] == 0
    assert math.isnan(aborted["Main Score"]) and math.isnan(aborted["Y"])  # measures cannot overwrite the metrics
    assert list(played)[:8] == ["Aborted", "Lose", "Success", "Request Count", "Parsed Request Count",
                                "Violated Request Count", "Request Success Ratio", "Main Score"]


def test_the_nan_of_a_score_is_a_nan_that_equals_itself():
    assert math.isnan(NAN) and NAN == NAN_F and NAN == NAN and not NAN != NAN and NAN != 1.0
    assert pickle.loads(pickle.dumps(NAN)) == NAN and copy.deepcopy(NAN) == NAN
    assert json.dumps({"s": NAN}) == '{"s": NaN}'


def _episodes(game, player, mains):
    """Episodes with these Main Scores; None marks an aborted one."""
    return [EpisodeScores(game, player, {"Aborted": int(m is None), "Main Score": NAN_F if m is None else m})
            for m in mains]


def test_aggregate_matches_hand_worked_numbers():
    episodes = (_episodes("taboo", "A", [None, 100, 50, 0]) + _episodes("wordle", "A", [100, 30])
                + _episodes("taboo", "B", [None, None]) + _episodes("wordle", "B", [20])
                + _episodes("taboo", "C", [None]))
    table = aggregate(episodes)
    taboo_a = table.games[("taboo", "A")]
    assert (taboo_a.episodes, taboo_a.played, taboo_a.quality) == (4, 75.0, 50.0)
    assert taboo_a.quality_std == pytest.approx(50.0)  # sample std of 100, 50, 0
    assert table.games[("wordle", "A")].quality == 65.0
    a = table.players["A"]
    assert a.played == 87.5 and a.quality == 57.5 and a.clemscore == pytest.approx(50.3125)
    b = table.players["B"]  # taboo never played: no quality there, so only wordle's counts
    assert math.isnan(table.games[("taboo", "B")].quality) and b.played == 50.0 and b.quality == 20.0
    assert b.clemscore == 10.0
    assert table.players["C"].clemscore == 0.0 and set(a.games) == {"taboo", "wordle"}


def test_aggregate_reads_episode_record_dicts():
    records = [{"game": "dialogue/taboo", "agents": {"describer": "m", "guesser": "m"},
                "scores": {"Aborted": 0, "Main Score": 100 / 3}},
               {"game": "dialogue/taboo", "agents": {"describer": "m", "guesser": "n"},
                "scores": {"Aborted": 0, "Main Score": 0.0}}]
    table = aggregate(records)
    assert table.players["m"].clemscore == pytest.approx(100 / 3)
    assert table.players["m--n"].clemscore == 0.0
    assert player_label({}) == "unknown"
