"""Rethink: asking again after an unparsable reply or an illegal move, with each kind of feedback."""

from __future__ import annotations

import chess
import pytest

import llm_arena_env
from llm_arena_env.agents.base import Attempt, BaseAgent, Decision
from llm_arena_env.agents.errors import BackendError
from llm_arena_env.core.outcome import Outcome
from llm_arena_env.games.chess.notation import ChessNotation
from llm_arena_env.wrappers import COULD_NOT_PARSE, Parse, Rethink, env_checker


class Scripted(BaseAgent):
    """Answers each observation with the next canned reply, as LLMAgent would (raw text, nothing parsed).

    A BackendError in the script stands for a transport failure. ``calls`` keeps the observations of
    each decide_batch call, so tests see what was asked and how it was batched."""

    def __init__(self, *replies):
        self.replies = list(replies)
        self.calls = []

    def decide_batch(self, observations):
        self.calls.append(list(observations))
        return [self._reply(o) for o in observations]

    def decide(self, observation):
        return self.decide_batch([observation])[0]

    def _reply(self, observation):
        reply = self.replies.pop(0)
        prompt = tuple(observation.get("messages", ()))
        if isinstance(reply, BackendError):
            return Decision("", (Attempt(raw_output="", prompt=prompt, error=str(reply)),))
        return Decision(reply, (Attempt(raw_output=reply, prompt=prompt, prompt_tokens=10, completion_tokens=5),))


def _tic_tac_toe(**kwargs):
    env = llm_arena_env.make("openspiel/tic_tac_toe", **kwargs)
    env.reset(seed=0)
    return env, env.observe(env.agent_selection)


def test_an_illegal_move_then_a_legal_one():
    env, observation = _tic_tac_toe()
    inner = Scripted("Final Answer: x(3,3)", "Final Answer: x(0,0)")
    decision = Rethink(Parse(inner)).decide(observation)
    assert decision.action == "x(0,0)"
    first, second = decision.attempts
    assert (first.parsed, first.legal) == ("x(3,3)", False)
    assert "not one of the legal moves" in first.reason
    assert first.feedback.startswith("Your move x(3,3) was illegal")
    assert (second.parsed, second.legal, second.feedback) == ("x(0,0)", True, "")
    env.step(decision.action)
    assert env.agent_selection == "player_1"


def test_an_unparsable_reply_then_a_legal_one():
    _, observation = _tic_tac_toe()
    inner = Scripted("Hmm, tough one. Let me think about strategy.", "Final Answer: (1,1)")
    decision = Rethink(Parse(inner)).decide(observation)
    assert decision.action == "x(1,1)"
    first, second = decision.attempts
    assert (first.parsed, first.legal, first.reason) == (None, None, COULD_NOT_PARSE)
    assert first.feedback.startswith("Your move could not be parsed")
    assert second.legal is True
    assert decision.failed_attempts == 1


def test_the_feedback_goes_into_the_messages_as_reply_and_user_turn():
    _, observation = _tic_tac_toe()
    inner = Scripted("Final Answer: x(3,3)", "Final Answer: x(4,4)", "Final Answer: x(0,0)")
    Rethink(Parse(inner)).decide(observation)
    asked = [call[0] for call in inner.calls]
    assert asked[0] is observation
    feedback = "Your move x(3,3) was illegal: 'x(3,3)' is not one of the legal moves. Give a legal move."
    assert asked[1]["messages"] == observation["messages"] + (
        {"role": "assistant", "content": "Final Answer: x(3,3)"},
        {"role": "user", "content": feedback},
    )
    assert asked[1]["text"] == f"{feedback}\n\n{observation['text']}"  # the position stays in view
    assert asked[2]["messages"][:-2] == asked[1]["messages"]  # the whole exchange so far, in order
    assert asked[2]["messages"][-2]["content"] == "Final Answer: x(4,4)"
    assert asked[1]["legal_actions"] == observation["legal_actions"]


@pytest.mark.parametrize(
    "mode, illegal, unparsable",
    [
        ("none", "", ""),
        ("illegal", "Your move x(3,3) was illegal. Give a legal move.", "Your move could not be parsed. Give a legal move."),
        (
            "reason",
            "Your move x(3,3) was illegal: it is not a legal move now",
            f"Your move could not be parsed: {COULD_NOT_PARSE}. Give a legal move.",
        ),
    ],
)
def test_each_feedback_mode_says_what_it_promises(mode, illegal, unparsable):
    env, observation = _tic_tac_toe()
    inner = Scripted("Final Answer: x(3,3)", "no idea", "Final Answer: x(0,0)")
    decision = Rethink(Parse(inner), checker=env_checker(env), feedback=mode).decide(observation)
    assert decision.attempts[0].feedback.startswith(illegal)
    assert decision.attempts[1].feedback == unparsable
    if mode == "none":  # the same prompt again
        assert all(call[0] is observation for call in inner.calls)
    else:
        assert inner.calls[1][0]["messages"][-1]["content"] == decision.attempts[0].feedback


def test_when_every_try_fails_the_last_reply_goes_to_the_env_and_its_policy_decides():
    env, observation = _tic_tac_toe()
    inner = Scripted("pass", "I give up", "still nothing")
    decision = Rethink(Parse(inner), max_rethinks=2).decide(observation)
    assert len(inner.calls) == 3
    assert decision.action == "still nothing"
    assert [a.parsed for a in decision.attempts] == [None, None, None]
    assert decision.attempts[-1].feedback == ""  # nothing more was asked
    env.step(decision.action)
    assert env.terminations["player_0"] and env.infos["player_0"]["outcome"] is Outcome.LOSS


def test_an_env_that_allows_retries_asks_the_player_again_after_a_failed_rethink():
    env, observation = _tic_tac_toe(max_illegal_actions=1)
    decision = Rethink(Parse(Scripted("Final Answer: x(9,9)")), max_rethinks=0).decide(observation)
    assert decision.action == "x(9,9)"
    env.step(decision.action)
    assert not env.terminations["player_0"] and env.agent_selection == "player_0"


def test_the_env_check_action_itself_can_be_the_checker():
    env, observation = _tic_tac_toe()
    decision = Rethink(Parse(Scripted("Final Answer: x(3,3)", "Final Answer: 2,2")), checker=env.check_action).decide(observation)
    assert decision.action == "x(2,2)"
    assert "it is not a legal move now" in decision.attempts[0].reason


def test_transport_failures_pass_through_without_rethinking():
    _, observation = _tic_tac_toe()
    inner = Scripted(BackendError("connection refused"))
    decision = Rethink(Parse(inner)).decide(observation)
    assert len(inner.calls) == 1
    assert decision.action == "" and decision.attempts[-1].error == "connection refused"


def test_each_round_sends_all_unresolved_observations_in_one_call():
    _, observation = _tic_tac_toe()
    inner = Scripted("Final Answer: x(0,0)", "nonsense", "Final Answer: x(5,5)", "Final Answer: x(2,2)", "Final Answer: x(1,2)")
    decisions = Rethink(Parse(inner)).decide_batch([observation, observation, observation])
    assert [len(call) for call in inner.calls] == [3, 2]
    assert [d.action for d in decisions] == ["x(0,0)", "x(2,2)", "x(1,2)"]
    assert [len(d.attempts) for d in decisions] == [1, 2, 2]


def test_without_a_parser_the_checker_judges_the_raw_reply():
    _, observation = _tic_tac_toe()
    inner = Scripted("x(7,7)", "x(0,1)")
    decision = Rethink(inner).decide(observation)
    assert decision.action == "x(0,1)"
    assert [a.legal for a in decision.attempts] == [False, True]


def test_free_text_observations_pass_the_default_checker():
    observation = {"text": "Give a clue.", "messages": ({"role": "user", "content": "Give a clue."},), "legal_actions": ()}
    inner = Scripted("CLUE: fruit")
    assert Rethink(Parse(inner)).decide(observation).action == "CLUE: fruit"
    assert len(inner.calls) == 1


@pytest.mark.parametrize("kwargs", [{"feedback": "loud"}, {"max_rethinks": -1}])
def test_bad_settings_are_refused(kwargs):
    with pytest.raises(ValueError):
        Rethink(Scripted(), **kwargs)


# ------------------------------------------------------------------------ chess: the precise reason

CASTLE_THROUGH_CHECK = "r3k2r/8/8/8/2b5/8/8/R3K2R w KQkq - 0 1"
PINNED_KNIGHT = "4k3/4r3/8/8/8/8/4N3/4K3 w - - 0 1"


def _chess_observation(fen: str) -> dict:
    board = chess.Board(fen)
    text = f"You play White.\nFEN: {fen}\n\nEnd your reply with: Final Answer: <move>"
    return {"text": text, "messages": ({"role": "user", "content": text},), "legal_actions": tuple(board.san(m) for m in board.legal_moves),
            "notation": ChessNotation(fen)}


@pytest.mark.parametrize(
    "fen, move, reason",
    [
        (chess.STARTING_FEN, "Bc4", "the way from f1 to c4 is blocked by your pawn on e2"),
        (chess.STARTING_FEN, "Qxd2", "d2 holds your own pawn"),
        (chess.STARTING_FEN, "Nf6", "none of your knights (on b1, g1) can move to f6"),
        (CASTLE_THROUGH_CHECK, "O-O", "cannot castle through check: f1 is attacked by Black's bishop on c4"),
        (PINNED_KNIGHT, "Nc3", "your knight on e2 is pinned"),
    ],
)
def test_the_reason_mode_gives_the_chess_rule_that_was_broken(fen, move, reason):
    observation = _chess_observation(fen)
    inner = Scripted(f"Final Answer: {move}", f"Final Answer: {observation['legal_actions'][0]}")
    decision = Rethink(Parse(inner), feedback="reason").decide(observation)
    feedback = decision.attempts[0].feedback
    assert feedback.startswith(f"Your move {move} was illegal: ") and reason in feedback
    assert decision.attempts[1].legal is True


def test_after_feedback_the_parser_still_reads_the_position():
    observation = _chess_observation(chess.STARTING_FEN)
    decision = Rethink(Parse(Scripted("Final Answer: Ke2", "Final Answer: g1f3"))).decide(observation)
    assert decision.action == "Nf3"


def test_the_reason_mode_works_on_the_real_chess_env():
    env = llm_arena_env.make("chess")
    env.reset(seed=0)
    observation = env.observe(env.agent_selection)
    inner = Scripted("I'll develop the bishop.\nFinal Answer: Bc4", "Final Answer: e4")
    decision = Rethink(Parse(inner), checker=env_checker(env)).decide(observation)
    assert "blocked by your pawn on e2" in decision.attempts[0].feedback
    assert decision.action == "e4"


def test_a_wrapped_agent_names_its_whole_stack_in_records():
    from llm_arena_env.agents.random_agent import RandomAgent
    from llm_arena_env.arena.episode import describe_agent
    from llm_arena_env.wrappers import MajorityVote, Parse

    agent = Rethink(MajorityVote(Parse(RandomAgent(seed=3)), n=3))
    assert describe_agent(agent) == "Rethink(MajorityVote(Parse(RandomAgent(seed=3))))"
