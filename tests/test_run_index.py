"""The run index at scale: a summary per game on top, episode lists sorted and filtered by CSS alone."""

from __future__ import annotations

import json
import re

import llm_arena_env
from llm_arena_env.agents.specs import make_agent
from llm_arena_env.arena.episode import play_episode
from llm_arena_env.arena.transcript import _CSP, index_html, stylesheet, write_episode_html

from tests.test_transcript import Page, assert_nothing_injected


def write_run(root, episodes=60):
    """tic-tac-toe episodes between random players, every fourth recorded as a forfeit."""
    env = llm_arena_env.make("openspiel/tic_tac_toe")
    for i in range(episodes):
        players = [make_agent("random", seed=i), make_agent("random", seed=i + 1)]
        record = play_episode(env, players, seed=i, game="openspiel/tic_tac_toe").to_dict()
        if i % 4 == 0:  # a forfeit: the recorded ending of a player who broke the rules
            record.update(end_reason="illegal_action", outcomes={"player_0": "loss", "player_1": "win"})
        folder = root / "openspiel__tic_tac_toe" / "random__vs__random" / f"{i:04d}"
        folder.mkdir(parents=True)
        (folder / "episode.json").write_text(json.dumps(record))
    return root


def test_the_summary_counts_each_game_and_the_lists_fold_when_long(tmp_path):
    run = write_run(tmp_path)
    page = Page(index_html(run))
    assert_nothing_injected(page)
    text = page.text
    assert "Summary" in text and "played to the end" in text
    row = re.search(r"openspiel/tic_tac_toe\s*60\s*(.*?)\s*75%", text)  # 45 of 60 played to the end
    assert row, text[:2000]
    assert page.count("details") >= 1 and "60 episodes" in text  # more than 50: folded under the summary
    assert sum(1 for tag, _ in page.tags if tag == "a") == 60


def test_sorting_and_filtering_need_no_script_and_keep_the_policy(tmp_path):
    html = index_html(write_run(tmp_path, episodes=8))
    assert "<script" not in html and f'content="{_CSP}"' in html
    section = html[html.index('<section class="game">'):]
    # every radio button is a sibling before the rows: the stylesheet's "input:checked ~ .rows" reaches them
    before_rows = section[: section.index('<div class="rows">')]
    assert before_rows.count("<input") >= 5 and "<div" not in before_rows.split("<input", 1)[1]
    rows = re.findall(r'<div class="row ([^"]*)" style="--steps: (\d+); --reward: (-?\d+)"', section)
    assert len(rows) == 8 and all(kinds.startswith("o-") for kinds, _, _ in rows)
    css = stylesheet()
    for name in ("only-draw", "only-loss", "only-win", "sort-steps-down", "sort-steps-up"):
        assert f"input.{name}:checked ~ .rows" in css
        assert f'class="{name}"' in section or name == "only-draw"  # draw only where a draw happened


def test_the_index_links_each_episode_to_its_page_once_written(tmp_path):
    run = write_run(tmp_path, episodes=2)
    folder = run / "openspiel__tic_tac_toe" / "random__vs__random" / "0001"
    write_episode_html(json.loads((folder / "episode.json").read_text()), folder, images=False)
    links = sorted(a["href"] for tag, a in Page(index_html(run)).tags if tag == "a")
    assert links == ["openspiel__tic_tac_toe/random__vs__random/0000/episode.json",
                     "openspiel__tic_tac_toe/random__vs__random/0001/transcript.html"]
