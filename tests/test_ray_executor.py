"""``executor="ray"``: the same records as the local executor, the same results folder, resume, errors.

The Ray tests share one local cluster of 2 CPUs (started once for the module); without Ray they are skipped,
and the error that names the extra is tested with the import blocked.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

import pytest

from llm_arena_env.arena.config import ConfigError, GameEntry, RunConfig
from llm_arena_env.arena.ray_executor import RayNotInstalledError, ray_executor
from llm_arena_env.arena.results import EPISODE_FILE, ResultsStore, load_episodes
from llm_arena_env.arena.runner import AgentBuildError, EpisodeJob, play_many
from llm_arena_env.cli import main
from tests.arena_agents import comparable, no_html

GAMES = ("openspiel/tic_tac_toe", "openspiel/connect_four")


@pytest.fixture(autouse=True)
def no_transcripts(monkeypatch):
    no_html(monkeypatch)  # speed


@pytest.fixture(scope="module")
def ray_cluster():
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="warning")
    yield ray
    ray.shutdown()


def small_run(**fields) -> RunConfig:
    return RunConfig(games=tuple(GameEntry(g) for g in GAMES), players=("random", "random"), episodes=4, **fields)


def test_ray_plays_the_same_episodes_as_the_local_executor_and_resumes(ray_cluster, tmp_path):
    jobs = small_run().jobs()
    local = [comparable(r) for r in play_many(jobs, concurrency=3, progress=False)]
    assert len(local) == 8 and len({json.dumps(r["steps"]) for r in local}) == 8  # seeds give different games
    store = ResultsStore(tmp_path, "ray")
    played = play_many(jobs, concurrency=3, results=store, progress=False, executor="ray")
    assert [comparable(r) for r in played] == local  # outcomes, rewards, every action and decision
    on_disk = [json.dumps(comparable(r), sort_keys=True) for r in load_episodes(store.run_dir)]
    assert sorted(on_disk) == sorted(json.dumps(r, sort_keys=True) for r in local)

    lost = [store.episode_dir(jobs[1]), store.episode_dir(jobs[6])]  # as if a crash had lost two episodes
    for folder in lost:
        shutil.rmtree(folder)
    store = ResultsStore(tmp_path, "ray")  # a re-run: a new process, a new store
    resumed = play_many(jobs, results=store, progress=False, executor=ray_executor(num_workers=2))
    assert [comparable(r) for r in resumed] == [local[1], local[6]]
    assert len(list(store.run_dir.rglob(EPISODE_FILE))) == len(jobs)
    assert play_many(jobs, results=ResultsStore(tmp_path, "ray"), progress=False, executor="ray") == []


class InterruptedStore(ResultsStore):
    """A store whose driver gets Ctrl-C while writing its third episode."""

    def write_episode(self, job, record):
        if len(list(self.run_dir.rglob(EPISODE_FILE))) == 2:
            raise KeyboardInterrupt
        return super().write_episode(job, record)


def test_ctrl_c_keeps_what_arrived_and_stops_the_workers(ray_cluster, tmp_path):
    jobs = small_run().jobs()
    with pytest.raises(KeyboardInterrupt):
        play_many(jobs, results=InterruptedStore(tmp_path, "run"), progress=False, executor="ray")
    assert len(load_episodes(tmp_path / "run")) == 2
    # The re-run, in the same Ray session, gets the cluster's CPUs back and plays exactly the rest.
    resumed = play_many(jobs, concurrency=2, results=ResultsStore(tmp_path, "run"), progress=False,
                        executor="ray")
    assert len(resumed) == len(jobs) - 2 and len(load_episodes(tmp_path / "run")) == len(jobs)


def test_a_bad_agent_spec_fails_before_anything_is_played(ray_cluster, tmp_path):
    jobs = [EpisodeJob(GAMES[0], seed=0, player_specs=("random", "openai"))]  # openai needs a model name
    with pytest.raises(AgentBuildError, match="openai"):
        play_many(jobs, results=ResultsStore(tmp_path, "bad"), progress=False, executor="ray")
    assert not (tmp_path / "bad").exists()


def test_the_cli_runs_on_ray_into_the_same_folder(ray_cluster, tmp_path, capsys):
    argv = ["run", *GAMES, "--players", "random", "random", "--episodes", "2", "--results-root", str(tmp_path),
            "--no-progress"]
    assert main(argv + ["--executor", "ray", "--concurrency", "2"]) == 0, capsys.readouterr().err
    records = load_episodes(tmp_path)
    assert len(records) == 4 and {r["game"] for r in records} == set(GAMES)
    manifest = json.loads(next(tmp_path.rglob("run.json")).read_text())
    assert manifest["config"]["executor"] == "ray"
    capsys.readouterr()
    assert main(argv) == 0  # the local executor finds the same run folder: nothing left to play
    assert "(4 already played)" in capsys.readouterr().err and len(load_episodes(tmp_path)) == 4


def test_without_ray_the_error_names_the_extra(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` now fails, as where it is not installed
    jobs = [EpisodeJob(GAMES[0], seed=0, player_specs=("random", "random"))]
    message = "executor 'ray' needs Ray: pip install 'llm-arena-env[ray]'"
    with pytest.raises(RayNotInstalledError, match=re.escape(message)):
        play_many(jobs, results=ResultsStore(tmp_path, "r"), progress=False, executor="ray")
    assert not (tmp_path / "r").exists()


def test_ready_made_agents_and_bad_settings_are_refused():
    jobs = [EpisodeJob(GAMES[0], seed=0, player_specs=("random", "random"))]
    with pytest.raises(ValueError, match="local executor"):
        play_many(jobs, progress=False, executor="ray", agents={"random": object()})
    with pytest.raises(ValueError, match="num_cpus"):
        play_many(jobs, progress=False, executor=ray_executor("auto", num_cpus=2))
    with pytest.raises(ValueError, match="num_workers"):
        play_many(jobs, progress=False, executor=ray_executor(num_workers=0))


def test_the_config_file_takes_the_executor_fields():
    config = RunConfig.from_mapping({"games": [GAMES[0]], "players": ["random", "random"], "executor": "ray",
                                     "ray-address": "auto"})
    assert (config.executor, config.ray_address) == ("ray", "auto")
    assert config.name == RunConfig.from_mapping({"games": [GAMES[0]], "players": ["random", "random"]}).name
    assert RunConfig.from_mapping(config.to_dict()) == config
    with pytest.raises(ConfigError, match="'executor' must be one of 'local', 'ray', got 'dask'"):
        RunConfig.from_mapping({"games": [GAMES[0]], "players": ["random", "random"], "executor": "dask"})
    with pytest.raises(ConfigError, match="'ray_address' applies only with executor"):
        RunConfig.from_mapping({"games": [GAMES[0]], "players": ["random", "random"], "ray_address": "auto"})


def test_importing_the_package_does_not_import_ray():
    code = ("import sys, llm_arena_env, llm_arena_env.arena.runner, llm_arena_env.arena.ray_executor, "
            "llm_arena_env.cli; assert 'ray' not in sys.modules, 'ray was imported'")
    subprocess.run([sys.executable, "-c", code], check=True)
