"""The OpenSpiel adapter: every registered id, hidden information, move reading, errors and outcomes."""

from __future__ import annotations

import functools
import random

import numpy as np
import pyspiel
import pytest
from pettingzoo.test import api_test, seed_test

import llm_arena_env
from llm_arena_env.core.outcome import EndReason, Outcome
from llm_arena_env.core.text_env import IllegalAction
from llm_arena_env.games.openspiel import catalog
from llm_arena_env.games.openspiel.moves import MoveTable
from llm_arena_env.games.openspiel.text import game_text
from llm_arena_env.registry import UnknownGameError

REQUIRED = [
    "tic_tac_toe", "connect_four", "go", "othello", "breakthrough", "hex", "checkers", "backgammon",
    "dots_and_boxes", "nine_mens_morris", "kuhn_poker", "leduc_poker", "liars_dice", "oh_hell", "chess",
]  # fmt: skip
IDS = [spec.id for spec in llm_arena_env.list_games() if spec.id.startswith("openspiel/")]
RENAMED = {"universal_poker"}  # moves named as players say them (Raise 500), not as OpenSpiel does
HIDDEN = ["openspiel/kuhn_poker", "openspiel/leduc_poker", "openspiel/liars_dice"]


def play_randomly(env, rnd: random.Random, *, max_steps: int = 5000) -> int:
    """Play to the end, alternating string and int actions, checking that mask, ids and strings agree."""
    steps = 0
    while env.result is None and steps < max_steps:
        agent = env.agent_selection
        observation = env.observe(agent)
        ids = np.flatnonzero(observation["action_mask"]).tolist()
        player = env.state.current_player()
        assert ids == env.state.legal_actions()
        if env.game_name in RENAMED:  # its own short names, one per legal id
            assert len(set(observation["legal_actions"])) == len(ids)
        else:
            assert list(observation["legal_actions"]) == [env.state.action_to_string(player, a) for a in ids]
        pick = rnd.randrange(len(ids))
        env.step(observation["legal_actions"][pick] if steps % 2 else ids[pick])
        assert "rejection" not in env.infos[agent]
        steps += 1
    return steps


def test_every_required_game_is_registered_with_its_metadata():
    assert {f"openspiel/{name}" for name in REQUIRED} <= set(IDS)
    for game_id in IDS:
        spec = llm_arena_env.spec(game_id)
        assert spec.kind == "board" and spec.description
        assert spec.observation_modes == ("text", "image", "text+image", "tensor")
        assert len(llm_arena_env.make(game_id).possible_agents) == spec.players[0]
    assert llm_arena_env.spec("openspiel/oh_hell").players[0] >= 3  # on every OpenSpiel version
    if catalog._openspiel_major() >= 2:  # chinese_checkers came with OpenSpiel 2
        assert llm_arena_env.spec("openspiel/chinese_checkers").players[0] >= 3


@pytest.mark.parametrize("game_id", IDS)
def test_api_test(game_id):
    api_test(llm_arena_env.make(game_id), num_cycles=10)


@pytest.mark.parametrize("game_id", IDS)
def test_seed_test(game_id):
    seed_test(functools.partial(llm_arena_env.make, game_id), num_cycles=10)


@pytest.mark.parametrize("game_id", IDS)
def test_random_play_to_the_end_with_strings_and_ints(game_id):
    env = llm_arena_env.make(game_id)
    env.reset(seed=1)
    play_randomly(env, random.Random(1))
    assert env.result is not None and env.result.reason is EndReason.GAME_OVER
    returns = env.state.returns()
    assert [env.rewards[a] for a in env.possible_agents] == returns
    best, on_top = max(returns), returns.count(max(returns))
    for agent, value in zip(env.possible_agents, returns):
        if on_top == len(returns):
            expected = Outcome.DRAW  # all equal
        elif value == best:
            expected = Outcome.WIN if on_top == 1 else Outcome.DRAW
        else:
            expected = Outcome.LOSS
        assert env.infos[agent]["outcome"] == expected


def test_chess_names_every_move_as_openspiel_does():
    env = llm_arena_env.make("openspiel/chess")
    for seed in range(4):  # play_randomly compares every legal move's string with OpenSpiel's own
        env.reset(seed=seed)
        play_randomly(env, random.Random(seed))


@pytest.mark.parametrize("game_id", ["openspiel/backgammon", "openspiel/kuhn_poker", "openspiel/liars_dice"])
def test_chance_follows_the_seed(game_id):
    def episode(seed: int) -> list[int]:
        env = llm_arena_env.make(game_id)
        env.reset(seed=seed)
        play_randomly(env, random.Random(0), max_steps=30)
        return env.action_history

    assert episode(3) == episode(3)
    assert len({tuple(episode(seed)) for seed in range(6)}) > 1


def _random_history(game_id: str, seed: int) -> list[int]:
    """The OpenSpiel action ids of a random game, chance events included."""
    env = llm_arena_env.make(game_id)
    env.reset(seed=seed)
    play_randomly(env, random.Random(seed))
    return env.action_history


@pytest.mark.parametrize("game_id", HIDDEN)
def test_no_player_sees_what_it_may_not_know(game_id):
    """Change one chance event (a card, a die): wherever a player's OpenSpiel information state stays the same,
    its whole observation (text and messages) must stay the same too."""
    env = llm_arena_env.make(game_id)
    game = env.game
    checked = 0
    for seed in range(25):
        history = _random_history(game_id, seed)
        state = game.new_initial_state()
        chance_at = []
        for index, action in enumerate(history):
            if state.is_chance_node():
                chance_at.append((index, [a for a, _ in state.chance_outcomes()]))
            state.apply_action(action)
        index, options = chance_at[seed % len(chance_at)]
        for other in options:
            if other == history[index]:
                continue
            changed = history[:index] + [other] + history[index + 1 :]
            checked += _compare_views(env, history, changed)
    assert checked > 50


def _compare_views(env, real: list[int], changed: list[int]) -> int:
    """Compare each player's observation in two histories at every decision point where its info state agrees."""
    game = env.game
    compared = 0
    for cut in range(1, len(real)):
        a, b = game.new_initial_state(), game.new_initial_state()
        try:
            for x, y in zip(real[:cut], changed[:cut]):
                a.apply_action_with_legality_check(x)
                b.apply_action_with_legality_check(y)
        except pyspiel.SpielError:  # the changed card was dealt again later: no such game
            return compared
        if not (a.is_player_node() and b.is_player_node()):
            continue
        views = []
        for history in (real[:cut], changed[:cut]):
            env.reset(seed=0, options={"history": history})
            views.append({p: env.observe(p) for p in env.possible_agents})
        for number, agent in enumerate(env.possible_agents):
            if a.information_state_string(number) == b.information_state_string(number):
                assert views[0][agent]["text"] == views[1][agent]["text"]
                assert views[0][agent]["messages"] == views[1][agent]["messages"]
                compared += 1
            else:
                assert views[0][agent]["text"] != views[1][agent]["text"]
    return compared


def test_kuhn_poker_shows_each_player_its_own_card_only():
    names = ("Jack", "Queen", "King")
    env = llm_arena_env.make("openspiel/kuhn_poker")
    for seed in range(20):
        env.reset(seed=seed)
        cards = env.action_history[:2]  # the deal: player_0's card, then player_1's
        for number, agent in enumerate(env.possible_agents):
            text = env.observe(agent)["text"]
            assert f"Your private card: {names[cards[number]]}." in text
            assert names[cards[1 - number]] not in text.split("Your private card:")[1]


def test_tic_tac_toe_scripted_win_and_history():
    env = llm_arena_env.make("openspiel/tic_tac_toe")
    env.reset(seed=0)
    for move in ["x(0,0)", "o(1,1)", " 0,1 ", "(2,2)", "X(0,2)"]:
        env.step(move)
    assert env.rewards == {"player_0": 1.0, "player_1": -1.0}
    assert env.infos["player_0"]["outcome"] == Outcome.WIN and env.infos["player_1"]["outcome"] == Outcome.LOSS
    assert all(env.terminations.values())
    assert "Moves so far: x(0,0), o(1,1), x(0,1), o(2,2), x(0,2)" in env.observe("player_1")["text"]


def test_illegal_moves_are_rejected_with_reasons():
    env = llm_arena_env.make("openspiel/tic_tac_toe", max_illegal_actions=5)
    env.reset(seed=0)
    env.step(4)  # x takes the centre
    ok, reason = env.check_action("player_1", "o(1,1)")
    assert not ok and "not a legal move" in reason and "Legal moves include: o(0,0)" in reason
    assert "(row,column)" in reason  # says what a move looks like
    ok, reason = env.check_action("player_1", 4)
    assert not ok and "action id 4 is not a legal move now" in reason
    ok, reason = env.check_action("player_0", "x(0,0)")
    assert not ok and "not player_0's turn" in reason
    env.step("o9")
    assert env.agent_selection == "player_1" and env.result is None
    assert "Please try again" in env.observe("player_1")["text"]
    assert env.check_action("player_1", "O(0,0)") == (True, "")  # case does not matter when unambiguous


def test_an_illegal_move_forfeits_by_default():
    env = llm_arena_env.make("openspiel/connect_four")
    env.reset(seed=0)
    env.step("column seven")
    assert env.infos["player_0"]["outcome"] == Outcome.LOSS and env.infos["player_1"]["outcome"] == Outcome.WIN
    assert env.infos["player_0"]["end_reason"] is EndReason.ILLEGAL_ACTION


def test_ambiguous_text_is_rejected():
    class State:
        def legal_actions(self):
            return [7, 9]

        def action_to_string(self, player, action):
            return {7: "Bxc4", 9: "bxc4"}[action]

    table = MoveTable(State(), 0, game_text("chess_like", "Chess like"))
    assert table.read("bxc4", "SAN") == 9 and table.read(" Bxc4", "SAN") == 7
    with pytest.raises(IllegalAction, match="ambiguous"):
        table.read("BXC4", "SAN")


def test_short_forms_name_moves_the_way_models_write_them():
    env = llm_arena_env.make("openspiel/go", board_size=5)
    env.reset(seed=0)
    env.step("c3")
    assert env.action_history == [12]
    env.step("pass")
    assert env.check_action("player_0", "B PASS") == (True, "")
    chess = llm_arena_env.make("openspiel/chess")
    chess.reset(seed=0)
    chess.step("e2e4")  # UCI for White's e4 (White is player_1)
    chess.step("e5")
    assert chess.action_history[0] == chess.game.new_initial_state().string_to_action("e4")


def test_sides_are_named_in_the_prompt():
    chess = llm_arena_env.make("openspiel/chess")
    chess.reset(seed=0)
    assert chess.agent_selection == "player_1"
    assert "You are player_1 (White" in chess.observe("player_1")["text"]
    assert "You are player_0 (Black" in chess.observe("player_0")["text"]
    go = llm_arena_env.make("openspiel/go")
    assert "You are player_0 (Black" in go.observe("player_0")["text"]
    assert "komi 7.5" in go.observe("player_0")["text"] and "9x9" in go.observe("player_0")["text"]


def test_prompt_options():
    hidden = llm_arena_env.make("openspiel/connect_four", show_legal_moves=False)
    observation = hidden.observe("player_0")
    assert "Legal moves" not in observation["text"] and len(observation["legal_actions"]) == 7
    custom = llm_arena_env.make("openspiel/connect_four", prompt_template="{player}|{turn}|{answer_format}")
    assert custom.observe("player_0")["text"].startswith("player_0 (x, moving first)|Move 1: it is your turn.|")
    whole = llm_arena_env.make("openspiel/connect_four", prompt_template="{state}\n\n{answer_format}")
    assert whole.observe("player_0")["text"] == llm_arena_env.make("openspiel/connect_four").observe("player_0")["text"]
    with pytest.raises(ValueError, match="prompt_template"):
        llm_arena_env.make("openspiel/connect_four", prompt_template="{nonsense}")


def test_max_turns_truncates_as_a_draw():
    env = llm_arena_env.make("openspiel/tic_tac_toe", max_turns=2)
    env.reset(seed=0)
    env.step(0)
    env.step(4)
    assert all(env.truncations.values()) and not any(env.terminations.values())
    assert env.infos["player_0"]["end_reason"] is EndReason.MAX_TURNS
    assert env.infos["player_0"]["outcome"] == Outcome.DRAW and env.rewards["player_0"] == 0.0


@pytest.mark.parametrize("name", ["pig", "quoridor", "nim"])
def test_any_sequential_openspiel_game_by_name(name):
    env = llm_arena_env.make(f"openspiel/{name}", max_turns=300)
    env.reset(seed=0)
    play_randomly(env, random.Random(0))
    assert env.result is not None


def test_game_parameters_are_openspiels():
    env = llm_arena_env.make("openspiel/kuhn_poker", players=3)
    assert env.possible_agents == ["player_0", "player_1", "player_2"]
    assert llm_arena_env.make("openspiel/go", board_size=5, komi=6).params["komi"] == 6.0
    clash = llm_arena_env.make("openspiel/crazy_eights", game_params={"max_turns": 50}, max_turns=10)
    assert clash.params["max_turns"] == 50 and clash.max_turns == 10


def test_a_game_stuck_without_moves_ends_instead_of_hanging():
    env = llm_arena_env.make("openspiel/hex", num_rows=1)  # OpenSpiel fills the row and never ends the game
    env.reset(seed=0)
    play_randomly(env, random.Random(0))
    assert env.result.outcomes["player_0"] == Outcome.DRAW and "no legal move" in env.result.detail


@pytest.mark.parametrize(
    "game_id, params, message",
    [
        ("openspiel/conect_four", {}, "openspiel/connect_four"),
        ("openspiel/goofspiel", {}, "simultaneous"),
        ("openspiel/go", {"board_size": 100}, "board size"),
        ("openspiel/go", {"boardsize": 9}, "no parameter boardsize"),
        ("openspiel/go", {"board_size": "9"}, "should be int"),
        ("openspiel/connect_four", {"rows": -1}, "connect_four"),
        ("openspiel/connect_four", {"rows": 0}, "at least 1"),  # OpenSpiel itself would segfault
        ("openspiel/hex", {"board_size": 0}, "cannot be played"),
        ("openspiel/kuhn_poker", {"players": 11}, "cannot make"),
        ("openspiel/tic_tac_toe", {"max_turns": 0}, "max_turns"),
    ],
)
def test_bad_names_and_parameters_get_clear_errors(game_id, params, message):
    error = UnknownGameError if "conect" in game_id else ValueError
    with pytest.raises(error, match=message):
        llm_arena_env.make(game_id, **params)


def test_reset_from_a_history():
    env = llm_arena_env.make("openspiel/tic_tac_toe")
    env.reset(options={"history": [4, 0]})
    assert env.agent_selection == "player_0" and "Move 3" in env.observe("player_0")["text"]
    with pytest.raises(ValueError, match="not a legal action"):
        env.reset(options={"history": [4, 4]})


def test_renders_the_whole_state_and_images():
    env = llm_arena_env.make("openspiel/leduc_poker", render_mode="ansi", observation_mode="text+image", image_size=64)
    env.reset(seed=0)
    assert "Cards (public player_0 player_1)" in env.render()  # render shows everything, observations do not
    assert "Cards (public" not in env.observe("player_0")["text"]
    assert env.observe("player_0")["image"].shape == (64, 64, 3)
