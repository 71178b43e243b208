"""The results directory: layout, atomic writes, the manifest, resume checks, reading back."""

from __future__ import annotations

import json
import os
import warnings

import pytest

from llm_arena_env.arena import transcript
from llm_arena_env.arena.files import atomic_write
from llm_arena_env.arena.results import (
    EPISODE_FILE,
    MANIFEST_FILE,
    CorruptEpisodeWarning,
    ResultsConflictError,
    ResultsStore,
    folder_name,
    game_folder,
    load_episodes,
    pairing_folder,
)
from llm_arena_env.arena.runner import EpisodeJob, play_many
from tests.arena_agents import no_html, registered

TTT = "openspiel/tic_tac_toe"


def job(k: int = 0, specs=("random", "random"), **changes) -> EpisodeJob:
    fields = {"game": TTT, "game_kwargs": {}, "seed": k, "options": None, "player_specs": specs,
              "episode_id": f"{k:04d}", **changes}
    return EpisodeJob(**fields)


def played(store: ResultsStore, jobs) -> list:
    return play_many(jobs, results=store, progress=False)


@pytest.fixture
def no_transcripts(monkeypatch):
    """Episodes without the transcript module, so these tests see only what the store itself writes."""
    no_html(monkeypatch)


def test_the_layout_is_run_game_pairing_episode(tmp_path, no_transcripts):
    store = ResultsStore(tmp_path, "my-run")
    with registered():
        played(store, [job(0), job(1, ("random", "hash:0"), game="chess", game_kwargs={"max_plies": 4})])
    files = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert files == [
        "my-run/chess/random__vs__hash-0/0001/episode.json",
        "my-run/openspiel__tic_tac_toe/random__vs__random/0000/episode.json",
    ]


def test_folder_names_are_safe_and_keep_no_secrets():
    assert game_folder("openspiel/tic_tac_toe") == "openspiel__tic_tac_toe"
    assert pairing_folder(["random", "stockfish:1"]) == "random__vs__stockfish-1"
    assert folder_name("../../etc") not in ("..", ".") and "/" not in folder_name("../../etc")
    assert folder_name("..") == "_" and folder_name("") == "_"
    leaky = pairing_folder(["openai:gpt@https://me:sk-abcdefghijkl123@host/v1", "random"])
    assert "sk-abc" not in leaky and "me" not in leaky.split("__vs__")[0].split("-") and "/" not in leaky
    assert len(folder_name("x" * 500)) <= 80


@pytest.mark.parametrize("name", ["", "a/b", "..", "my run", "x" * 200])
def test_a_run_name_is_one_plain_folder(tmp_path, name):
    with pytest.raises(ValueError, match="run name"):
        ResultsStore(tmp_path, name)


def test_an_episode_file_is_the_whole_record(tmp_path, no_transcripts):
    store = ResultsStore(tmp_path, "run")
    (record,) = played(store, [job(3)])
    (file,) = tmp_path.rglob(EPISODE_FILE)
    assert json.loads(file.read_text(encoding="utf-8")) == json.loads(json.dumps(record.to_dict()))


def test_the_manifest_comes_with_the_first_episode_and_masks_secrets(tmp_path, no_transcripts):
    store = ResultsStore(tmp_path, "run")
    config = {"players": ["openai:m@https://user:hunter2@host/v1", "random"], "game_args": {"api_key": "sk-x"}}
    store.manifest_on_first_episode(config)
    assert not store.run_dir.exists()  # nothing is written for a run that plays nothing
    played(store, [job(0)])
    text = (store.run_dir / MANIFEST_FILE).read_text()
    assert "hunter2" not in text and "sk-x" not in text
    manifest = json.loads(text)
    assert manifest["run_name"] == "run" and manifest["config"]["players"][1] == "random"
    created = manifest["created"]
    store.write_manifest({"players": ["random"]})
    again = json.loads((store.run_dir / MANIFEST_FILE).read_text())
    assert again["created"] == created and again["config"] == {"players": ["random"]}


def test_an_interrupted_write_leaves_the_old_file_and_no_temporary_one(tmp_path, monkeypatch):
    target = tmp_path / "episode.json"
    atomic_write(target, "old")

    def interrupted(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        atomic_write(target, "new")
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["episode.json"]


def test_a_temporary_file_left_by_a_killed_run_is_cleaned_up(tmp_path, no_transcripts):
    store = ResultsStore(tmp_path, "run")
    folder = store.episode_dir(job(0))
    folder.mkdir(parents=True)
    (folder / ".episode.json.abc123.tmp").write_text('{"game": "half')
    assert not store.finished(job(0))
    played(store, [job(0)])
    assert sorted(p.name for p in folder.iterdir()) == [EPISODE_FILE]


@pytest.mark.parametrize("content", ['{"game": "openspiel/tic', "[1, 2]", '{"game": "x"}', "\udcff"])
def test_a_corrupt_episode_is_skipped_with_a_warning_and_played_again(tmp_path, no_transcripts, content):
    store = ResultsStore(tmp_path, "run")
    played(store, [job(0), job(1)])
    broken = store.episode_dir(job(1)) / EPISODE_FILE
    broken.write_text(content, encoding="utf-8", errors="surrogateescape")
    with pytest.warns(CorruptEpisodeWarning, match="skipping"):
        assert [r["episode_id"] for r in load_episodes(tmp_path)] == ["0000"]
    with pytest.warns(CorruptEpisodeWarning):
        replayed = played(ResultsStore(tmp_path, "run"), [job(0), job(1)])  # the same run, started again
    assert [r.episode_id for r in replayed] == ["0001"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(load_episodes(store.run_dir)) == 2


def test_an_episode_from_other_settings_is_a_conflict_not_a_resume(tmp_path, no_transcripts):
    store = ResultsStore(tmp_path, "run")
    played(store, [job(0)])
    for other in (job(0, seed=9), job(0, game_kwargs={"max_illegal_actions": 1}), job(0, options={"x": 1})):
        with pytest.raises(ResultsConflictError, match="other settings"):
            store.finished(other)
    assert store.finished(job(0))


def test_load_episodes_reads_a_root_a_run_or_one_file(tmp_path, no_transcripts):
    played(ResultsStore(tmp_path, "a"), [job(0), job(1)])
    played(ResultsStore(tmp_path, "b"), [job(2)])
    assert len(load_episodes(tmp_path)) == 3
    assert len(load_episodes(tmp_path / "a")) == 2
    one = next((tmp_path / "b").rglob(EPISODE_FILE))
    assert load_episodes(one)[0]["episode_id"] == "0002"
    with pytest.raises(FileNotFoundError, match="no results folder"):
        load_episodes(tmp_path / "missing")


def test_a_failing_transcript_never_costs_the_episode(tmp_path, monkeypatch):
    def write_episode_html(record, folder):
        (folder / "transcript.html").write_text("<p>half")
        raise RuntimeError("no fonts")

    monkeypatch.setattr(transcript, "write_episode_html", write_episode_html)
    store = ResultsStore(tmp_path, "run")
    with pytest.warns(RuntimeWarning, match="no fonts"):
        played(store, [job(0), job(1)])
    assert store.transcript_failures == 2 and "no fonts" in store.first_transcript_error
    assert len(load_episodes(store.run_dir)) == 2


def test_the_transcript_is_written_beside_the_episode(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(transcript, "write_episode_html",
                        lambda record, folder: calls.append((record.episode_id, folder)))
    store = ResultsStore(tmp_path, "run")
    played(store, [job(4)])
    assert calls == [("0004", store.episode_dir(job(4)))]


def test_transcripts_off_writes_the_episodes_only(tmp_path):
    store = ResultsStore(tmp_path, "run", transcripts=False)
    played(store, [job(0)])
    store.write_index()
    written = sorted(p.name for p in store.run_dir.rglob("*") if p.is_file())
    assert written == [EPISODE_FILE]
    assert store.transcript_failures == 0
    on = ResultsStore(tmp_path, "on")
    played(on, [job(0)])
    on.write_index()
    assert (on.episode_dir(job(0)) / "transcript.html").is_file() and (on.run_dir / "index.html").is_file()


def test_aborted_dialogue_episodes_with_nan_scores_are_stored_and_read_back(tmp_path):
    """clembench's Main Score is NaN when an episode aborts: the file must still be valid JSON."""
    store = ResultsStore(tmp_path, "taboo-run")
    jobs = [job(k, game="dialogue/taboo") for k in range(3)]
    played(store, jobs)
    loaded = load_episodes(tmp_path)
    assert len(loaded) == 3
    assert any(e["scores"]["Aborted"] == 1 and e["scores"]["Main Score"] is None for e in loaded)
    assert all(store.finished(j) for j in jobs)  # so a rerun resumes instead of replaying them
