"""Every field of a record that a page shows is escaped: filled with hostile text, no page runs or injects any.

The pages are jinja2 templates with autoescape on; these tests fill every field of a record (ids, player and
agent names, moves, raw outputs, reasoning, feedback, errors, score keys, instance fields, ...) with text that
would be markup if it slipped through, and check each one comes out as literal text and nothing else."""

from __future__ import annotations

import html
import json
import re

import pytest

from llm_arena_env.arena.transcript import episode_html, index_html
from tests.test_transcript import Page, assert_nothing_injected


def hostile(field: str) -> str:
    """Markup, both quotes and an entity, named after the field it goes into (short enough for any table cell)."""
    return f"<script>alert('{field}')</script>\"&amp;' x=\"{field}"


PLAYER, OTHER = hostile("player"), hostile("other")


def attempt(tag: str) -> dict:
    return {"raw_output": hostile(f"raw_output{tag}"), "parsed": hostile(f"parsed{tag}"), "legal": False,
            "reason": hostile(f"reason{tag}"), "feedback": hostile(f"feedback{tag}"), "error_kind": hostile(f"kind{tag}"),
            "reasoning": hostile(f"reasoning{tag}"), "reasoning_tokens": 3, "votes": {hostile(f"vote{tag}"): 2},
            "prompt": [{"role": hostile(f"role{tag}"), "content": hostile(f"content{tag}")}]}


def record(game: str = "no-such-game", **changes) -> dict:
    """A record (as episode.json holds it) in which every text field a page can show is hostile."""
    data = {
        "game": game, "seed": 7, "episode_id": hostile("episode_id"),
        "agents": {PLAYER: hostile("agent"), OTHER: hostile("other_agent")},
        "steps": [{"player": PLAYER, "observation": hostile("observation"), "action": hostile("action"),
                   "accepted": False, "rejection": hostile("rejection"),
                   "decision": {"action": hostile("action"), "attempts": [attempt("1"), attempt("2")]}},
                  {"player": OTHER, "observation": hostile("observation2"), "action": hostile("action2"),
                   "accepted": True, "decision": {"action": hostile("action2"), "attempts": []}}],
        "rewards": {PLAYER: -1.0, OTHER: 1.0}, "outcomes": {PLAYER: "loss", OTHER: "win"},
        "end_reason": "illegal_action", "end_detail": hostile("end_detail"),
        "scores": {hostile("score_key"): 1.0, "Main Score": hostile("score_value")},
        "num_steps": 2, "seconds": 1.5,
        "game_kwargs": {hostile("kwarg_key"): hostile("kwarg_value")},
        "options": {"instance": {hostile("instance_key"): [hostile("instance_value")]}},
        "teams": {PLAYER: hostile("team")}, "pgn": hostile("pgn"),
    }
    return {**data, **changes}


SHOWN = ["player", "other", "agent", "other_agent", "episode_id", "observation", "observation2", "action", "action2",
         "rejection", "end_detail", "score_key", "score_value", "pgn",
         *(f"{name}{tag}" for tag in "12" for name in
           ("raw_output", "parsed", "reason", "feedback", "kind", "reasoning", "vote", "role", "content"))]
AS_JSON = ["kwarg_key", "kwarg_value", "instance_key", "instance_value"]  # shown as the JSON they are


def assert_escaped(page_html: str) -> Page:
    """No hostile text is markup: no script element, no attribute it added; the raw page holds none of it."""
    page = Page(page_html)
    assert_nothing_injected(page)
    assert page.count("script") == 0 and "<script" not in page_html
    assert not [attrs for _, attrs in page.tags if "x" in attrs]  # a quote that closed an attribute
    assert "alert(" not in "".join(str(attrs) for _, attrs in page.tags if _ != "img")
    return page


@pytest.mark.parametrize("game", ["no-such-game", "openspiel/tic_tac_toe", "dialogue/taboo"])
def test_every_field_of_the_record_is_shown_as_literal_text(game):
    page = assert_escaped(episode_html(record(game)))
    shown = [f for f in SHOWN if not (f == "pgn" and game.startswith("dialogue/"))]  # a board game's moves
    missing = [field for field in shown if hostile(field) not in page.text]
    missing += [field for field in AS_JSON if json.dumps(hostile(field))[1:-1] not in page.text]
    assert not missing, f"not shown as literal text: {missing}"


def test_a_transport_error_is_escaped_too():
    error = {"player": PLAYER, "agent": hostile("error_agent"), "kind": hostile("error_kind"),
             "message": hostile("error_message")}
    data = record(outcomes={PLAYER: "error", OTHER: "error"}, end_reason="error", error=error)
    page = assert_escaped(episode_html(data))
    assert all(hostile(f) in page.text for f in ("error_agent", "error_kind", "error_message", "player"))


def test_the_heading_and_title_show_the_game_id_escaped():
    page_html = episode_html(record())
    heading = re.search(r"<h1>(.*?)</h1>", page_html, re.DOTALL)[1]
    assert "<" not in heading and html.unescape(heading) == "no-such-game"
    game = hostile("game")
    page_html = episode_html(record(game))
    heading = re.search(r"<h1>(.*?)</h1>", page_html, re.DOTALL)[1]
    assert "<" not in heading and '"' not in heading and html.unescape(heading) == game
    title = re.search(r"<title>(.*?)</title>", page_html, re.DOTALL)[1]
    assert "<" not in title and html.unescape(title) == f"{game} \u00b7 {hostile('episode_id')}"
    assert_escaped(page_html)


def test_the_run_index_escapes_every_field_it_shows(tmp_path):
    game = hostile("game")
    for folder, data in (("a/b/0000", record(game)), ("a/b/0001", record("openspiel/tic_tac_toe"))):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "episode.json").write_text(json.dumps(data), "utf-8")
    (tmp_path / "a/b/0002").mkdir()
    (tmp_path / "a/b/0002/episode.json").write_text(json.dumps(record(outcomes={PLAYER: hostile("outcome")})))
    page_html = index_html(tmp_path)
    page = assert_escaped(page_html)
    headings = [html.unescape(h) for h in re.findall(r"<h2>(.*?)</h2>", page_html, re.DOTALL)]
    assert game in headings and not any("<" in h for h in re.findall(r"<h2>(.*?)</h2>", page_html))
    assert all(hostile(f) in page.text for f in ("player", "agent", "other_agent", "end_detail", "game"))
    assert f"unknown outcome {hostile('outcome')!r}" in page.text  # the unreadable one, and why


def test_data_that_is_no_record_gets_a_page_that_names_the_problem_escaped():
    page = assert_escaped(episode_html(record(outcomes={PLAYER: hostile("outcome")})))
    assert "cannot be shown as an episode" in page.text and f"unknown outcome {hostile('outcome')!r}" in page.text
