"""Multi-agent RL libraries take the raw AEC envs in tensor mode as they are: TorchRL's ``PettingZooWrapper``
and RLlib's ``PettingZooEnv`` play whole games with random legal moves read from the action mask."""

from __future__ import annotations

import numpy as np
import pytest

import llm_arena_env
from llm_arena_env.core.outcome import EndReason

GAMES = ["openspiel/connect_four", "openspiel/tic_tac_toe", "grid/textmapworld"]


def check_game_ended_cleanly(raw, moves: int) -> None:
    """Every move was legal (none rejected) and the game ended by its rules or its turn limit."""
    assert raw.result is not None and raw.result.reason in (EndReason.GAME_OVER, EndReason.MAX_TURNS)
    assert sum(raw.illegal_action_counts.values()) == 0 and moves > 0


@pytest.mark.parametrize("game_id", GAMES)
def test_torchrl_pettingzoo_wrapper_plays_whole_games(game_id):
    pytest.importorskip("torchrl", reason="TorchRL is not installed (the rl extra)")
    import torch
    from torchrl.envs.libs.pettingzoo import PettingZooWrapper
    from torchrl.envs.utils import check_env_specs

    raw = llm_arena_env.make(game_id, observation_mode="tensor")
    env = PettingZooWrapper(raw, use_mask=True, categorical_actions=True, seed=0)  # AEC: one group per player
    if game_id.startswith("openspiel/"):  # its 3 random steps cannot end these games; they can end the map
        check_env_specs(env)  # world (DONE), and it cannot draw a random action from a finished game's mask
    assert env.group_map == {agent: [agent] for agent in raw.possible_agents}
    generator = torch.Generator().manual_seed(0)
    td = env.reset()
    for moves in range(1, 200):
        acting = [group for group in env.group_map if td[group, "mask"].item()]
        assert acting == [raw.agent_selection]
        player = acting[0]
        seen = raw.observe(player)  # what the library shows is the env's tensor and mask
        assert torch.equal(td[player, "observation", "observation"][0], torch.from_numpy(seen["observation"]))
        assert td[player, "action_mask"][0].tolist() == seen["action_mask"].astype(bool).tolist()
        legal = td[player, "action_mask"][0].nonzero().flatten()
        action = env.full_action_spec.zero()
        action[player, "action"] = legal[torch.randint(len(legal), (1,), generator=generator)]
        td = env.step(td.update(action))["next"]
        if td["done"].item():
            break
    check_game_ended_cleanly(raw, moves)
    for player, reward in raw.result.rewards.items():  # the final rewards, as the game gave them
        assert td[player, "reward"].item() == pytest.approx(reward)
        assert td[player, "done"].item()
    # A finished game has no legal move: the mask is all zero, as PettingZoo's own chess_v6 gives it after mate.
    assert not td[raw.agent_selection, "action_mask"].any()


@pytest.mark.parametrize("game_id", GAMES)
def test_rllib_pettingzoo_env_plays_whole_games(game_id):
    rllib_env = pytest.importorskip("ray.rllib.env.wrappers.pettingzoo_env",
                                    reason="RLlib is not importable (the ray extra: ray and what RLlib imports)")
    raw = llm_arena_env.make(game_id, observation_mode="tensor")
    env = rllib_env.PettingZooEnv(raw)
    assert set(env.observation_space) == set(raw.possible_agents)
    rng = np.random.default_rng(0)
    observations, _ = env.reset(seed=0)
    returns = dict.fromkeys(raw.possible_agents, 0.0)
    for moves in range(1, 200):
        (player, seen), = observations.items()  # AEC: only the player to move is asked
        assert player == raw.agent_selection and env.observation_space[player].contains(seen)
        action = int(rng.choice(np.flatnonzero(seen["action_mask"])))
        observations, rewards, terminated, truncated, _ = env.step({player: action})
        for agent, reward in rewards.items():
            returns[agent] += reward
        if terminated["__all__"] or truncated["__all__"]:
            break
    check_game_ended_cleanly(raw, moves)
    assert returns == pytest.approx(dict(raw.result.rewards))
