"""The parsers on realistic model replies (tests/parser_cases.py), and the Parse wrapper."""

from __future__ import annotations

import time

import pytest

from llm_arena_env.agents.backends.base import Completion
from llm_arena_env.agents.errors import BackendError
from llm_arena_env.wrappers import COULD_NOT_PARSE, ChainParser, LLMParser, Parse, ParserInput, default_parser
from tests.parser_cases import CASES, CONNECT_FOUR, START, TWO_KNIGHTS, Position, move_of
from tests.test_rethink import Scripted


def _input(position: Position, reply: str, seed: int = 0) -> ParserInput:
    return ParserInput(reply, position.legal_actions, position.notation, seed)


@pytest.mark.parametrize("case", CASES, ids=[f"{i}:{c.reply[:40]!r}" for i, c in enumerate(CASES)])
def test_default_parser_reads_the_move_of_each_reply(case):
    assert move_of(default_parser().parse(_input(case.position, case.reply))) == case.expected


def test_the_table_is_large_and_covers_four_games():
    assert len(CASES) >= 80
    assert sum(c.expected is None for c in CASES) >= 5
    assert len({id(c.position) for c in CASES}) >= 10


def test_equally_good_matches_are_picked_by_seed_and_noted():
    picks = {seed: default_parser().parse(_input(TWO_KNIGHTS, "Final Answer: Nd2", seed)) for seed in range(20)}
    assert {p.move for p in picks.values()} == {"Nbd2", "Nfd2"}
    assert default_parser().parse(_input(TWO_KNIGHTS, "Final Answer: Nd2", 7)) == picks[7]
    assert "Nbd2, Nfd2" in picks[7].note and "seed 7" in picks[7].note


@pytest.mark.parametrize(
    "reply",
    [
        "a" * 20_000,
        " ".join(["Final Answer: e4", "move:", "**", "`", "\\boxed{", "(", "I play"] * 3_000),
        "\\boxed{" * 5_000,
        bytes(range(256)).decode("latin-1") * 80,
        "<answer>" * 3_000,
    ],
    ids=["long-word", "many-tags", "nested-boxed", "binary", "open-elements"],
)
def test_hostile_replies_are_read_quickly_without_errors(reply):
    started = time.perf_counter()
    move = default_parser().parse(_input(START, reply))
    assert move is None or isinstance(move.move, str)
    assert time.perf_counter() - started < 5  # quadratic scans took 30 s and more on these


def test_free_text_games_get_the_whole_reply_unchanged():
    for reply in ("Let me think.\nFinal Answer: apple pie", "  CLUE: fruit  ",
                  "CLUE: the final answer to a riddle about fruit", "GUESS: <answer>x</answer> \\boxed{y}"):
        assert move_of(default_parser().parse(ParserInput(reply))) == reply
    assert default_parser().parse(ParserInput("   ")) is None


class _Never:
    def parse(self, parser_input):
        return None


class _Always:
    def __init__(self, move):
        self.move = move

    def parse(self, parser_input):
        return self.move


def test_chain_parser_takes_the_first_move_found():
    chain = ChainParser([_Never(), _Always("e4"), _Always("d4")])
    assert move_of(chain.parse(ParserInput("x"))) == "e4"
    assert ChainParser([_Never()]).parse(ParserInput("x")) is None


class _Backend:
    """A fake model: answers every request with the next scripted text (or error), and keeps the requests."""

    name = "fake"

    def __init__(self, *answers):
        self.answers = list(answers)
        self.requests = []
        self.batch_sizes = []

    def complete(self, requests):
        self.requests.extend(requests)
        self.batch_sizes.append(len(requests))
        return [self._answer() for _ in requests]

    def _answer(self):
        answer = self.answers.pop(0)
        return answer if isinstance(answer, BackendError) else Completion(text=answer)


def test_llm_parser_asks_a_second_model_and_soft_matches_its_answer():
    backend = _Backend("column 5")
    move = LLMParser(backend).parse(_input(CONNECT_FOUR, "The fifth column looks best to me."))
    assert move.move == "x5" and "fake" in move.note
    prompt = backend.requests[0].messages[0]["content"]
    assert "The fifth column looks best to me." in prompt and "x0, x1, x2, x4, x5, x6" in prompt


@pytest.mark.parametrize("answer", ["none", "column 3", BackendError("server down")])
def test_llm_parser_gives_none_when_the_second_model_finds_no_legal_move(answer):
    assert LLMParser(_Backend(answer)).parse(_input(CONNECT_FOUR, "hmm")) is None


def test_default_parser_falls_back_to_the_llm_parser_only_when_rules_find_nothing():
    backend = _Backend("Nf3")
    parser = default_parser(backend)
    assert move_of(parser.parse(_input(START, "Final Answer: e4"))) == "e4"
    assert backend.requests == []
    assert move_of(parser.parse(_input(START, "I develop the king's knight towards the centre."))) == "Nf3"
    assert len(backend.requests) == 1


def _observation(position: Position) -> dict:
    return {
        "text": position.state_text,
        "messages": ({"role": "user", "content": position.state_text},),
        "legal_actions": position.legal_actions,
        "notation": position.notation,
    }


def test_parse_sets_the_parsed_move_as_the_action():
    decision = Parse(Scripted("Thinking...\nFinal Answer: g1f3")).decide(_observation(START))
    assert decision.action == "Nf3"
    assert decision.attempts[-1].parsed == "Nf3"
    assert decision.attempts[-1].raw_output == "Thinking...\nFinal Answer: g1f3"


def test_parse_leaves_an_unparsable_reply_as_the_action_for_the_env_to_reject():
    decision = Parse(Scripted("I am not sure what to do here.")).decide(_observation(START))
    assert decision.action == "I am not sure what to do here."
    assert decision.attempts[-1].parsed is None
    assert decision.attempts[-1].reason == COULD_NOT_PARSE


def test_parse_passes_transport_failures_through():
    decision = Parse(Scripted(BackendError("timeout"))).decide(_observation(START))
    assert decision.action == "" and decision.attempts[-1].error == "timeout"
    assert decision.attempts[-1].parsed is None and decision.attempts[-1].reason == ""


def test_parse_notes_a_random_pick_in_the_record():
    decision = Parse(Scripted("Final Answer: Nd2"), seed=3).decide(_observation(TWO_KNIGHTS))
    assert decision.action in ("Nbd2", "Nfd2")
    assert "at random (seed 3)" in decision.attempts[-1].reason


def test_parse_batches_through_the_inner_agent_and_parses_each_against_its_own_position():
    inner = Scripted("Final Answer: 4", "Final Answer: e2e4")
    decisions = Parse(inner).decide_batch([_observation(CONNECT_FOUR), _observation(START)])
    assert [d.action for d in decisions] == ["x4", "e4"]


def test_parse_works_on_agents_that_only_act():
    class Plain:
        def act(self, observation):
            return "Final Answer: d4"

    assert Parse(Plain()).act(_observation(START)) == "d4"
