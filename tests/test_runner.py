"""play_many: batching across episodes, results independent of concurrency, resume, Ctrl-C."""

from __future__ import annotations

import json
import pickle

import pytest

from llm_arena_env.arena.episode import play_episode, replay
from llm_arena_env.arena.results import EPISODE_FILE, ResultsStore, load_episodes
from llm_arena_env.arena.runner import (
    AgentBuildError,
    AgentError,
    EpisodeJob,
    GameBuildError,
    play_many,
    register_executor,
)
from tests.arena_agents import no_html, HashAgent, comparable, registered

TTT = "openspiel/tic_tac_toe"


@pytest.fixture(autouse=True)
def test_agents(monkeypatch):
    no_html(monkeypatch)  # speed
    with registered():
        yield


def jobs_for(pairings, episodes: int, game: str = TTT, seed: int = 0) -> list[EpisodeJob]:
    return [EpisodeJob(game, {}, seed + k, None, specs, f"{k:04d}") for specs in pairings for k in range(episodes)]


PAIRINGS = [("random", "random"), ("hash", "random"), ("random", "hash"), ("hash", "hash")]


def test_results_do_not_depend_on_concurrency():
    jobs = jobs_for(PAIRINGS, 6)
    sequential = [comparable(r) for r in play_many(jobs, concurrency=1, progress=False)]
    assert len(sequential) == len(jobs) and len({json.dumps(r["steps"]) for r in sequential}) > 10
    for concurrency in (3, 8, 64):
        assert [comparable(r) for r in play_many(jobs, concurrency=concurrency, progress=False)] == sequential


def test_an_episode_plays_the_same_alone_as_among_others():
    """What makes a resumed run equal to an uninterrupted one: random agents are seeded per episode."""
    jobs = jobs_for(PAIRINGS, 5)
    together = play_many(jobs, concurrency=4, progress=False)
    for job, record in list(zip(jobs, together))[::3]:
        (alone,) = play_many([job], progress=False)
        assert comparable(alone) == comparable(record)


def test_live_episodes_waiting_on_one_agent_go_to_it_in_one_batch():
    play_many(jobs_for([("hash", "hash")], 8), concurrency=8, progress=False)
    (agent,) = HashAgent.built  # one agent per spec, shared by every episode and both seats
    assert agent.batches[0] == 8 and max(agent.batches) == 8
    HashAgent.built.clear()
    play_many(jobs_for([("hash", "hash")], 8), concurrency=1, progress=False)
    assert set(HashAgent.built[0].batches) == {1}


def test_records_name_the_job_they_come_from():
    job = EpisodeJob("chess", {"max_plies": 6}, 3, None, ("random", "hash"), "0042")
    (record,) = play_many([job], progress=False)
    data = record.to_dict()
    assert (data["game"], data["game_kwargs"], data["seed"], data["episode_id"]) == ("chess", {"max_plies": 6}, 3, "0042")
    assert data["agents"] == {"white": "random", "black": "hash"}
    assert data["num_steps"] <= 6


def test_the_instance_option_reaches_reset():
    jobs = [EpisodeJob("dialogue/taboo", {}, 0, {"instance": i}, ("hash", "hash"), f"i{i}") for i in (0, 5)]
    records = play_many(jobs, concurrency=2, progress=False)
    assert [r.options for r in records] == [{"instance": 0}, {"instance": 5}]
    for index, record in zip((0, 5), records):
        env, _ = next(replay(record.to_dict()))
        assert env.instance == env.instance_set.entries()[index][1]
        assert env.instance["target_word"] in record.steps[0].observation


def test_a_job_is_plain_and_picklable():
    job = EpisodeJob(TTT, {"max_illegal_actions": 1}, 7, {"instance": 2}, ["random", "hash:0.1"], "0007")
    assert pickle.loads(pickle.dumps(job)) == job
    assert job.player_specs == ("random", "hash:0.1") and job.agent_seed(1) == 7001


@pytest.mark.parametrize("kwargs, message", [
    ({"player_specs": ()}, "agent spec"),
    ({"player_specs": ("random", " ")}, "agent spec"),
    ({"episode_id": "../escape"}, "episode id"),
    ({"episode_id": ""}, "episode id"),
    ({"seed": "1"}, "seed"),
    ({"game": ""}, "game"),
])
def test_bad_jobs_are_refused(kwargs, message):
    fields = {"game": TTT, "player_specs": ("random", "random"), "episode_id": "0000", **kwargs}
    with pytest.raises(ValueError, match=message):
        EpisodeJob(**fields)


def test_bad_runs_are_refused_before_anything_is_played(tmp_path):
    store = ResultsStore(tmp_path, "bad")
    with pytest.raises(ValueError, match="concurrency"):
        play_many(jobs_for([("random", "random")], 1), concurrency=0)
    with pytest.raises(ValueError, match="share the episode id"):
        play_many(jobs_for([("random", "random")], 1) * 2, progress=False)
    with pytest.raises(AgentBuildError, match="'nobody:1'"):
        play_many(jobs_for([("random", "random")], 3) + jobs_for([("random", "nobody:1")], 1), results=store,
                  progress=False)
    with pytest.raises(AgentBuildError, match="takes no argument"):
        play_many(jobs_for([("random:3", "random")], 1), results=store, progress=False)
    with pytest.raises(GameBuildError, match="3 players|2 players"):
        play_many(jobs_for([("random", "random", "random")], 1), results=store, progress=False)
    with pytest.raises(GameBuildError, match="unknown game"):
        play_many(jobs_for([("random", "random")], 1, game="no_such_game"), results=store, progress=False)
    assert not store.run_dir.exists()


def test_an_agent_that_raises_stops_the_run_with_its_name(tmp_path):
    class Broken(HashAgent):
        def decide(self, observation):
            raise ValueError("cannot play this")

    with pytest.raises(AgentError, match=r"'hash'.*tic_tac_toe.*cannot play this"):
        play_many(jobs_for([("random", "hash")], 2), agents={"hash": Broken()}, progress=False)


def test_prebuilt_agents_are_used_and_left_open():
    mine = HashAgent()
    play_many(jobs_for([("hash", "random")], 3), concurrency=3, agents={"hash": mine}, progress=False)
    assert sum(mine.batches) > 0 and not mine.closed
    assert HashAgent.built == []


def test_agents_built_for_a_run_are_closed_at_its_end():
    play_many(jobs_for([("hash", "random")], 2), progress=False)
    assert [a.closed for a in HashAgent.built] == [True]


def test_resume_skips_finished_episodes_and_plays_the_rest(tmp_path):
    jobs = jobs_for(PAIRINGS, 4)
    store = ResultsStore(tmp_path, "run")
    first = play_many(jobs[::2], results=store, progress=False)
    assert len(first) == len(jobs) // 2
    second = play_many(jobs, concurrency=4, results=store, progress=False)
    assert len(second) == len(jobs) - len(first)  # only the missing ones were played
    reference = {(r["game"], tuple(r["agents"].values()), r["episode_id"]): comparable(r)
                 for r in map(lambda r: r.to_dict(), play_many(jobs, progress=False))}
    stored = load_episodes(store.run_dir)
    assert len(stored) == len(jobs)
    assert {(r["game"], tuple(r["agents"].values()), r["episode_id"]): comparable(r) for r in stored} == reference
    assert play_many(jobs, results=store, progress=False) == []


def test_ctrl_c_keeps_finished_episodes_whole_and_a_rerun_completes_the_run(tmp_path):
    jobs = jobs_for([("interrupt:30", "random")], 12)
    store = ResultsStore(tmp_path, "run")
    with pytest.raises(KeyboardInterrupt):
        play_many(jobs, concurrency=2, results=store, progress=False)
    files = sorted(store.run_dir.rglob(EPISODE_FILE))
    assert 0 < len(files) < len(jobs)
    assert all(json.loads(f.read_text())["episode_id"] == f.parent.name for f in files)
    assert not [p for p in store.run_dir.rglob("*") if p.name.endswith(".tmp")]
    assert HashAgent.built[0].closed  # agents are closed on the way out
    finished = {f.parent.name for f in files}
    resumed = play_many(jobs, concurrency=2, results=store, progress=False,
                        agents={"interrupt:30": HashAgent()})  # the same moves, without the Ctrl-C
    assert {r.episode_id for r in resumed} == {j.episode_id for j in jobs} - finished
    assert len(load_episodes(store.run_dir)) == len(jobs)


def test_an_executor_is_a_pluggable_function():
    seen = []

    def one_by_one(jobs, *, concurrency, on_record, on_ready=None, agents=None):
        import llm_arena_env
        from llm_arena_env.agents.specs import make_agent

        for job in jobs:
            seen.append(job)
            env = llm_arena_env.make(job.game, **job.game_kwargs)
            seats = [make_agent(s, seed=job.agent_seed(i)) for i, s in enumerate(job.player_specs)]
            on_record(job, play_episode(env, seats, job.seed, job.options, game=job.game,
                                        game_kwargs=job.game_kwargs, episode_id=job.episode_id))

    jobs = jobs_for([("random", "hash")], 3)
    register_executor("one-by-one", one_by_one)
    by_name = play_many(jobs, executor="one-by-one", progress=False)
    assert seen == jobs
    assert [comparable(r) for r in by_name] == [comparable(r) for r in play_many(jobs, concurrency=3, progress=False)]
    with pytest.raises(ValueError, match="unknown executor"):
        play_many(jobs, executor="nowhere")


def test_the_progress_bar_counts_episodes_and_tokens(capsys):
    play_many(jobs_for([("hash", "hash")], 3), progress=True)
    err = capsys.readouterr().err
    assert "3/3" in err and "episode/s" in err and "tokens in 0 out" in err
