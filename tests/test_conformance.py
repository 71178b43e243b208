"""Every registered game keeps the environment contract: a new game is tested by being registered."""

from __future__ import annotations

import functools

import numpy as np
import pytest
from pettingzoo.test import api_test, render_test, seed_test

import llm_arena_env
from llm_arena_env.core import metrics as m
from llm_arena_env.core.outcome import EndReason, Outcome
from llm_arena_env.core.text_env import OBSERVATION_MODES, TextEnv

GAME_IDS = [spec.id for spec in llm_arena_env.list_games()]


@pytest.mark.parametrize("game_id", GAME_IDS)
def test_api_test_passes(game_id):
    env = llm_arena_env.make(game_id)
    assert isinstance(env, TextEnv)
    api_test(env, num_cycles=30)


@pytest.mark.parametrize("game_id", GAME_IDS)
def test_same_seed_same_episode(game_id):
    seed_test(functools.partial(llm_arena_env.make, game_id), num_cycles=30)


@pytest.mark.parametrize("game_id", GAME_IDS)
def test_renders_text_and_images(game_id):
    render_test(functools.partial(llm_arena_env.make, game_id))


@pytest.mark.parametrize("game_id", [s.id for s in llm_arena_env.list_games() if "image" in s.observation_modes])
def test_image_observations_pass_api_test(game_id):
    env = llm_arena_env.make(game_id, observation_mode="text+image", image_size=64)
    api_test(env, num_cycles=5)
    env.reset(seed=0)
    image = env.observe(env.agent_selection)["image"]
    assert image.shape == (64, 64, 3) and image.dtype == np.uint8 and image.std() > 0


@pytest.mark.parametrize("game_id", GAME_IDS)
def test_hostile_text_is_rejected_with_a_reason(game_id):
    env = llm_arena_env.make(game_id, max_illegal_actions=10)
    env.reset(seed=0)
    agent = env.agent_selection
    before = env.observe(agent)["text"]
    for action in ["", "\x00\x01\x1b[2J", "🙂" * 50, "x" * 100_000, None, -1, 10**12, 2.5, b"e4"]:
        ok, reason = env.check_action(agent, action)
        assert not ok and reason, action
        env.step(action)
        assert env.agent_selection == agent and env.result is None
        assert env.infos[agent]["rejection"] == reason
    env.reset(seed=0)
    assert env.observe(agent)["text"] == before


def test_every_game_lists_its_metadata():
    for spec in llm_arena_env.list_games():
        assert spec.kind in ("board", "dialogue", "grid", "social") and spec.players and spec.description, spec.id


# ---------------------------------------------------------------------- whole episodes, by scripted players

SEEDS = (0, 1, 2)
# Members of the openspiel/<name> namespace (not registered by id) that the suite plays too.
NAMESPACE_GAMES = ["openspiel/nim", "openspiel/phantom_ttt", "openspiel/blackjack", "openspiel/crazy_eights"]
PLAYED = GAME_IDS + NAMESPACE_GAMES
MAX_STEPS = 5_000
SHARED_OUTCOMES = {Outcome.SUCCESS, Outcome.FAILURE, Outcome.ABORTED}  # a team's: every player alike
ROLES = {"system", "user", "assistant"}


def is_zero_sum(env) -> bool:
    game = env.unwrapped
    if hasattr(game, "game"):  # OpenSpiel's own declaration
        import pyspiel

        return game.game.get_type().utility == pyspiel.GameType.Utility.ZERO_SUM
    return game.metadata["name"] == "chess"


def check_observation(env, agent) -> None:
    """DESIGN.md's observation dict, in the text modes, for the player to move."""
    game = env.unwrapped
    obs = env.observe(agent)
    if game.observation_mode == "tensor":
        assert set(obs) == {"observation", "action_mask"}
        assert obs["observation"].shape == game.observation_shape and obs["observation"].dtype == np.float32
        assert env.observation_space(agent).contains(obs), "the tensor lies within its Box"
        assert obs["action_mask"].dtype == np.int8 and obs["action_mask"].sum() == len(game.text_observation(agent)["legal_actions"])
        return
    assert isinstance(obs["text"], str) and isinstance(obs["legal_actions"], tuple)
    messages = obs["messages"]
    assert messages and all(m["role"] in ROLES and isinstance(m["content"], str) for m in messages)
    assert messages[-1]["role"] == "user", "the chat ends with the current user message"
    if game.num_actions is not None:
        assert obs["action_mask"].shape == (game.num_actions,) and obs["action_mask"].sum() == len(obs["legal_actions"])
    else:
        assert "action_mask" not in obs
    if "image" in game.observation_mode:
        assert obs["image"].shape == (game.image_size, game.image_size, 3) and obs["image"].dtype == np.uint8
    else:
        assert "image" not in obs
    for other in game.possible_agents:  # a player not to move has nothing to play
        if other != agent:
            waiting = game.text_observation(other)
            assert waiting["legal_actions"] == () and waiting.get("action_mask", np.zeros(1)).sum() == 0


def play_to_the_end(game_id: str, seed: int = 0, *, checked_turns: int = MAX_STEPS, **kwargs):
    """Play one episode with the game's scripted player; returns (env, accepted moves, final reward and info
    of each player as ``env.last()`` gave them at its end)."""
    spec = llm_arena_env.spec(game_id)
    scripted = spec.load_scripted_player()
    env = spec.make(**kwargs)
    env.reset(seed=seed)
    moves, final = 0, {}
    for agent in env.agent_iter(MAX_STEPS):
        _, reward, terminated, truncated, info = env.last(observe=False)
        if terminated or truncated:
            final[agent] = (reward, dict(info))
            env.step(None)
            continue
        if moves < checked_turns:
            check_observation(env, agent)
        move = scripted(env, agent)
        ok, reason = env.check_action(agent, move)
        assert ok, f"{game_id}: the scripted move {move!r} of {agent} was refused: {reason}"
        env.step(move)
        moves += 1
    return env, moves, final


@pytest.mark.parametrize("game_id", PLAYED)
def test_listed_observation_modes_are_exactly_those_the_env_accepts(game_id):
    """``llm-arena list games`` shows ``spec.observation_modes``: each listed mode must build and observe, and
    each mode the env accepts must be listed."""
    spec = llm_arena_env.spec(game_id)
    accepted = []
    for mode in OBSERVATION_MODES:
        try:
            env = spec.make(observation_mode=mode, image_size=32)
        except ImportError as missing:  # an optional extra (grid/babyai needs minigrid)
            pytest.skip(f"{game_id} needs {missing.name}")
        except ValueError:  # the env refuses the mode, with its reason
            continue
        env.reset(seed=0)
        check_observation(env, env.agent_selection)
        accepted.append(mode)
    assert tuple(accepted) == spec.observation_modes


def check_end(env, final) -> None:
    """The episode is over for everyone, no move was rejected, and rewards, outcomes and infos agree."""
    game = env.unwrapped
    result = game.result
    assert result is not None and not env.agents, "the episode ended within MAX_STEPS"
    assert set(final) == set(game.possible_agents)
    assert sum(game.illegal_action_counts.values()) == 0
    assert result.reason in (EndReason.GAME_OVER, EndReason.MAX_TURNS)
    rewards = {a: final[a][0] for a in final}
    outcomes = {a: final[a][1]["outcome"] for a in final}
    assert rewards == pytest.approx(dict(result.rewards))
    for agent, (_, info) in final.items():
        assert isinstance(info["outcome"], Outcome) and info["end_reason"] is result.reason
        assert info["illegal_actions"] == 0 and "rejection" not in info
        assert isinstance(info["end_detail"], str) and info["scores"][m.ABORTED] == 0
    if set(outcomes.values()) & SHARED_OUTCOMES:
        assert len(set(outcomes.values())) == 1, f"a team's outcome is every player's: {outcomes}"
    winners = [rewards[a] for a, o in outcomes.items() if o is Outcome.WIN]
    losers = [rewards[a] for a, o in outcomes.items() if o is Outcome.LOSS]
    if winners and losers:
        assert min(winners) > max(losers), (outcomes, rewards)
    if set(outcomes.values()) == {Outcome.DRAW}:
        assert len(set(rewards.values())) == 1, rewards
    if is_zero_sum(env):
        assert sum(rewards.values()) == pytest.approx(0.0, abs=1e-9), rewards


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("game_id", PLAYED)
def test_scripted_players_play_every_game_to_its_end(game_id, seed):
    env, moves, final = play_to_the_end(game_id, seed)
    assert moves > 0
    check_end(env, final)
    if llm_arena_env.spec(game_id).kind in ("dialogue", "grid"):  # clembench's metric names (core/metrics.py)
        scores = final[env.unwrapped.possible_agents[0]][1]["scores"]
        assert {m.ABORTED, m.SUCCESS, m.LOSE, m.MAIN_SCORE} <= set(scores), sorted(scores)


@pytest.mark.parametrize("mode", ["image", "text+image"])
@pytest.mark.parametrize("game_id", [s.id for s in llm_arena_env.list_games() if "image" in s.observation_modes])
def test_image_observations_hold_through_an_episode(game_id, mode):
    env, _, final = play_to_the_end(game_id, 0, checked_turns=8, observation_mode=mode, image_size=32)
    check_end(env, final)


@pytest.mark.parametrize("game_id", [s.id for s in llm_arena_env.list_games() if "tensor" in s.observation_modes])
def test_tensor_observations_hold_through_an_episode(game_id):
    env, _, final = play_to_the_end(game_id, 0, checked_turns=50, observation_mode="tensor")
    check_end(env, final)


def test_every_registered_game_has_a_scripted_player():
    missing = []
    for spec in llm_arena_env.list_games():
        try:
            if spec.load_scripted_player() is None:
                missing.append(spec.id)
        except (ImportError, AttributeError) as error:  # named, but not there (a catalog entry's module)
            missing.append(f"{spec.id} ({error})")
    assert missing == [], "define scripted_move(env, agent) and register(..., scripted_player='module:scripted_move')"


@pytest.mark.parametrize("scripted_player", [None, "llm_arena_env.core.scripted:no_such_player"])
def test_a_game_without_a_scripted_player_is_caught(monkeypatch, scripted_player):
    from llm_arena_env import registry

    unscripted = registry.GameSpec("test/unscripted", registry.spec("openspiel/tic_tac_toe").entry_point,
                                   {"game_name": "tic_tac_toe"}, scripted_player=scripted_player)
    monkeypatch.setitem(registry._registry, "test/unscripted", unscripted)
    with pytest.raises(AssertionError, match="test/unscripted"):
        test_every_registered_game_has_a_scripted_player()


# ---------------------------------------------------------------------- forfeits

def forfeit_after(game_id: str, scripted_moves: int, **kwargs):
    """Play ``scripted_moves`` valid moves, then let the player to move send empty replies until the episode
    ends; returns (env, the offender, what each player got at the end)."""
    spec = llm_arena_env.spec(game_id)
    scripted = spec.load_scripted_player()
    env = spec.make(**kwargs)
    env.reset(seed=0)
    for _ in range(scripted_moves):
        env.step(scripted(env, env.agent_selection))
    offender = env.agent_selection
    for _ in range(100):  # some games re-ask before they give up (privateshared's probes, clean_up's penalties)
        if env.unwrapped.result is not None:
            break
        assert env.agent_selection == offender
        env.step("")
    final = {}
    for agent in env.agent_iter(len(env.possible_agents) * 2):
        _, reward, terminated, truncated, info = env.last(observe=False)
        assert terminated or truncated
        final[agent] = (reward, info)
        env.step(None)
    return env, offender, final


@pytest.mark.parametrize("game_id", PLAYED)
def test_a_forfeit_ends_the_episode_with_consistent_rewards(game_id):
    env, offender, final = forfeit_after(game_id, 1)
    game = env.unwrapped
    assert game.result.reason is EndReason.ILLEGAL_ACTION and set(final) == set(game.possible_agents)
    rewards = {a: r for a, (r, _) in final.items()}
    outcomes = {a: info["outcome"] for a, (_, info) in final.items()}
    assert all(info["scores"][m.ABORTED] == 1 for _, info in final.values())
    if outcomes[offender] is Outcome.ABORTED:  # clembench's abort: nobody is rewarded
        assert set(outcomes.values()) == {Outcome.ABORTED} and set(rewards.values()) == {0.0}
        return
    assert outcomes[offender] is Outcome.LOSS and rewards[offender] == -1.0
    assert all(rewards[a] > 0 and outcomes[a] is Outcome.WIN for a in rewards if outcomes[a] is not Outcome.LOSS)
    if len(rewards) > 1 and game.metadata["name"] != "werewolf":  # werewolf: the offender's team loses with it
        assert sum(rewards.values()) == pytest.approx(0.0)


@pytest.mark.parametrize("game_id, players", [("openspiel/oh_hell", 3), ("openspiel/oh_hell", 4),
                                              ("openspiel/kuhn_poker", 3), ("openspiel/leduc_poker", 4),
                                              ("openspiel/chinese_checkers", 3), ("openspiel/crazy_eights", 5)])
def test_a_forfeit_with_three_or_more_players_costs_the_offender_one_and_the_rest_share_it(game_id, players):
    env, offender, final = forfeit_after(game_id, players - 1, players=players)  # the last seat offends
    rewards = {a: r for a, (r, _) in final.items()}
    outcomes = {a: info["outcome"] for a, (_, info) in final.items()}
    others = [a for a in rewards if a != offender]
    assert len(rewards) == players and rewards[offender] == -1.0 and outcomes[offender] is Outcome.LOSS
    assert all(rewards[a] == pytest.approx(1 / (players - 1)) and outcomes[a] is Outcome.WIN for a in others)
    assert sum(rewards.values()) == pytest.approx(0.0)


def test_a_werewolf_forfeit_loses_for_the_offenders_whole_team():
    from llm_arena_env.games.social.werewolf import team_of

    env, offender, final = forfeit_after("social/werewolf", 3, players=6)
    roles = env.unwrapped.roles
    for agent, (reward, info) in final.items():
        same_team = team_of(roles[agent]) == team_of(roles[offender])
        assert (reward, info["outcome"]) == ((-1.0, Outcome.LOSS) if same_team else (1.0, Outcome.WIN)), agent
