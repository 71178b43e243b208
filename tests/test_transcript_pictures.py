"""Transcripts show what players were given: their images, wordle's coloured feedback, chess as PGN."""

from __future__ import annotations

import re

import llm_arena_env
from llm_arena_env.agents.specs import make_agent
from llm_arena_env.arena.episode import play_episode
from llm_arena_env.arena.transcript import episode_html, feedback_tiles

from tests.test_transcript import Page, assert_nothing_injected


class Words:
    """A wordle guesser with a fixed list of words."""

    def __init__(self, *words):
        self.words = list(words)

    def act(self, observation):
        return f"explanation: a try\nguess: {self.words.pop(0)}"


def test_wordle_feedback_is_drawn_as_coloured_tiles():
    env = llm_arena_env.make("dialogue/wordle")
    record = play_episode(env, [Words("crane", "sloth", "pudgy", "mince", "fable", "wrath")], seed=0, game="dialogue/wordle").to_dict()
    page = Page(episode_html(record))
    assert_nothing_injected(page)
    html = episode_html(record)
    tiles = re.findall(r'<span class="tile (green|yellow|red)">([A-Z])</span>', html)
    said = re.findall(r"(\w)<(green|yellow|red)>", " ".join(s["observation"] for s in record["steps"][1:]))
    assert [(c, l.upper()) for l, c in said] == tiles and len(tiles) == 25  # five guesses fed back before the sixth
    assert feedback_tiles("no feedback here <green> alone") == ""


def test_the_images_players_were_given_are_shown_with_their_turns():
    for game, kwargs, players in [("dialogue/referencegame", {"observation_mode": "image"}, 2),
                                  ("openspiel/leduc_poker", {"observation_mode": "text+image"}, 2)]:
        env = llm_arena_env.make(game, **kwargs)
        agents = [make_agent("random", seed=s) for s in range(players)]
        record = play_episode(env, agents, seed=0, game=game, game_kwargs=kwargs).to_dict()
        page = Page(episode_html(record))
        assert_nothing_injected(page)
        given = episode_html(record).count('<figure class="seen">')
        assert given == len(record["steps"]) >= 1, game


def test_chess_records_keep_the_pgn_and_transcripts_show_the_moves_compactly():
    env = llm_arena_env.make("chess", max_plies=6)
    record = play_episode(env, [make_agent("random", seed=1), make_agent("random", seed=2)], seed=0,
                          game="chess").to_dict()
    assert record["pgn"].startswith("[Event ") and "1. " in record["pgn"]
    html = episode_html(record, images=False)
    movetext = re.search(r'<span class="movetext">(.*?)</span>', html)[1]
    assert movetext.startswith("1. ") and movetext.endswith("1/2-1/2") and "[" not in movetext
