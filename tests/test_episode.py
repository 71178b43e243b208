"""play_episode and its records, on a tiny take-away game defined here (no dependency on other games)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from llm_arena_env.agents import Attempt, BaseAgent, Decision, RandomAgent
from llm_arena_env.arena import EpisodeRecord, StepRecord, play_episode
from llm_arena_env.arena.episode import EpisodeStepper, ReplayError, describe_agent, replay, to_plain
from llm_arena_env.core.outcome import EndReason, Outcome, Result, zero_sum
from llm_arena_env.core.text_env import IllegalAction, TextEnv


class TakeAway(TextEnv):
    """Players take 1-3 stones in turn; whoever takes the last stone wins."""

    metadata = {**TextEnv.metadata, "name": "take_away"}

    def __init__(self, stones: int = 7, **kwargs):
        self.start_stones = stones
        super().__init__(["first", "second"], **kwargs)

    def _new_game(self, options: dict) -> None:
        self.stones = options.get("stones", self.start_stones)
        self.turn = 0
        self.last_taker: str | None = None

    def _current_agent(self) -> str:
        return self.possible_agents[self.turn % 2]

    def _parse_action(self, agent: str, text: str) -> int:
        try:
            taken = int(text.strip())
        except ValueError:
            raise IllegalAction(f"{text!r} is not a number") from None
        if not 1 <= taken <= min(3, self.stones):
            raise IllegalAction(f"you may take 1 to {min(3, self.stones)} stones")
        return taken

    def _apply(self, agent: str, taken: int) -> None:
        self.stones -= taken
        self.last_taker = agent
        self.turn += 1

    def _result(self) -> Result | None:
        if self.stones:
            return None
        rewards, outcomes = zero_sum(self.possible_agents, self.last_taker)
        return Result(rewards, outcomes, EndReason.GAME_OVER, "took the last stone", {"stones": np.int64(0)})

    def _prompt_fields(self, agent: str):
        return {"state": lambda: f"Stones left: {self.stones}. You are {agent}."}

    def _legal_actions(self, agent: str) -> list[str]:
        return [str(n) for n in range(1, min(3, self.stones) + 1)]


class Scripted(BaseAgent):
    """Plays the given moves in order."""

    def __init__(self, moves: list[str]):
        self.moves = list(moves)

    def decide(self, observation) -> Decision:
        move = self.moves.pop(0)
        return Decision(move, (Attempt(raw_output=f"I take {move}", parsed=move),))


class ActOnly:
    """An agent with nothing but ``act``, as the protocol allows."""

    def act(self, observation) -> str:
        return observation["legal_actions"][0]

    def act_batch(self, observations):
        return [self.act(o) for o in observations]


def test_random_game_is_recorded_to_its_end():
    record = play_episode(TakeAway(), [RandomAgent(seed=1), RandomAgent(seed=2)], seed=0)
    assert isinstance(record, EpisodeRecord)
    assert sorted(record.outcomes.values()) == ["loss", "win"]
    winner = next(p for p, o in record.outcomes.items() if o == "win")
    assert record.rewards[winner] == 1.0 and sum(record.rewards.values()) == 0.0
    assert record.end_reason == "game_over" and record.end_detail == "took the last stone"
    assert record.num_steps == len(record.steps) > 0
    assert [s.player for s in record.steps] == [["first", "second"][i % 2] for i in range(record.num_steps)]
    assert all(s.accepted and not s.rejection for s in record.steps)
    assert sum(int(s.action) for s in record.steps) == 7
    assert record.steps[-1].player == winner  # the last taker
    assert record.steps[0].observation.startswith("Stones left: 7. You are first.")
    assert record.game == "take_away" and record.seed == 0 and record.seconds >= 0


def test_record_to_dict_is_plain_json():
    record = play_episode(TakeAway(), [RandomAgent(seed=1), RandomAgent(seed=2)], seed=0)
    data = json.loads(json.dumps(record.to_dict()))
    assert data["outcomes"] == dict(record.outcomes)
    assert type(record.to_dict()["outcomes"]["first"]) is str  # not the Outcome enum
    assert type(record.to_dict()["scores"]["stones"]) is int  # numpy int converted
    assert data["steps"][0]["decision"]["attempts"][0]["parsed"] == data["steps"][0]["action"]
    assert data["agents"] == {"first": "RandomAgent(seed=1)", "second": "RandomAgent(seed=2)"}


def test_same_seeds_replay_the_same_episode():
    def run() -> dict:
        data = play_episode(TakeAway(), [RandomAgent(seed=5), RandomAgent(seed=6)], seed=3).to_dict()
        data.pop("seconds")
        return data

    assert run() == run()


def test_agents_by_player_name_or_seat_order_are_the_same():
    by_name = play_episode(TakeAway(), {"second": Scripted(["1", "1"]), "first": Scripted(["3", "1", "1"])})
    by_seat = play_episode(TakeAway(), [Scripted(["3", "1", "1"]), Scripted(["1", "1"])])
    assert [s.action for s in by_name.steps] == [s.action for s in by_seat.steps] == ["3", "1", "1", "1", "1"]
    assert by_name.outcomes == {"first": "win", "second": "loss"}


@pytest.mark.parametrize("agents", [[RandomAgent()], [RandomAgent()] * 3, {"first": RandomAgent()},
                                    {"first": RandomAgent(), "third": RandomAgent()}])
def test_agents_that_do_not_fit_the_players_are_refused(agents):
    with pytest.raises(ValueError, match="players"):
        play_episode(TakeAway(), agents)


def test_a_rejected_action_is_recorded_and_the_player_asked_again():
    env = TakeAway(stones=2, max_illegal_actions=1)
    record = play_episode(env, [Scripted(["five", "2"]), Scripted([])])
    first, second = record.steps
    assert (first.action, first.accepted) == ("five", False)
    assert "not a number" in first.rejection
    assert (second.action, second.accepted, second.rejection) == ("2", True, "")
    assert "rejected" in second.observation  # the env told the player why
    assert record.outcomes == {"first": "win", "second": "loss"}


def test_a_forfeit_ends_the_episode_with_the_offender_losing():
    record = play_episode(TakeAway(), [Scripted(["1"]), Scripted(["4"])])
    assert record.steps[-1].accepted is False and "1 to 3" in record.steps[-1].rejection
    assert record.end_reason == str(EndReason.ILLEGAL_ACTION)
    assert record.outcomes == {"first": "win", "second": "loss"}
    assert record.rewards == {"first": 1.0, "second": -1.0}
    assert record.scores["Aborted"] == 1.0


def test_on_step_sees_every_step_as_it_happens():
    seen: list[StepRecord] = []
    record = play_episode(TakeAway(), [RandomAgent(seed=0), RandomAgent(seed=1)], seed=0, on_step=seen.append)
    assert seen == list(record.steps)


def test_options_reach_reset():
    record = play_episode(TakeAway(), [Scripted(["2"]), Scripted([])], options={"stones": 2})
    assert record.num_steps == 1 and record.outcomes["first"] == "win"


def test_an_agent_with_only_act_can_play():
    record = play_episode(TakeAway(stones=2), [ActOnly(), ActOnly()])
    assert [s.action for s in record.steps] == ["1", "1"]
    assert record.steps[0].decision == Decision("1", (Attempt(raw_output="1", parsed="1"),))


def test_records_name_agents_by_spec_and_never_show_keys():
    class Leaky:
        def __repr__(self) -> str:
            return "OpenAIAgent(model='gpt-x', api_key='sk-abcdef1234567890', token=xyz)"

    shown = describe_agent(Leaky())
    assert "sk-abcdef" not in shown and "xyz" not in shown and "gpt-x" in shown
    agent = RandomAgent()
    agent.agent_spec = "random"
    assert describe_agent(agent) == "random"


def test_to_plain_converts_enums_and_numpy():
    value = {"o": Outcome.WIN, "r": EndReason.MAX_TURNS, "f": np.float32(0.5), "b": np.bool_(True),
             "a": np.arange(3), "t": (1, 2), 3: None}
    assert to_plain(value) == {"o": "win", "r": "max_turns", "f": 0.5, "b": True, "a": [0, 1, 2], "t": [1, 2],
                               "3": None}
    json.dumps(to_plain(value))


# ---------------------------------------------------------------------------------------------- stepper


def test_the_stepper_waits_for_each_decision_and_plays_what_play_episode_plays():
    whole = play_episode(TakeAway(), [RandomAgent(seed=3), RandomAgent(seed=4)], seed=1).to_dict()
    stepper = EpisodeStepper(TakeAway(), [RandomAgent(seed=3), RandomAgent(seed=4)], seed=1)
    seen = []
    while (pending := stepper.pending()) is not None:
        player, agent, observation = pending
        assert stepper.pending() == pending  # asking again changes nothing
        seen.append(player)
        stepper.apply(agent.decide(observation))
    assert stepper.done and seen == [s["player"] for s in whole["steps"]]
    by_steps = stepper.record().to_dict()
    assert {**by_steps, "seconds": 0} == {**whole, "seconds": 0}
    with pytest.raises(RuntimeError, match="over"):
        stepper.apply(Decision("1"))


def test_a_record_is_not_ready_before_the_end():
    stepper = EpisodeStepper(TakeAway(), [RandomAgent(), RandomAgent()])
    with pytest.raises(RuntimeError, match="not over"):
        stepper.record()


class Counting(BaseAgent):
    """Takes one stone, reporting model use the way LLMAgent does."""

    def decide(self, observation) -> Decision:
        attempts = (Attempt("bad", parsed=None, prompt_tokens=10, completion_tokens=3, latency_s=0.25),
                    Attempt("1", parsed="1", prompt_tokens=12, completion_tokens=1, latency_s=0.5))
        return Decision("1", attempts)


def test_steps_sum_the_tokens_and_latency_of_every_attempt():
    record = play_episode(TakeAway(stones=1), [Counting(), Counting()])
    step = record.to_dict()["steps"][0]
    assert (step["prompt_tokens"], step["completion_tokens"], step["tokens"]) == (22, 4, 26)
    assert step["latency_s"] == pytest.approx(0.75)


def test_records_carry_what_replays_them():
    record = play_episode(TakeAway(), [RandomAgent(0), RandomAgent(1)], seed=2, options={"stones": 5},
                          game="take_away", game_kwargs={"stones": np.int64(9)}, episode_id="0007").to_dict()
    assert (record["game"], record["game_kwargs"], record["options"], record["episode_id"]) == (
        "take_away", {"stones": 9}, {"stones": 5}, "0007")
    assert type(record["game_kwargs"]["stones"]) is int


# ---------------------------------------------------------------------------------------------- replay


@pytest.mark.parametrize("game, kwargs, options", [
    ("openspiel/tic_tac_toe", {}, None),
    ("openspiel/kuhn_poker", {}, None),  # chance nodes: drawn from the env's seeded generator
    ("chess", {"max_plies": 40, "max_illegal_actions": 1}, None),
    ("dialogue/wordle", {"max_illegal_actions": 2}, {"instance": 3}),
])
def test_replay_plays_a_record_again_move_by_move(game, kwargs, options):
    import llm_arena_env

    env = llm_arena_env.make(game, **kwargs)
    record = play_episode(env, [RandomAgent(seed=i) for i in range(len(env.possible_agents))], seed=5,
                          options=options, game=game, game_kwargs=kwargs)
    data = json.loads(json.dumps(record.to_dict()))  # as read back from episode.json
    frames = list(replay(data))
    assert [step.to_dict() for _, step in frames[1:]] == data["steps"]
    final, _ = frames[-1]  # the game is over: every player's info holds its outcome
    outcomes = {p: str(final.infos[p].get("outcome")) for p in final.possible_agents if "outcome" in final.infos[p]}
    assert outcomes == data["outcomes"]


def test_replay_refuses_a_record_that_does_not_fit_the_game():
    record = play_episode(TakeAway(), [RandomAgent(0), RandomAgent(1)], seed=0).to_dict()
    record.update(game="openspiel/tic_tac_toe", steps=[{**record["steps"][0], "player": "nobody"}])
    with pytest.raises(ReplayError, match="nobody"):
        list(replay(record))


def test_records_name_the_registry_id_and_write_nan_scores_as_json_null():
    import json
    import math

    import llm_arena_env
    from llm_arena_env.agents.random_agent import RandomAgent
    from llm_arena_env.arena.episode import play_episode, to_plain

    record = play_episode(llm_arena_env.make("openspiel/tic_tac_toe"), [RandomAgent(0), RandomAgent(1)], seed=0)
    assert record.game == "openspiel/tic_tac_toe"
    plain = to_plain({"Main Score": math.nan, "inf": math.inf, "x": 1.5})
    assert plain == {"Main Score": None, "inf": None, "x": 1.5}
    json.loads(json.dumps(plain, indent=1, allow_nan=False))


BARE_KEYS = ["sk-abcdefgh12345678", "sk-proj-AbC_dEf-123456789", "sk-ant-api03-xYz0123456789"]


@pytest.mark.parametrize("key", BARE_KEYS)
@pytest.mark.parametrize("context", ["{}", "Bearer {}", "openai:gpt-x,{}", "spec=openai:{}", "OPENAI_{}",
                                     "(key {})", "'{}'", "https://host/v1?k={}&x=1", "KEY_{}.", "key:{}\nnext"])
def test_a_bare_sk_key_is_masked_wherever_it_stands(key, context):
    """A key with no ``api_key=`` before it (a spec, a header, a URL, glued to a name) is still masked."""
    from llm_arena_env.arena.episode import scrub

    shown = scrub(context.format(key))
    assert key[3:] not in shown and key[3:11] not in shown, shown
    assert shown == context.format("sk-***")


def test_scrub_leaves_text_that_only_looks_like_a_key_alone():
    from llm_arena_env.arena.episode import scrub

    for text in ["task-abcdefghijkl", "risk-assessment-report", "sk-short", "desk-lamp"]:
        assert scrub(text) == text
