"""Per game and player statistics of episode records, clembench's clemscore among them, on hand-worked numbers."""

from __future__ import annotations

import json
import math

import pytest

import llm_arena_env
from llm_arena_env.agents.specs import make_agent
from llm_arena_env.arena.episode import play_episode
from llm_arena_env.arena.stats import episode_stats


def _attempt(parsed, prompt_tokens=0, completion_tokens=0, latency_s=0.0):
    return {"raw_output": "x", "parsed": parsed, "legal": None, "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens, "latency_s": latency_s}


def _step(player, accepted, attempts):
    return {"player": player, "observation": "", "action": "a", "accepted": accepted,
            "rejection": "" if accepted else "illegal", "decision": {"action": "a", "attempts": attempts}}


def _episode(game, agents, outcomes, steps=(), scores=None):
    return {"game": game, "seed": 0, "agents": agents, "steps": list(steps), "outcomes": outcomes,
            "rewards": {}, "scores": scores or {}, "end_reason": "game_over", "end_detail": "", "num_steps": len(steps)}


def test_rates_tokens_and_latency_match_hand_worked_numbers():
    agents = {"white": "llm", "black": "random"}
    first = _episode("chess", agents, {"white": "loss", "black": "win"}, [
        _step("white", True, [_attempt(None, 10, 5, 1.0), _attempt("e4", 12, 3, 2.0)]),  # a parse failure, then a move
        _step("black", True, [_attempt("e5")]),
        _step("white", False, [_attempt("Ke9", 20, 2, 3.0)]),  # parsed but illegal: the env rejected it
    ])
    second = _episode("chess", {"white": "random", "black": "llm"}, {"white": "draw", "black": "draw"}, [
        _step("white", True, [_attempt("d4")]),
        _step("black", True, [_attempt("d5", 8, 4, 2.0)]),
    ])
    stats = episode_stats([first, second])
    llm = next(r for r in stats.rows if r.player == "llm")
    assert (llm.game, llm.games, llm.wins, llm.draws, llm.losses) == ("chess", 2, 0, 1, 1)
    assert (llm.actions, llm.illegal_actions, llm.illegal_rate) == (3, 1, pytest.approx(1 / 3))
    assert (llm.attempts, llm.parse_failures, llm.parse_failure_rate) == (4, 1, 0.25)
    assert (llm.prompt_tokens, llm.completion_tokens) == (50, 14)
    assert llm.mean_latency_s == pytest.approx(2.0) and llm.win_rate == 0.0
    rand = next(r for r in stats.rows if r.player == "random")
    assert (rand.games, rand.wins, rand.draws, rand.illegal_rate, rand.parse_failure_rate) == (2, 1, 1, 0.0, 0.0)
    assert rand.win_rate == 0.5 and math.isnan(rand.played) and stats.clembench is None


def test_played_episodes_count_every_seat_of_self_play_for_the_same_spec():
    env = llm_arena_env.make("openspiel/tic_tac_toe")
    records = [play_episode(env, [make_agent("random", seed=s), make_agent("random", seed=s + 50)], seed=s).to_dict()
               for s in range(4)]
    [row] = episode_stats(records).rows
    assert row.player == "random" and row.games == 8  # two seats per episode
    assert row.wins == row.losses and row.wins + row.draws + row.losses == 8  # one side's win is the other's loss
    assert row.actions == sum(r["num_steps"] for r in records) and row.illegal_rate == 0.0


def _dialogue(game, agents, main_score):
    """A clembench-scored episode; main_score None means aborted."""
    aborted = main_score is None
    outcome = "aborted" if aborted else "success" if main_score > 0 else "failure"
    scores = {"Aborted": int(aborted), "Success": int(not aborted and main_score > 0),
              "Main Score": math.nan if aborted else float(main_score)}
    return _episode(game, agents, {seat: outcome for seat in agents}, scores=scores)


def test_clemscore_through_stats_on_hand_worked_numbers():
    team = {"describer": "m", "guesser": "m"}
    episodes = [_dialogue("dialogue/taboo", team, s) for s in (None, 80, 40)]
    episodes += [_dialogue("dialogue/wordle", {"guesser": "m"}, s) for s in (100, 0)]
    episodes += [_dialogue("dialogue/taboo", {"describer": "m", "guesser": "n"}, 50)]
    stats = episode_stats(episodes)
    rows = {(r.game, r.player): r for r in stats.rows}
    taboo = rows[("dialogue/taboo", "m")]
    assert taboo.games == 3 and (taboo.wins, taboo.aborted) == (2, 1)  # a team: one count per episode
    assert taboo.played == pytest.approx(200 / 3) and taboo.quality == 60.0
    wordle = rows[("dialogue/wordle", "m")]
    assert (wordle.played, wordle.quality, wordle.wins, wordle.losses) == (100.0, 50.0, 1, 1)
    m = stats.clembench.players["m"]
    # % played: mean(66.67, 100) = 83.33; quality: mean(60, 50) = 55; clemscore = 0.8333 * 55 = 45.83
    assert m.played == pytest.approx(250 / 3) and m.quality == 55.0 and m.clemscore == pytest.approx(45.8333, abs=1e-4)
    assert stats.clembench.players["m--n"].clemscore == 50.0  # a mixed pairing is its own team, as in clembench
    assert ("dialogue/taboo", "m--n") in rows


def test_a_real_aborted_dialogue_episode_plays_zero_percent():
    env = llm_arena_env.make("dialogue/taboo")
    record = play_episode(env, [make_agent("random", seed=0), make_agent("random", seed=1)], seed=0).to_dict()
    stats = episode_stats([record])
    [row] = stats.rows
    assert row.player == "random" and row.aborted == 1 and row.played == 0.0 and math.isnan(row.quality)
    assert stats.clembench.players["random"].clemscore == 0.0


def test_stats_as_json_have_no_nan_and_episodes_without_agents_are_noted():
    episodes = [_dialogue("dialogue/taboo", {"a": "m", "b": "m"}, None),
                _episode("chess", {}, {}), _episode("chess", {"white": "x", "black": "y"}, {"white": "win", "black": "loss"})]
    stats = episode_stats(episodes)
    data = json.loads(json.dumps(stats.to_dict(), allow_nan=False))
    assert data["episodes"] == 3 and len(data["rows"]) == 3
    assert data["rows"][0]["quality"] is None and data["clemscores"][0]["clemscore"] == 0.0
    assert stats.skipped == ("episode 1 (chess) names no agents",)


def test_reasoning_tokens_and_cost_are_summed_per_player_and_shown_by_score():
    from llm_arena_env.arena.leaderboard import format_stats

    def priced(parsed, reasoning_tokens, cost):
        return {**_attempt(parsed, 10, 20), "reasoning_tokens": reasoning_tokens, "cost_usd": cost}

    episode = _episode("chess", {"white": "claude", "black": "gemini"}, {"white": "win", "black": "loss"}, [
        _step("white", True, [priced(None, 5, 0.25), priced("e4", 7, 0.5)]),  # a rethink costs too
        _step("black", True, [priced("e5", 0, None)]),  # a provider that reports no cost
    ])
    stats = episode_stats([episode])
    claude, gemini = (next(r for r in stats.rows if r.player == p) for p in ("claude", "gemini"))
    assert (claude.reasoning_tokens, claude.cost_usd) == (12, 0.75)
    assert gemini.reasoning_tokens == 0 and math.isnan(gemini.cost_usd)
    table = format_stats(stats)
    assert "reasoning" in table and "cost $" in table and "0.7500" in table
    assert stats.to_dict()["rows"][1]["cost_usd"] is None  # NaN as JSON null


def _error(game, agents):
    """An episode whose model call failed: no scores, every seat's outcome is "error"."""
    episode = _episode(game, agents, {seat: "error" for seat in agents})
    return {**episode, "end_reason": "error", "error": {"player": next(iter(agents)), "kind": "server"}}


def test_error_episodes_count_only_as_errors_never_in_results_or_clemscore():
    team = {"describer": "m", "guesser": "m"}
    played = [_dialogue("dialogue/taboo", team, s) for s in (80, 40)]
    chess = [_episode("chess", {"white": "m", "black": "r"}, {"white": "win", "black": "loss"})]
    errors = [_error("dialogue/taboo", team), _error("chess", {"white": "m", "black": "r"}),
              _error("chess", {"white": "r", "black": "m"})]
    stats = episode_stats(played + chess + errors)
    clean = episode_stats(played + chess)
    rows = {(r.game, r.player): r for r in stats.rows}
    assert rows[("dialogue/taboo", "m")].errors == 1 and rows[("dialogue/taboo", "m")].games == 2
    assert (rows[("chess", "m")].errors, rows[("chess", "m")].games, rows[("chess", "m")].win_rate) == (2, 1, 1.0)
    assert rows[("chess", "r")].errors == 2 and rows[("chess", "r")].losses == 1
    assert stats.clembench.players["m"].clemscore == clean.clembench.players["m"].clemscore  # 100% played still
    assert [r.to_dict() | {"errors": 0} for r in stats.rows] == [r.to_dict() for r in clean.rows]


def test_error_episodes_are_neither_rated_nor_trained_on():
    from llm_arena_env.arena.ratings import matches_from_episodes
    from llm_arena_env.training.datasets import iter_trajectories

    chess = _episode("chess", {"white": "m", "black": "r"}, {"white": "win", "black": "loss"},
                     [_step("white", True, [_attempt("e4")])])
    error = {**_error("chess", {"white": "m", "black": "r"}), "steps": [_step("white", True, [_attempt("e4")])]}
    matches, notes = matches_from_episodes([chess, error, error])
    assert len(matches) == 1 and any("2 episode(s) that ended in a transport error" in n for n in notes)
    assert [t.outcome for t in iter_trajectories([chess, error])] == ["win", "loss"]
