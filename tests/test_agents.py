"""Baseline agents (random, human, Stockfish) and agent spec strings."""

from __future__ import annotations

import io
import random

import chess
import pytest

from llm_arena_env.agents import (
    HumanAgent,
    HumanQuit,
    RandomAgent,
    StockfishAgent,
    StockfishNotFoundError,
    find_stockfish,
    make_agent,
    register_agent_spec,
    specs,
)
from llm_arena_env.agents.stockfish import move_in_notation


def board_observation(legal=("a", "b", "c")) -> dict:
    return {"text": "pick one", "messages": (), "legal_actions": tuple(legal)}


# ---------------------------------------------------------------------------------------------- random


def test_random_picks_only_legal_moves_and_covers_them_all():
    agent = RandomAgent(seed=0)
    picks = [agent.act(board_observation()) for _ in range(200)]
    assert set(picks) == {"a", "b", "c"}


def test_random_with_a_seed_is_reproducible_and_leaves_global_random_alone():
    state = random.getstate()
    first = [RandomAgent(seed=7).act(board_observation("abcdefgh")) for _ in range(1)]
    a, b = RandomAgent(seed=7), RandomAgent(seed=7)
    assert [a.act(board_observation("abcdefgh")) for _ in range(30)] == [
        b.act(board_observation("abcdefgh")) for _ in range(30)
    ]
    assert first[0] == RandomAgent(seed=7).act(board_observation("abcdefgh"))
    assert random.getstate() == state


def test_random_seeds_differ():
    picks = {tuple(RandomAgent(seed=s).act(board_observation("abcdefgh")) for _ in range(10)) for s in range(5)}
    assert len(picks) > 1


def test_random_in_a_free_text_game_sends_a_short_word():
    agent = RandomAgent(seed=1)
    words = [agent.act({"text": "say something", "legal_actions": ()}) for _ in range(50)]
    assert all(isinstance(w, str) and 1 <= len(w) <= 8 and w.isalpha() for w in words)
    assert len(set(words)) > 1


def test_random_decide_records_its_attempt():
    decision = RandomAgent(seed=3).decide(board_observation())
    (attempt,) = decision.attempts
    assert attempt.raw_output == attempt.parsed == decision.action


# ---------------------------------------------------------------------------------------------- human


def human(lines: str) -> tuple[HumanAgent, io.StringIO]:
    output = io.StringIO()
    return HumanAgent(input=io.StringIO(lines), output=output), output


def test_human_sees_the_observation_and_legal_moves_and_plays_a_legal_one():
    agent, output = human("b\n")
    decision = agent.decide(board_observation())
    assert decision.action == "b"
    assert "pick one" in output.getvalue() and "Legal moves: a b c" in output.getvalue()
    assert decision.attempts[-1].legal is True


def test_human_is_asked_again_after_an_illegal_move():
    agent, output = human("z\n\n  c  \n")
    decision = agent.decide(board_observation())
    assert decision.action == "c"
    assert "'z' is not a legal move here" in output.getvalue()
    assert [(a.raw_output, a.legal) for a in decision.attempts] == [("z", False), ("c", True)]


def test_human_may_ignore_case_where_that_names_one_move():
    agent, _ = human("NF3\n")
    assert agent.act(board_observation(["Nf3", "e4"])) == "Nf3"
    agent, output = human("bxc3\nb4\n")  # two moves differ only in case: the person must say which
    assert agent.act(board_observation(["Bxc3", "bxc3", "b4"])) == "bxc3"
    agent, output = human("BXC3\nb4\n")
    assert agent.act(board_observation(["Bxc3", "bxc3", "b4"])) == "b4"
    assert "not a legal move" in output.getvalue()


def test_human_in_a_free_text_game_sends_any_line_to_the_env():
    agent, _ = human("the clue is ocean\n")
    assert agent.act({"text": "give a clue", "legal_actions": ()}) == "the clue is ocean"


@pytest.mark.parametrize("lines", ["quit\n", "EXIT\n", "", "z\n"])
def test_human_quits_on_quit_exit_or_end_of_input(lines):
    agent, _ = human(lines)
    with pytest.raises(HumanQuit):
        agent.decide(board_observation())


def test_human_ctrl_c_is_a_clean_quit():
    class Interrupting(io.StringIO):
        def readline(self, *args) -> str:
            raise KeyboardInterrupt

    agent = HumanAgent(input=Interrupting(), output=io.StringIO())
    with pytest.raises(HumanQuit):
        agent.decide(board_observation())


def test_human_defaults_to_the_current_stdin_and_stdout(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("a\n"))
    assert HumanAgent().act(board_observation()) == "a"
    assert "Legal moves" in capsys.readouterr().out


# ---------------------------------------------------------------------------------------------- specs


@pytest.fixture
def own_specs(monkeypatch):
    """A copy of the spec registry, so tests that register kinds leave the real one as it was."""
    monkeypatch.setattr(specs, "AGENT_SPECS", dict(specs.AGENT_SPECS))
    return specs.AGENT_SPECS


def test_make_agent_random_is_seeded_and_keeps_its_spec():
    agent = make_agent("random", seed=4)
    assert isinstance(agent, RandomAgent) and agent.agent_spec == "random"
    twin = RandomAgent(seed=4)
    assert [agent.act(board_observation("abcdef")) for _ in range(10)] == [
        twin.act(board_observation("abcdef")) for _ in range(10)
    ]


def test_make_agent_human():
    assert isinstance(make_agent("human"), HumanAgent)


@pytest.mark.parametrize("spec, message", [
    ("nope", "known kinds: anthropic, gguf, google, hf, human, litellm, llama-server, openai, random, smollm2, stockfish"),
    ("", "known kinds"),
    ("random:3", "takes no argument"),
    ("human:me", "takes no argument"),
    ("stockfish:strong", "integer from 0 to 20"),
])
def test_bad_specs_say_what_is_wrong(spec, message):
    with pytest.raises(ValueError, match=message):
        make_agent(spec)


def test_registered_kinds_get_their_argument_whole_and_may_load_lazily(own_specs):
    register_agent_spec("lazy", "llm_arena_env.agents.specs:_random", "a kind imported only when used")
    seen = {}

    def factory(argument: str, *, seed=None):
        seen.update(argument=argument, seed=seed)
        return RandomAgent(seed)

    register_agent_spec("model", factory, "takes a model name")
    make_agent("model:org/name:8b", seed=9)
    assert seen == {"argument": "org/name:8b", "seed": 9}
    lazy = make_agent("lazy", seed=2)
    assert isinstance(lazy, RandomAgent) and lazy.seed == 2 and lazy.agent_spec == "lazy"
    assert "model" in own_specs and own_specs["model"][1] == "takes a model name"


def test_a_kind_cannot_be_registered_twice_or_with_a_colon(own_specs):
    with pytest.raises(ValueError, match="already registered"):
        register_agent_spec("random", lambda argument, seed=None: RandomAgent(), "again")
    with pytest.raises(ValueError, match="without ':'"):
        register_agent_spec("a:b", lambda argument, seed=None: RandomAgent(), "bad")


# ---------------------------------------------------------------------------------------------- stockfish


def stockfish_or_skip() -> str:
    try:
        return find_stockfish()
    except StockfishNotFoundError as error:
        pytest.skip(f"no Stockfish binary installed: {error}")


def test_missing_stockfish_names_the_package_and_the_path_argument(monkeypatch):
    monkeypatch.setattr("llm_arena_env.agents.stockfish.shutil.which", lambda name: None)
    with pytest.raises(StockfishNotFoundError, match=r"apt-get install stockfish.*path=") as error:
        StockfishAgent()
    assert isinstance(error.value, FileNotFoundError)


def test_a_wrong_stockfish_path_is_named():
    with pytest.raises(StockfishNotFoundError, match="/no/such/stockfish"):
        StockfishAgent(path="/no/such/stockfish")


@pytest.mark.parametrize("skill", [-1, 21, 2.5, "5", True, None])
def test_bad_skill_is_refused(skill):
    with pytest.raises(ValueError, match="skill"):
        StockfishAgent(skill=skill)


@pytest.mark.parametrize("kwargs", [{"time_per_move": 0}, {"time_per_move": -1.0}, {"depth": 0},
                                    {"time_per_move": None, "depth": None}])
def test_bad_limits_are_refused(kwargs):
    with pytest.raises(ValueError):
        StockfishAgent(**kwargs)


@pytest.mark.parametrize("skill", [0, 7, 20])
def test_skill_reaches_the_engine(skill):
    stockfish_or_skip()
    with StockfishAgent(skill=skill) as agent:
        assert agent.configured_skill == skill


def test_spec_string_sets_the_skill():
    stockfish_or_skip()
    agent = make_agent("stockfish:3")
    try:
        assert agent.configured_skill == 3 and agent.agent_spec == "stockfish:3"
    finally:
        agent.close()
    with pytest.raises(ValueError, match="skill"):
        make_agent("stockfish:25")


def test_closed_engine_refuses_to_play_and_closing_twice_is_fine():
    stockfish_or_skip()
    agent = StockfishAgent()
    agent.close()
    agent.close()
    assert agent.configured_skill is None
    with pytest.raises(RuntimeError, match="closed"):
        agent.decide({"text": "FEN: " + chess.STARTING_FEN, "legal_actions": ()})


@pytest.mark.parametrize("legal, expected", [
    (("e4", "Nf3", "Qxf7#"), "Qxf7#"),
    (("e2e4", "g1f3", "h5f7"), "h5f7"),
    (("e4", "Qxf7"), "Qxf7"),  # an env that writes SAN without check marks
    ((), "h5f7"),  # nothing listed: UCI needs no board to read
])
def test_moves_come_back_in_the_env_notation(legal, expected):
    board = chess.Board("r1bqkbnr/pppp1ppp/2n5/4p2Q/2B1P3/8/PPPP1PPP/RNB1K1NR w KQkq - 2 4")
    assert move_in_notation(board, chess.Move.from_uci("h5f7"), legal) == expected


def test_full_strength_stockfish_mates_random_as_white():
    stockfish_or_skip()
    import llm_arena_env
    from llm_arena_env.arena import play_episode

    # A depth limit, not a time limit: on a loaded machine 50 ms may leave Stockfish too shallow to see a
    # mate, and a depth-limited single-threaded search plays the same moves every run.
    with StockfishAgent(time_per_move=None, depth=10) as engine:
        record = play_episode(llm_arena_env.make("chess"), [engine, RandomAgent(seed=0)], seed=0)
    assert record.outcomes == {"white": "win", "black": "loss"}, record.end_detail
    assert "checkmate" in record.end_detail.lower()
    assert all(step.accepted for step in record.steps)
    assert record.num_steps <= 2 * 60  # mate within 60 moves of white


@pytest.mark.parametrize("notation", ["san", "uci"])
def test_stockfish_finds_mate_in_one_in_the_env_notation(notation):
    stockfish_or_skip()
    fen = "r1bqkbnr/pppp1ppp/2n5/4p2Q/2B1P3/8/PPPP1PPP/RNB1K1NR w KQkq - 2 4"
    board = chess.Board(fen)
    legal = [board.san(m) if notation == "san" else m.uci() for m in board.legal_moves]
    with StockfishAgent(depth=5, time_per_move=None) as engine:
        decision = engine.decide({"text": f"The board:\nFEN: {fen}\nYour move.", "legal_actions": legal})
    assert decision.action == ("Qxf7#" if notation == "san" else "h5f7")
    assert decision.attempts[0].raw_output == "h5f7"


def test_stockfish_refuses_a_game_that_is_not_chess():
    stockfish_or_skip()
    with StockfishAgent() as engine, pytest.raises(ValueError, match="FEN"):
        engine.decide({"text": "Stones left: 3", "legal_actions": ("1", "2")})


@pytest.mark.parametrize("game, reply, move", [
    ("chess", "g1f3", "Nf3"),  # UCI, which the chess prompt advertises beside SAN
    ("chess", "Final Answer: Nf3", "Nf3"),
    ("openspiel/tic_tac_toe", "1,1", "x(1,1)"),  # "(1,1) or 1,1 alone also works"
    ("openspiel/tic_tac_toe", "(0,2)", "x(0,2)"),
])
def test_human_may_use_every_notation_the_prompt_advertises(game, reply, move):
    import llm_arena_env

    env = llm_arena_env.make(game)
    env.reset(seed=0)
    agent, output = human(f"{reply}\n")
    observation = env.observe(env.agent_selection)
    assert agent.act(observation) == move
    assert env.check_action(env.agent_selection, move) == (True, "")
    assert "Final Answer: <move>" in observation["text"]  # what a model is told...
    assert "Final Answer" not in output.getvalue()  # ...is not shown to a person


def test_human_with_the_envs_checker_is_told_why_and_asked_again_not_forfeited():
    import llm_arena_env
    from llm_arena_env.wrappers.rethink import env_checker

    env = llm_arena_env.make("dialogue/wordle")
    env.reset(seed=0)
    agent, output = human("guess: crane\nexplanation: common letters\\nguess: crane\n")
    agent.checker = env_checker(env)
    decision = agent.decide(env.observe(env.agent_selection))
    assert decision.action == "explanation: common letters\nguess: crane"
    assert "must start with 'explanation:'" in output.getvalue() and "\\n" in output.getvalue()
    assert [a.legal for a in decision.attempts] == [False, True]
    env.step(decision.action)
    assert env.result is None and "rejection" not in env.infos[env.possible_agents[0]]


def test_human_under_the_arena_runner_is_judged_by_the_env_and_asked_again_not_forfeited():
    from llm_arena_env.arena.runner import EpisodeJob, play_many

    reply = "explanation: common letters\\nguess: crane\n"
    agent, output = human("guess: crane\n" + reply * 6)  # a one-line reply first, where wordle wants two
    (record,) = play_many([EpisodeJob("dialogue/wordle", seed=0, player_specs=("human",))],
                          agents={"human": agent}, progress=False)
    assert "must start with 'explanation:'" in output.getvalue()
    assert all(step.accepted for step in record.steps) and len(record.steps) == 6  # nothing forfeited
    assert record.end_reason != "illegal_action"


def test_human_sees_the_other_players_last_move_on_a_line_of_its_own():
    import llm_arena_env
    from llm_arena_env.agents.base import Decision
    from llm_arena_env.arena.episode import play_episode

    class Opening:
        def decide(self, observation):
            return Decision("e2e4")

    env = llm_arena_env.make("chess")
    agent, output = human("quit\n")
    with pytest.raises(HumanQuit):
        play_episode(env, [Opening(), agent], seed=0)  # play_episode hands the human its env
    white = env.possible_agents[0]
    assert f"\nLast move, by {white}: e2e4\n" in output.getvalue()


def test_an_env_remembers_the_last_accepted_move_as_text_even_when_played_by_id():
    import llm_arena_env

    env = llm_arena_env.make("openspiel/tic_tac_toe", max_illegal_actions=1)
    env.reset(seed=0)
    assert env.last_move is None
    first = env.agent_selection
    env.step("zz")  # rejected: not a move
    assert env.last_move is None
    env.step(4)
    assert env.last_move == (first, "x(1,1)")
    env.reset(seed=0)
    assert env.last_move is None
