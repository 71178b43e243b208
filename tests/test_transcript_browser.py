"""Transcripts in a real browser: headless Chromium (Debian's ``chromium``) loads the pages from file://,
runs whatever it would run, and we read back the DOM it built and a screenshot."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from llm_arena_env.arena.transcript import write_episode_html, write_index_html
from tests.test_transcript import (
    HOSTILE,
    Page,
    assert_nothing_injected,
    hostile_dialogue_record,
    tic_tac_toe_record,
    write_run,
)

CHROMIUM = next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium binary on PATH: `apt-get install chromium` (scripts/setup.sh dev does)"
)


def chromium(page: Path, profile: Path, *extra: str) -> str:
    """Run headless Chromium on ``page`` with no network, sync or first-run machinery; returns stdout."""
    command = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={profile}", "--hide-scrollbars", *extra, page.resolve().as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_the_browser_shows_hostile_text_as_text_and_runs_nothing(tmp_path):
    path = write_episode_html(hostile_dialogue_record(), tmp_path / "episode")
    dom = chromium(path, tmp_path / "profile", "--dump-dom")
    page = Page(dom)
    assert_nothing_injected(page)  # the DOM after the browser ran everything it would run
    title = re.search(r"<title>(.*?)</title>", dom, re.DOTALL)
    assert title and "PWNED" not in title.group(1)  # the hostile script would have set it
    assert "data-pwned" not in dom  # the hostile onerror handler would have set it
    assert page.count("script") == 0
    for text in HOSTILE:
        assert text in page.text
    assert "Game master \u2192 describer" in page.text and "describer success" in page.text


def test_the_browser_shows_the_moves_boards_and_outcomes(tmp_path):
    path = write_episode_html(tic_tac_toe_record(), tmp_path / "episode")
    page = Page(chromium(path, tmp_path / "profile", "--dump-dom"))
    assert_nothing_injected(page)
    for move in ("x(0,0)", "x(9,9)", "o(0,1)", "x(1,0)", "o(1,1)", "x(2,0)"):
        assert move in page.text
    assert "player_0 win" in page.text and "player_1 loss" in page.text
    assert page.count("img") == 6 and page.count("section", "rejected") == 1

    screenshot = tmp_path / "page.png"
    chromium(path, tmp_path / "profile", "--window-size=1000,900", f"--screenshot={screenshot}")
    with Image.open(screenshot) as image:
        assert image.size == (1000, 900)
        colours = image.convert("RGB").getcolors(maxcolors=1_000_000)
    assert len(colours) > 50  # text, badges and boards drawn, not a blank or error page


def test_the_browser_shows_the_run_index_with_links(tmp_path):
    run = write_run(tmp_path)
    page = Page(chromium(write_index_html(run), tmp_path / "profile", "--dump-dom"))
    assert_nothing_injected(page)
    assert sum(1 for tag, _ in page.tags if tag == "a") == 3
    assert "player_0 win" in page.text and "Unreadable episodes" in page.text
