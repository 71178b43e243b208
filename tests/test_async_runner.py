"""The runner keeps every episode moving: each advances on its own reply, remote backends keep the run's
concurrency in flight, sync agents and local models are batched without being called from two threads,
jobs are drawn lazily; and the async paths of the OpenAI backend fail as its sync path does."""

from __future__ import annotations

import asyncio
import hashlib
import re
import threading
import time

import pytest

from llm_arena_env.agents.backends import Completion, OpenAIBackend, Request, RetryPolicy
from llm_arena_env.agents.base import Attempt, BaseAgent, Decision
from llm_arena_env.agents.errors import BackendError, ErrorKind, NonRetryableError, RetryableError
from llm_arena_env.agents.llm import LLMAgent
from llm_arena_env.arena.results import ResultsStore
from llm_arena_env.arena.runner import EpisodeJob, play_many, run_local
from llm_arena_env.wrappers import MajorityVote, Parse, Rethink
from tests.arena_agents import no_html, HashAgent, comparable, registered
from tests.fake_openai_server import FakeOpenAIServer, Reply

TTT = "openspiel/tic_tac_toe"
FAST = RetryPolicy(max_attempts=3, initial_delay=0.01, max_delay=0.05)
LEGAL = re.compile(r"Legal moves: (.*)")


@pytest.fixture(autouse=True)
def test_agents(monkeypatch):
    no_html(monkeypatch)  # speed
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    with registered():
        yield


@pytest.fixture
def server():
    with FakeOpenAIServer(max_requests=10_000) as fake:
        yield fake


OPENED: list[OpenAIBackend] = []


@pytest.fixture(autouse=True)
def _close_backends():
    yield
    while OPENED:
        OPENED.pop().close()


def openai_backend(url: str, **kwargs) -> OpenAIBackend:
    kwargs.setdefault("retry_policy", FAST)
    OPENED.append(OpenAIBackend("fake", base_url=url, **kwargs))
    return OPENED[-1]


def jobs_for(specs, episodes: int) -> list[EpisodeJob]:
    return [EpisodeJob(TTT, {}, k, None, specs, f"{k:04d}") for k in range(episodes)]


def legal_move(prompt: str) -> str:
    """A legal move of the prompt, chosen by a hash of it (so a game plays the same on every run)."""
    legal = LEGAL.findall(prompt)[-1].split(", ")
    return legal[int(hashlib.sha256(prompt.encode()).hexdigest(), 16) % len(legal)]


def legal_move_reply(body) -> Reply:
    return Reply.answer(f"Final Answer: {legal_move(body['messages'][-1]['content'])}")


def gathering(server: FakeOpenAIServer, first: int):
    """A responder that holds the first ``first`` requests until all of them are in flight at once (5 s at
    most): the run gets past them quickly only if it sends them concurrently."""
    barrier = threading.Barrier(first, timeout=5)
    count = iter(range(10**9))

    def respond(body) -> Reply:
        if next(count) < first:
            try:
                barrier.wait()
            except threading.BrokenBarrierError:
                pass
        return legal_move_reply(body)

    return respond


def llm_player(server: FakeOpenAIServer, **backend) -> Rethink:
    return Rethink(Parse(LLMAgent(openai_backend(server.url, **backend))), max_rethinks=1)


def moves(records) -> list[list[str]]:
    return [[step.action for step in record.steps] for record in records]


# ---------------------------------------------------------------------------------------------- scheduling


class Gate(BaseAgent):
    """Plays like HashAgent, but its decisions wait for ``opened`` (set by the test)."""

    def __init__(self) -> None:
        self.opened = asyncio.Event()
        self.timed_out = False

    async def adecide(self, observation):
        try:
            await asyncio.wait_for(self.opened.wait(), timeout=10)
        except asyncio.TimeoutError:
            self.timed_out = True
        return HashAgent().decide(observation)


def test_no_episode_waits_for_another():
    """Episode 0 waits on a reply that comes only once every other episode has ended: in lockstep rounds
    the run would stall on it; here the others play on to their end."""
    gate = Gate()
    jobs = [EpisodeJob(TTT, {}, 0, None, ("gate", "gate"), "slow")] + jobs_for(("hash", "hash"), 6)
    finished: list[str] = []

    def on_record(job, record):
        finished.append(job.episode_id)
        if len(finished) == len(jobs) - 1:
            gate.opened.set()

    run_local(jobs, concurrency=len(jobs), on_record=on_record, agents={"gate": gate})
    assert finished[-1] == "slow" and sorted(finished[:-1]) == [j.episode_id for j in jobs[1:]]
    assert not gate.timed_out


def test_a_sync_agent_is_called_one_batch_at_a_time():
    inside = []
    lock = threading.Lock()

    class Counting(HashAgent):
        def decide_batch(self, observations):
            with lock:
                inside.append(threading.get_ident())
                overlapping = len(inside) > 1
            time.sleep(0.001)
            with lock:
                inside.remove(threading.get_ident())
            assert not overlapping, "called from two threads at once"
            return super().decide_batch(observations)

    agent = Counting()
    records = play_many(jobs_for(("hash", "hash"), 8), concurrency=8, agents={"hash": agent}, progress=False)
    assert agent.batches[0] == 8 and sum(agent.batches) == sum(r.num_steps for r in records)


def test_the_local_executor_plays_the_same_inside_a_running_event_loop():
    """From a notebook (a loop already running in the thread) the run gets an event loop of its own."""
    jobs = jobs_for(("hash", "random"), 4)

    async def from_a_notebook():
        return play_many(jobs, concurrency=4, progress=False)

    assert [comparable(r) for r in asyncio.run(from_a_notebook())] == [
        comparable(r) for r in play_many(jobs, concurrency=1, progress=False)]


# ---------------------------------------------------------------------------------------------- lazy jobs


def test_jobs_are_drawn_as_episodes_start_and_only_live_ones_are_held():
    concurrency, finished, drawn = 3, [], []

    def jobs():
        for job in jobs_for(("hash", "random"), 40):
            assert len(drawn) - len(finished) < concurrency + 1  # never more than the live episodes drawn
            drawn.append(job)
            yield job

    run_local(jobs(), concurrency=concurrency, on_record=lambda job, record: finished.append(job))
    assert len(finished) == 40


def test_a_generator_of_jobs_resumes_and_returns_records_in_job_order(tmp_path):
    jobs = jobs_for(("hash", "random"), 10)
    store = ResultsStore(tmp_path, "run")
    play_many(jobs[::3], results=store, progress=False)
    resumed = play_many((job for job in jobs), concurrency=4, results=store, progress=False)
    assert [r.episode_id for r in resumed] == [j.episode_id for k, j in enumerate(jobs) if k % 3]
    reference = {r.episode_id: comparable(r) for r in play_many(jobs, progress=False)}
    assert all(comparable(r) == reference[r.episode_id] for r in resumed)
    assert play_many(iter(jobs), results=store, progress=False, keep_records=False) == []
    with pytest.raises(ValueError, match="share the episode id"):
        play_many(iter(jobs[:2] * 2), progress=False)


# ---------------------------------------------------------------------------------------------- remote backends


def test_a_remote_model_has_the_runs_concurrency_in_flight_and_plays_the_same_games(server):
    server.responder = gathering(server, 8)
    agent = llm_player(server)
    jobs = jobs_for(("llm", "llm"), 12)
    together = play_many(jobs, concurrency=8, agents={"llm": agent}, progress=False)
    assert server.max_in_flight == 8  # reached at once, never passed
    server.max_in_flight = 0
    alone = play_many(jobs[:3], concurrency=1, agents={"llm": agent}, progress=False)
    assert server.max_in_flight == 1
    assert moves(alone) == moves(together[:3])
    assert all(step.accepted for record in together for step in record.steps)


def test_one_in_flight_limit_per_backend_is_shared_by_every_episode_and_vote(server):
    server.responder = gathering(server, 4)
    voter = MajorityVote(Parse(LLMAgent(openai_backend(server.url))), n=3)
    play_many(jobs_for(("llm", "random"), 4), concurrency=4, agents={"llm": voter}, progress=False)
    assert server.max_in_flight == 4  # 4 episodes x 3 samples wanted, the run's concurrency allowed


def test_a_votes_samples_go_out_together(server):
    server.responder = gathering(server, 5)
    voter = MajorityVote(Parse(LLMAgent(openai_backend(server.url, max_concurrency=5))), n=5)
    (record,) = play_many(jobs_for(("llm", "random"), 1), agents={"llm": voter}, progress=False)
    assert server.max_in_flight == 5
    assert record.steps[0].attempts[-1].votes


def test_the_progress_bar_shows_requests_in_flight_and_latency(server, capsys):
    server.responder = legal_move_reply
    play_many(jobs_for(("llm", "random"), 2), concurrency=2, agents={"llm": llm_player(server)}, progress=True)
    err = capsys.readouterr().err
    assert "2/2" in err and re.search(r"in flight \d+ \| p50 \d+\.\d\ds p90 \d+\.\d\ds", err)


def complete_async(backend: OpenAIBackend, *requests: Request):
    async def run():
        return await backend.acomplete(requests)

    return asyncio.run(run())


def ask(text: str) -> Request:
    return Request(({"role": "user", "content": text},))


def test_the_async_path_retries_and_fails_as_the_sync_path_does(server):
    backend = openai_backend(server.url, api_key="sk-test-SECRET-123", timeout=1)
    server.script(Reply.error(429, retry_after=0.01), Reply.answer("e4", completion_tokens=3))
    [answer] = complete_async(backend, ask("move"))
    assert isinstance(answer, Completion) and answer.text == "e4" and answer.completion_tokens == 3
    assert answer.latency_s > 0 and len(server.requests) == 2
    server.script(Reply.error(401), *[Reply.malformed()] * 3, *[Reply.error(500)] * 3)
    unauthorised, malformed, overloaded = (complete_async(backend, ask(t))[0] for t in ("a", "b", "c"))
    assert isinstance(unauthorised, NonRetryableError) and unauthorised.kind is ErrorKind.AUTH
    assert "SECRET" not in str(unauthorised)
    assert malformed.kind is ErrorKind.MALFORMED and "gave up after 3 attempts" in str(malformed)
    assert isinstance(overloaded, RetryableError) and overloaded.kind is ErrorKind.SERVER
    server.script(Reply.hang(3), Reply.answer("d4"))
    [late] = complete_async(backend, ask("slow"))
    assert late.text == "d4"  # timed out after 1 s, then retried


def test_the_async_path_names_a_refused_connection():
    backend = openai_backend("http://127.0.0.1:9/v1", max_retries=0, retry_policy=None)
    [refused] = complete_async(backend, ask("move"))
    assert refused.kind is ErrorKind.CONNECTION and "could not connect to http://127.0.0.1:9/v1" in str(refused)


# ---------------------------------------------------------------------------------------------- local models


class LocalModel:
    """A sync backend like TransformersBackend: one generate at a time, ``batch_size`` requests at most."""

    name = "local"
    batch_size = 3

    def __init__(self) -> None:
        self.batches: list[int] = []
        self.busy = threading.Lock()

    def complete(self, requests):
        assert self.busy.acquire(blocking=False), "called from two threads at once"
        try:
            self.batches.append(len(requests))
            time.sleep(0.002)
            return [Completion(f"Final Answer: {legal_move(r.messages[-1]['content'])}") for r in requests]
        finally:
            self.busy.release()


def test_a_local_model_batches_whatever_waits_up_to_its_batch_size():
    model = LocalModel()
    agent = Rethink(Parse(LLMAgent(model)))
    jobs = jobs_for(("llm", "llm"), 8)
    records = play_many(jobs, concurrency=8, agents={"llm": agent}, progress=False)
    assert model.batches[0] == 3 and max(model.batches) == 3  # 8 waited at the start
    assert sum(model.batches) == sum(r.num_steps for r in records)
    model.batches.clear()
    assert moves(play_many(jobs, concurrency=1, agents={"llm": agent}, progress=False)) == moves(records)
    assert set(model.batches) == {1}


def test_a_local_model_that_fails_a_batch_ends_those_episodes_as_errors_not_the_run():
    class Down(LocalModel):
        def complete(self, requests):
            raise BackendError("local: out of memory")

    records = play_many(jobs_for(("llm", "random"), 3), concurrency=3, agents={"llm": LLMAgent(Down())},
                        progress=False)
    assert [(r.error.message, r.num_steps) for r in records] == [("local: out of memory", 0)] * 3


def test_an_agent_without_adecide_that_raises_still_stops_the_run_with_its_name():
    class Broken(BaseAgent):
        def decide(self, observation):
            raise ValueError("cannot play this")

    from llm_arena_env.arena.runner import AgentError

    with pytest.raises(AgentError, match=r"'hash'.*tic_tac_toe.*cannot play this"):
        play_many(jobs_for(("random", "hash"), 3), concurrency=3, agents={"hash": Broken()}, progress=False)


def test_decisions_are_records_of_every_attempt_on_the_async_path_too():
    """Rethink's feedback rounds, awaited, keep the same trace as its batch path."""

    class FirstWrong(BaseAgent):
        def decide(self, observation):
            wrong = len(observation["messages"]) == 1
            action = "x(9,9)" if wrong else observation["legal_actions"][0]
            return Decision(action, (Attempt(raw_output=f"Final Answer: {action}"),))

    agent = Rethink(Parse(FirstWrong()), max_rethinks=2)
    observation = {"messages": ({"role": "user", "content": "go"},), "text": "go",
                   "legal_actions": ("x(0,0)", "x(1,1)")}
    awaited = asyncio.run(agent.adecide(observation))
    assert awaited == agent.decide(observation)
    assert [a.legal for a in awaited.attempts] == [False, True] and awaited.action == "x(0,0)"
