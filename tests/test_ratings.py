"""Elo and Bradley-Terry recover known strengths from synthetic results; intervals, anchors and separation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from llm_arena_env.arena.ratings import Match, bradley_terry, elo, matches_from_episodes

TRUE = {"p0": 0.0, "p1": 150.0, "p2": 300.0, "p3": 450.0, "p4": 600.0}  # Bradley-Terry strengths, Elo scale


def tournament(strengths, games_per_pair, seed, draw_rate=0.0):
    """Round-robin episode dicts, sides swapped every game, outcomes drawn from the Bradley-Terry model
    (a draw, where drawn, takes half of each side's chances, so the expected score is unchanged), shuffled."""
    rng = np.random.default_rng(seed)
    names = list(strengths)
    episodes = []
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            p = 1 / (1 + 10 ** ((strengths[b] - strengths[a]) / 400))
            for game in range(games_per_pair):
                u = rng.random()
                score = 0.5 if u < draw_rate else float(rng.random() < p)
                white, black = (a, b) if game % 2 == 0 else (b, a)
                white_score = score if white == a else 1 - score
                outcome = {1.0: ("win", "loss"), 0.0: ("loss", "win"), 0.5: ("draw", "draw")}[white_score]
                episodes.append({"game": "chess", "agents": {"white": white, "black": black},
                                 "outcomes": {"white": outcome[0], "black": outcome[1]}})
    return [episodes[k] for k in rng.permutation(len(episodes))]


def rated(episodes):
    return matches_from_episodes(episodes)[0]


def order(ratings):
    return [r.player for r in ratings.players]


TRUE_ORDER = sorted(TRUE, key=TRUE.get, reverse=True)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_elo_and_bradley_terry_recover_the_true_order(seed):
    matches = rated(tournament(TRUE, 100, seed, draw_rate=0.1))
    assert order(bradley_terry(matches)) == TRUE_ORDER
    assert order(elo(matches)) == TRUE_ORDER


def test_bradley_terry_recovers_the_true_gaps_and_centres_on_the_base():
    bt = bradley_terry(rated(tournament(TRUE, 300, seed=3)), anchors={"p0": 0.0})
    for player, strength in TRUE.items():
        assert bt[player].rating == pytest.approx(strength, abs=60)
    unanchored = bradley_terry(rated(tournament(TRUE, 50, seed=3)), base=1000.0)
    assert np.mean(list(unanchored.as_dict().values())) == pytest.approx(1000.0, abs=1e-6)


def test_intervals_cover_the_true_differences_in_most_seeds():
    covered = total = 0
    for seed in range(10):
        bt = bradley_terry(rated(tournament(TRUE, 40, seed)), anchors={"p0": 0.0}, bootstrap=200, seed=seed)
        for player, strength in TRUE.items():
            if player != "p0":
                covered += bt[player].low <= strength <= bt[player].high
                total += 1
    assert covered / total >= 0.8  # nominally 95%


def test_bradley_terry_intervals_shrink_with_more_games():
    # Elo's do not: with a fixed K its ratings keep moving by ~K per game however many games are played.
    def mean_width(games):
        bt = bradley_terry(rated(tournament(TRUE, games, seed=4)), anchors={"p0": 0}, bootstrap=200, seed=0)
        return np.mean([r.high - r.low for r in bt.players if not r.anchored])

    assert mean_width(200) < 0.6 * mean_width(25)  # ~ sqrt(25 / 200) = 0.35 expected


def test_the_bootstrap_is_seeded():
    matches = rated(tournament(TRUE, 20, seed=5))
    first, again = (bradley_terry(matches, bootstrap=50, seed=1) for _ in range(2))
    other = bradley_terry(matches, bootstrap=50, seed=2)
    assert first == again and first != other
    assert elo(matches, bootstrap=30, seed=1) == elo(matches, bootstrap=30, seed=1)


@pytest.mark.parametrize("method", [bradley_terry, elo])
def test_an_anchor_shifts_every_rating_and_interval_exactly(method):
    matches = rated(tournament(TRUE, 30, seed=6))
    low = method(matches, anchors={"p2": 0.0}, bootstrap=40, seed=0)
    high = method(matches, anchors={"p2": 250.0}, bootstrap=40, seed=0)
    assert low["p2"].rating == 0.0 and high["p2"].rating == 250.0 and high["p2"].anchored
    for player in TRUE:
        assert high[player].rating - low[player].rating == pytest.approx(250.0, abs=1e-6)
        assert high[player].low - low[player].low == pytest.approx(250.0, abs=1e-6)
        assert high[player].high - low[player].high == pytest.approx(250.0, abs=1e-6)


def test_several_anchors_pin_bradley_terry_and_shift_elo_to_their_mean():
    matches = rated(tournament(TRUE, 100, seed=7))
    bt = bradley_terry(matches, anchors={"p0": 0.0, "p4": 600.0})
    assert bt["p0"].rating == 0.0 and bt["p4"].rating == 600.0 and order(bt) == TRUE_ORDER
    e = elo(matches, anchors={"p0": 0.0, "p4": 600.0})
    assert e["p0"].rating + e["p4"].rating == pytest.approx(600.0) and order(e) == TRUE_ORDER
    assert "only Bradley-Terry pins each anchor" in e.notes[0]


def test_a_player_who_never_loses_gets_a_finite_rating_and_a_note():
    episodes = tournament({"a": 0, "b": 100, "c": 200}, 30, seed=8)
    for opponent in "abc":  # "champ" beats everyone, always
        for game in range(20):
            episodes.append({"agents": {"x": "champ", "y": opponent}, "outcomes": {"x": "win", "y": "loss"}})
    bt = bradley_terry(rated(episodes), anchors={"a": 0})
    champ = bt["champ"].rating
    assert math.isfinite(champ) and order(bt)[0] == "champ" and champ > bt["c"].rating + 200
    assert len(bt.notes) == 1 and bt.notes[0].startswith("champ never lost") and "prior" in bt.notes[0]
    assert not bradley_terry(rated(tournament(TRUE, 20, seed=8))).notes


def test_a_player_who_never_scores_and_groups_that_never_meet_are_noted():
    loser = [{"agents": {"x": "a", "y": "b"}, "outcomes": {"x": "loss", "y": "win"}}] * 5
    assert "a never won or drew" in bradley_terry(rated(loser)).notes[0]
    apart = tournament({"a": 0, "b": 0}, 10, seed=9) + tournament({"c": 0, "d": 0}, 10, seed=9)
    [note] = bradley_terry(rated(apart)).notes
    assert "a, b | c, d" in note and math.isfinite(bradley_terry(rated(apart))["c"].rating)


def test_draws_count_as_half_wins_and_the_fit_is_the_maximum_likelihood():
    wins = [Match(i, "a", "b", 1.0 if i < 300 else 0.0) for i in range(400)]  # a scores 3 of 4
    halves = [Match(i, "a", "b", 1.0 if i < 200 else 0.5) for i in range(400)]  # 200 wins + 200 draws: also 3/4
    gap = bradley_terry(wins)["a"].rating - bradley_terry(wins)["b"].rating
    assert gap == pytest.approx(400 * math.log10(3), abs=0.5)  # the weak prior moves it by a hair
    assert bradley_terry(halves).as_dict() == pytest.approx(bradley_terry(wins).as_dict())


def test_elo_on_a_hand_worked_sequence():
    matches = [Match(0, "a", "b", 1.0), Match(1, "b", "a", 1.0)]
    ratings = elo(matches, k=16, base=1000).as_dict()
    expected_b = 1 / (1 + 10 ** ((1008 - 992) / 400))  # b's chance in game 2
    assert ratings["a"] == pytest.approx(1008 - 16 * (1 - expected_b))
    assert ratings["b"] == pytest.approx(992 + 16 * (1 - expected_b))


def test_matches_from_episodes_rate_only_competitive_games_between_different_agents():
    episodes = [
        {"agents": {"w": "x", "b": "y"}, "outcomes": {"w": "draw", "b": "draw"}},
        {"agents": {"w": "x", "b": "x"}, "outcomes": {"w": "win", "b": "loss"}},  # self-play
        {"agents": {"a": "x", "b": "y"}, "outcomes": {"a": "success", "b": "success"}},  # cooperative
        {"agents": {"p": "x", "q": "y", "r": "z"}, "outcomes": {"p": "win", "q": "loss", "r": "loss"}},
    ]
    matches, notes = matches_from_episodes(episodes)
    assert matches == [Match(0, "x", "y", 0.5), Match(3, "x", "y", 1.0), Match(3, "x", "z", 1.0),
                       Match(3, "y", "z", 0.5)]
    assert len(notes) == 2 and "1 self-play" in notes[1] and notes[0].startswith("1 episode(s) without")


def test_bad_input_is_a_clear_error():
    matches = [Match(0, "a", "b", 1.0)]
    with pytest.raises(ValueError, match="'stockfish' is not among the rated players: a, b"):
        bradley_terry(matches, anchors={"stockfish": 0})
    with pytest.raises(ValueError, match="no rated matches"):
        elo([])
    with pytest.raises(ValueError, match="finite"):
        elo(matches, anchors={"a": math.inf})
    with pytest.raises(ValueError, match="K factor"):
        elo(matches, k=0)
