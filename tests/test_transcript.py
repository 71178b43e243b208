"""HTML transcripts: hostile model text stays text, dialogue bubbles, board images by replay, run index, CLI."""

from __future__ import annotations

import base64
import io
import json
import stat
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PIL import Image

import llm_arena_env
from llm_arena_env.agents.base import Attempt, BaseAgent, Decision
from llm_arena_env.agents.specs import make_agent
from llm_arena_env.arena.episode import play_episode
from llm_arena_env.arena.transcript import (
    MAX_FIELD_CHARS,
    attempt_html,
    board_frames,
    episode_html,
    index_html,
    write_episode_html,
    write_index_html,
)
from llm_arena_env.cli import main

APPLE = {"target_word": "apple", "related_word": ["fruit", "tree", "pie"]}
SCRIPT = "<script>document.title='PWNED'</script>"
IMG = "\"><img id=pwned src=x onerror=\"document.body.dataset.pwned=1\">"
ATTR = "' onmouseover='alert(3)"
BREAKOUT = "</pre></details></div><b>bold</b>"
UNICODE = "Ünïcödé ☃ 𝄞 \u202eevil\u202c 中文"
HOSTILE = (SCRIPT, IMG, ATTR, BREAKOUT, UNICODE)
ALLOWED_TAGS = {
    "html", "head", "meta", "title", "style", "body", "header", "main", "footer", "h1", "h2", "h3", "h4", "p",
    "table", "tbody", "tr", "th", "td", "details", "summary", "div", "pre", "span", "section", "figure", "figcaption",
    "img", "strong", "br", "ul", "li", "a", "input", "label",  # radio buttons that sort and filter, by CSS alone
}


class Page(HTMLParser):
    """Tags, attributes and text of a page, as a browser's parser would see them."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.chunks: list[str] = []
        self.feed(text)
        self.close()
        self.text = "".join(self.chunks)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        # the line breaks between elements that keep the templates readable show as one space, as in a browser
        self.chunks.append(data if data.strip() else " ")

    def count(self, tag: str, css: str = "") -> int:
        return sum(1 for t, a in self.tags if t == tag and (not css or css in (a.get("class") or "").split()))

    def images(self) -> list[Image.Image]:
        prefix = "data:image/png;base64,"
        return [Image.open(io.BytesIO(base64.b64decode(a["src"][len(prefix):]))) for t, a in self.tags if t == "img"]


def assert_nothing_injected(page: Page) -> None:
    for tag, attrs in page.tags:
        assert tag in ALLOWED_TAGS, f"unexpected element <{tag}>"
        assert not [name for name in attrs if name.startswith("on")], f"event handler on <{tag}>: {attrs}"
        assert attrs.get("id") != "pwned"
        if tag == "img":
            assert attrs["src"].startswith("data:image/png;base64,")
        if tag == "input":
            assert attrs.get("type") == "radio" and "form" not in attrs
        if tag == "a":
            assert ":" not in attrs["href"], "links stay inside the results folder"


class Scripted(BaseAgent):
    """Plays the given actions in order; every decision carries the given raw output, reasoning, prompt..."""

    def __init__(self, actions, **attempt):
        self.actions = list(actions)
        self.attempt = attempt

    def decide(self, observation):
        action = self.actions.pop(0)
        failed = Attempt(raw_output=self.attempt.get("raw_output", action), parsed=None, reason=ATTR,
                         feedback=BREAKOUT)
        final = Attempt(parsed=action, legal=True, prompt_tokens=12, completion_tokens=5, latency_s=0.25,
                        **{"raw_output": action, **self.attempt})
        return Decision(action, (failed, final))


def hostile_dialogue_record() -> dict:
    """A taboo episode in which every field a model or env writes carries hostile text."""
    hostile = "\n".join(HOSTILE)
    attempt = dict(raw_output=f"I think... {hostile}\x00\x07", reasoning=hostile, votes={SCRIPT: 2, "apple": 1},
                   prompt=({"role": "system", "content": hostile}, {"role": IMG, "content": "hi"}))
    env = llm_arena_env.make("dialogue/taboo")
    describer = Scripted([f"CLUE: {SCRIPT} {IMG} {UNICODE}"], **attempt)
    guesser = Scripted(["GUESS: apple"], **attempt)
    record = play_episode(env, [describer, guesser], seed=0, options={"instance": APPLE},
                          game="dialogue/taboo", episode_id=f"0001{IMG}").to_dict()
    record["agents"] = {"describer": f"openai:{SCRIPT}", "guesser": IMG}
    record["end_detail"] = BREAKOUT + " \ud800 lone surrogate"
    record["scores"][ATTR] = float("nan")
    return record


def tic_tac_toe_record(**attempt) -> dict:
    """x wins down the left column; o's first try is rejected and asked again."""
    env = llm_arena_env.make("openspiel/tic_tac_toe", max_illegal_actions=1)
    x = Scripted(["x(0,0)", "x(1,0)", "x(2,0)"], **attempt)
    o = Scripted(["x(9,9)", "o(0,1)", "o(1,1)"], **attempt)
    return play_episode(env, [x, o], seed=0, game="openspiel/tic_tac_toe",
                        game_kwargs={"max_illegal_actions": 1}, episode_id="0000").to_dict()


# ------------------------------------------------------------------------------------------ escaping


def test_hostile_model_text_is_shown_literally_and_nothing_is_injected():
    record = hostile_dialogue_record()
    page = Page(episode_html(record))
    assert_nothing_injected(page)
    for text in HOSTILE:
        assert text in page.text
    assert "\u2400\u2407" in page.text  # NUL and BEL shown as control pictures
    assert "\ufffd lone surrogate" in page.text
    assert page.count("script") == 0 and page.count("b") == 0


def test_hostile_text_in_a_board_game_is_escaped_too(tmp_path):
    record = tic_tac_toe_record(raw_output=f"{SCRIPT}{IMG}", reasoning=BREAKOUT)
    path = write_episode_html(record, tmp_path)
    page = Page(path.read_text("utf-8"))
    assert_nothing_injected(page)
    assert SCRIPT + IMG in page.text and BREAKOUT in page.text


def test_huge_fields_are_cut_with_a_visible_note():
    record = tic_tac_toe_record(raw_output="A" * 1_000_000 + SCRIPT)
    text = episode_html(record, images=False)
    page = Page(text)
    assert_nothing_injected(page)
    assert f"truncated: showing the first {MAX_FIELD_CHARS:,} of {1_000_000 + len(SCRIPT):,} characters" in page.text
    assert SCRIPT not in page.text  # it lay beyond the cut
    assert len(text) < 50 * MAX_FIELD_CHARS  # 7 steps x 1 MB would be 7 MB


def test_pages_are_written_whole_and_readable_by_others(tmp_path):
    path = write_episode_html(hostile_dialogue_record(), tmp_path / "new" / "folder")
    assert path == tmp_path / "new" / "folder" / "transcript.html"
    assert [p.name for p in path.parent.iterdir()] == ["transcript.html"]  # no temporary file left
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    path.read_bytes().decode("utf-8")  # valid UTF-8 even with a lone surrogate in the record


@pytest.mark.parametrize("record", [
    {},
    {"game": None, "steps": "none", "agents": ["a"], "outcomes": 3, "scores": [1]},
    {"game": "chess", "steps": [None, {"player": 1, "decision": "x", "action": None}], "seed": "s"},
    {"game": "dialogue/taboo", "steps": [{"decision": {"attempts": ["x", {"prompt": "text", "votes": [1]}]}}]},
    {"game": "openspiel/tic_tac_toe", "game_kwargs": "bad", "options": [], "seconds": "slow"},
])
def test_malformed_records_still_get_a_page(record):
    assert_nothing_injected(Page(episode_html(record)))


def test_an_attempt_shows_what_was_made_of_the_output_and_leaves_out_empty_fields():
    page = Page(attempt_html(1, Attempt(raw_output="Final Answer: e5", parsed="e5", legal=False,
                                        reason="illegal move", latency_s=0.5)))
    assert "failed" in page.text and "legalFalse" in page.text and "latency_s0.5" in page.text
    assert "reasonillegal move" in page.text
    assert "prompt_tokens" not in page.text and "feedback" not in page.text


# ------------------------------------------------------------------------------------------ dialogue


def test_dialogue_page_shows_game_master_messages_between_the_players_bubbles():
    record = hostile_dialogue_record()
    page = Page(episode_html(record))
    assert page.count("div", "gm") == 2  # one message from the game master before each reply
    assert page.count("div", "seat-even") == 1 and page.count("div", "seat-odd") == 1
    assert page.count("div", "left") == 1 and page.count("div", "right") == 1
    assert "Game master \u2192 describer" in page.text and "Game master \u2192 guesser" in page.text
    assert "Target word: apple" in page.text  # what the game master told the describer
    assert "GUESS: apple" in page.text and "success" in page.text
    assert page.count("details", "trace") == 2 and page.count("img") == 0
    assert "2 attempts, 1 failed \u00b7 12 + 5 tokens \u00b7 0.25 s" in page.text


# ------------------------------------------------------------------------------------- board images


def test_board_page_has_the_start_and_a_board_after_every_accepted_move():
    record = tic_tac_toe_record()
    accepted = [s for s in record["steps"] if s["accepted"]]
    assert len(accepted) == 5 and len(record["steps"]) == 6
    page = Page(episode_html(record))
    images = page.images()
    assert len(images) == 1 + len(accepted)
    assert all(max(image.size) <= 256 for image in images)
    assert images[0].tobytes() != images[1].tobytes()  # x's first move shows
    assert page.count("section", "rejected") == 1 and "x(9,9)" in page.text
    assert record["outcomes"] == {"player_0": "win", "player_1": "loss"}
    assert "Board images stop" not in page.text and "No board images" not in page.text


def test_grid_games_get_board_images():
    env = llm_arena_env.make("grid/sokoban")
    record = play_episode(env, [make_agent("random", seed=0)], seed=1, game="grid/sokoban").to_dict()
    assert len(Page(episode_html(record)).images()) == 1 + sum(s["accepted"] for s in record["steps"])


def test_a_replay_that_stops_matching_the_record_keeps_the_images_up_to_there():
    record = tic_tac_toe_record()
    record["steps"][3]["observation"] = "another position"
    frames = board_frames(record)
    assert frames.start is not None and sorted(frames.after) == [0, 2]  # step 2 was the rejected one
    assert frames.steps_done == 3 and "at step 4" in frames.note
    page = Page(episode_html(record))
    assert len(page.images()) == 3 and "Board images stop here: at step 4" in page.text


def test_a_record_whose_actions_the_game_now_judges_otherwise_is_noted():
    record = tic_tac_toe_record()
    record["steps"][1]["accepted"] = True  # the game rejects x(9,9)
    assert "at step 2 the replayed game rejects the action" in board_frames(record).note


def test_long_games_stop_their_images_with_a_note():
    frames = board_frames(tic_tac_toe_record(), max_frames=2)
    assert sorted(frames.after) == [0, 2] and "the boards of the first 2 moves only" in frames.note


@pytest.mark.parametrize("change, note", [
    ({"game": "no_such_game"}, "No board images: 'no_such_game' is not a registered game here."),
    ({"game_kwargs": {"no_such_argument": 1}},
     "No board images: the game 'openspiel/tic_tac_toe' could not be played again"),
    ({"steps": [{"player": "player_1", "action": "o(0,0)", "observation": ""}]}, "Board images stop here"),
])
def test_games_that_cannot_be_replayed_get_a_note_and_no_images(change, note):
    record = {**tic_tac_toe_record(), **change}
    page = Page(episode_html(record))
    assert note in page.text
    assert len(page.images()) <= 1  # at most the start


# ---------------------------------------------------------------------------------------- run index


def write_run(root: Path) -> Path:
    """A run folder as the runner writes it: run.json, then <game>/<pairing>/<episode>/episode.json."""
    run = root / "run-1"
    run.mkdir(parents=True)
    (run / "run.json").write_text("{}")
    for folder, record in (("openspiel__tic_tac_toe/x__vs__o/0000", tic_tac_toe_record()),
                           ("dialogue__taboo/a__vs__b/0001", hostile_dialogue_record()),
                           (f"dialogue__taboo/a__vs__b/0#02 {IMG}", hostile_dialogue_record())):
        (run / folder).mkdir(parents=True)
        (run / folder / "episode.json").write_text(json.dumps(record), "utf-8")
    (run / "openspiel__tic_tac_toe/x__vs__o/0009").mkdir()
    (run / "openspiel__tic_tac_toe/x__vs__o/0009/episode.json").write_text('{"game": "cut sh')
    return run


def test_index_lists_every_episode_by_game_with_players_outcomes_and_endings(tmp_path):
    run = write_run(tmp_path)
    write_episode_html(json.loads((run / "dialogue__taboo/a__vs__b/0001/episode.json").read_text()),
                       run / "dialogue__taboo/a__vs__b/0001")
    page = Page(write_index_html(run).read_text("utf-8"))
    assert_nothing_injected(page)
    links = [a["href"] for t, a in page.tags if t == "a"]
    assert links == [
        "dialogue__taboo/a__vs__b/0%2302%20%22%3E%3Cimg%20id%3Dpwned%20src%3Dx%20onerror%3D%22document.body"
        ".dataset.pwned%3D1%22%3E/episode.json",  # no page yet: the record; the odd name quoted
        "dialogue__taboo/a__vs__b/0001/transcript.html",  # written: the page
        "openspiel__tic_tac_toe/x__vs__o/0000/episode.json",
    ]
    assert "dialogue/taboo" in page.text and "openspiel/tic_tac_toe" in page.text
    assert "player_0 win" in page.text and "describer success" in page.text and "game_over" in page.text
    assert "Unreadable episodes" in page.text and "x__vs__o/0009" in page.text
    assert "3 episodes in 2 games" in page.text


def test_index_of_an_empty_folder_says_so(tmp_path):
    assert "No episode.json under this folder yet." in Page(index_html(tmp_path)).text


# --------------------------------------------------------------------------------------------- CLI


def test_transcribe_writes_every_page_and_the_run_index(tmp_path, capsys):
    run = write_run(tmp_path / "results")
    assert main(["transcribe", str(tmp_path / "results"), "--no-images"]) == 1  # the cut-short file
    out, err = capsys.readouterr()
    assert "wrote 3 transcripts; index: " + str(run / "index.html") in out
    assert "0009/episode.json: not JSON" in err and "transcripts: 100%" in err
    for folder in ("openspiel__tic_tac_toe/x__vs__o/0000", "dialogue__taboo/a__vs__b/0001"):
        assert (run / folder / "transcript.html").exists()
    links = [a["href"] for t, a in Page((run / "index.html").read_text("utf-8")).tags if t == "a"]
    assert all(link.endswith("/transcript.html") for link in links) and len(links) == 3


def test_transcribe_one_episode_file(tmp_path, capsys):
    run = write_run(tmp_path)
    episode = run / "openspiel__tic_tac_toe/x__vs__o/0000/episode.json"
    assert main(["transcribe", str(episode)]) == 0
    assert len(Page((episode.parent / "transcript.html").read_text("utf-8")).images()) == 6
    assert (run / "index.html").exists()  # the run it belongs to, found by its run.json


@pytest.mark.parametrize("argv, message", [
    (["transcribe", "/no/such/results"], "no such file or folder: /no/such/results"),
    (["transcribe", "{tmp}"], "no episode.json under {tmp}"),
    (["transcribe"], "the following arguments are required: PATH"),
])
def test_transcribe_usage_errors(tmp_path, capsys, argv, message):
    assert main([a.format(tmp=tmp_path) for a in argv]) == 2
    assert message.format(tmp=tmp_path) in capsys.readouterr().err


def test_reasoning_is_folded_with_its_token_count_apart_from_the_reply():
    html = attempt_html(1, {"raw_output": "Final Answer: e4", "parsed": "e4", "reasoning": f"weighing {SCRIPT} d4",
                            "reasoning_tokens": 1234, "completion_tokens": 1300, "cost_usd": 0.012})
    page = Page(html)
    assert_nothing_injected(page)
    assert "<details" in html and "reasoning (1,234 tokens)</summary>" in html  # folded, closed by default
    assert f"weighing {SCRIPT} d4" in page.text and "cost_usd0.012" in page.text
    quiet = Page(attempt_html(1, {"raw_output": "e4", "reasoning_tokens": 0, "cost_usd": None}))
    assert "reasoning_tokens" not in quiet.text and "cost_usd" not in quiet.text


def test_an_error_episode_says_plainly_it_was_not_played_to_the_end():
    from llm_arena_env.arena.episode import EpisodeStepper

    class Down(BaseAgent):
        def decide(self, observation):
            return Decision("", (Attempt(raw_output="", error="503 from http://x: <b>busy</b>", error_kind="server"),))

    env = llm_arena_env.make("openspiel/tic_tac_toe")
    stepper = EpisodeStepper(env, [Down(), Down()], seed=0, game="openspiel/tic_tac_toe", agent_names=["m", "r"])
    _, agent, observation = stepper.pending()
    assert stepper.apply(agent.decide(observation)) is None and stepper.pending() is None
    record = stepper.record().to_dict()
    assert record["outcomes"] == {"player_0": "error", "player_1": "error"} and record["steps"] == []
    assert record["error"] == {"player": "player_0", "agent": "m", "kind": "server",
                               "message": "503 from http://x: <b>busy</b>"}
    assert env.illegal_action_counts == {"player_0": 0, "player_1": 0}  # the env never saw an (empty) move
    page = Page(episode_html(record))
    assert "Not played to the end" in page.text and "not scored" in page.text and "<b>busy</b>" in page.text
    assert page.count("b") == 0  # the server's text is escaped
