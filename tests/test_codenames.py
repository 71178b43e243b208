"""dialogue/codenames: clue and guess checks, the board, the scripted opponent, perfect and rule-breaking play."""

from __future__ import annotations

import collections
import json
import math

import pytest

import llm_arena_env
from llm_arena_env.core.outcome import EndReason, Outcome
from llm_arena_env.games.dialogue import codenames
from llm_arena_env.games.dialogue import codenames_rules as rules
from llm_arena_env.games.dialogue.codenames_rules import Flags, InvalidReply, Kind
from llm_arena_env.games.dialogue.instances import RESOURCES

TEAM = ["wave", "beach", "shark", "pearl"]
OPPONENT = ["tiger", "lemon", "piano"]
INNOCENT = ["oven", "glove"]
ASSASSIN = ["dragon"]
INSTANCE = {"board": ["wave", "tiger", "oven", "beach", "lemon", "dragon", "shark", "glove", "piano", "pearl"],
            "assignments": {"team": TEAM, "opponent": OPPONENT, "innocent": INNOCENT, "assassin": ASSASSIN}}
HIDDEN = INSTANCE["board"]


def make(instance=INSTANCE, **kwargs):
    env = llm_arena_env.make("dialogue/codenames", **kwargs)
    env.reset(seed=0, options={"instance": json.loads(json.dumps(instance))})
    return env


# ---------------------------------------------------------------------------------------------- clues

@pytest.mark.parametrize("reply, clue, targets", [
    ("CLUE: ocean\nTARGETS: wave, beach", "ocean", ("wave", "beach")),
    ("  CLUE: Ocean\nTARGETS: Wave, BEACH\n", "ocean", ("wave", "beach")),
    ("CLUE: 'ocean'.\nTARGETS: \"wave\", beach.", "ocean", ("wave", "beach")),  # stripped (clembench's STRIP WORDS)
    ("TARGETS: shark\nCLUE: fin", "fin", ("shark",)),
    ("CLUE: wavelength\nTARGETS: wave", "wavelength", ("wave",)),  # contains a board word, shares no stem: allowed
    ("CLUE: tide\nTARGETS: tiger", "tide", ("tiger",)),  # any hidden word may be a target
])
def test_clues_accept_the_documented_variants(reply, clue, targets):
    assert rules.parse_clue(reply, HIDDEN, []) == rules.Clue(clue, targets)


@pytest.mark.parametrize("reply, reason", [
    ("CLUE: ocean\nTARGETS: wave\nThat is my clue.", "more than two lines"),
    ("ocean\nTARGETS: wave", "prefix 'CLUE:'"),
    ("CLUE:ocean\nTARGETS: wave", "prefix 'CLUE:'"),
    ("CLUE: ocean\nwave, beach", "prefix 'TARGETS:'"),
    ("CLUE: ocean, 2\nTARGETS: wave, beach", "number of targets"),
    ("CLUE: sea water\nTARGETS: wave", "not a single word"),
    ("CLUE: \nTARGETS: wave", "empty"),
    ("CLUE: wave\nTARGETS: beach", "one of the words on the board"),
    ("CLUE: waves\nTARGETS: beach", "morphologically related to the word 'wave'"),
    ("CLUE: beaches\nTARGETS: wave", "morphologically related to the word 'beach'"),
    ("CLUE: ocean\nTARGETS: wave, surf", "'surf' is not on the board"),
    ("CLUE: ocean\nTARGETS: coral", "'coral' was already revealed"),
    ("CLUE: ocean\nTARGETS: wave, wave", "appears more than once"),
])
def test_clues_that_break_a_rule_are_rejected_with_the_reason(reply, reason):
    with pytest.raises(InvalidReply, match=reason):
        rules.parse_clue(reply, HIDDEN, ["coral"])


def test_lenient_flags_accept_what_they_name():
    lenient = Flags(ignore_rambling=True, ignore_false_targets_or_guesses=True, ignore_number_of_targets=True)
    clue = rules.parse_clue("Here you go:\nCLUE: ocean, 2\nTARGETS: wave, surf, wave", HIDDEN, [], lenient)
    assert clue == rules.Clue("ocean", ("wave",))
    with pytest.raises(InvalidReply, match="characters other than letters"):
        rules.parse_clue("CLUE: ocean.\nTARGETS: wave", HIDDEN, [], Flags(strip_words=False))


# ---------------------------------------------------------------------------------------------- guesses

@pytest.mark.parametrize("reply, guesses", [("GUESS: wave, beach", ("wave", "beach")), ("GUESS: Wave.", ("wave",)),
                                            (" GUESS: beach, 'shark'\n", ("beach", "shark"))])
def test_guesses_accept_the_documented_variants(reply, guesses):
    assert rules.parse_guesses(reply, HIDDEN, [], "ocean", 2) == guesses


@pytest.mark.parametrize("reply, reason", [
    ("GUESS: wave\nGUESS: beach", "more than one line"),
    ("wave, beach", "prefix 'GUESS:'"),
    ("GUESS: wave, beach, shark", "3 guesses but may make at most 2"),
    ("GUESS: ocean", "the clue itself"),
    ("GUESS: surf", "not on the board"),
    ("GUESS: coral", "already revealed"),
    ("GUESS: wave, wave", "more than once"),
    ("GUESS: ", "prefix .GUESS:."),
    ("GUESS: , wave", "not on the board"),
])
def test_guesses_that_break_a_rule_are_rejected(reply, reason):
    with pytest.raises(InvalidReply, match=reason):
        rules.parse_guesses(reply, HIDDEN, ["coral"], "ocean", 2)


# ---------------------------------------------------------------------------------------------- play

def test_a_perfect_team_succeeds_with_the_top_score():
    env = make()
    env.step(f"CLUE: ocean\nTARGETS: {', '.join(TEAM)}")
    env.step(f"GUESS: {', '.join(TEAM)}")
    scores = env.infos["guesser"]["scores"]
    assert env.result.reason is EndReason.GAME_OVER and env.result.detail == "all team words revealed"
    assert all(env.infos[p]["outcome"] is Outcome.SUCCESS for p in env.possible_agents)
    assert scores["Main Score"] == 100 and scores["Episode Recall"] == 1 and scores["Efficiency"] == 1
    assert scores["Average Guesser Target F1"] == 1 and scores["Game ended through assassin"] == 0


def test_the_guesser_sees_the_words_but_not_their_kinds():
    env = make()
    assert "The kill words are: dragon." in env.observe("cluegiver")["text"]
    env.step("CLUE: ocean\nTARGETS: wave, beach")
    guesser = env.observe("guesser")["messages"]
    assert len(guesser) == 1 and "'ocean'" in guesser[0]["content"] and "up to 2 words" in guesser[0]["content"]
    assert "wave, tiger, oven, beach" in guesser[0]["content"]  # the board, in board order
    assert "kill" not in guesser[0]["content"] and "TARGETS" not in guesser[0]["content"]


def test_a_wrong_guess_ends_the_turn_and_the_opponent_reveals_its_words():
    env = make(opponent_difficulty=2)
    env.step("CLUE: ocean\nTARGETS: wave, beach")
    env.step("GUESS: wave, oven")
    assert env.board.revealed[Kind.TEAM][Kind.TEAM] == ["wave"]
    assert env.board.revealed[Kind.TEAM][Kind.INNOCENT] == ["oven"]
    assert len(env.board.revealed[Kind.OPPONENT][Kind.OPPONENT]) == 2  # the scripted opponent's turn
    cluegiver = env.observe("cluegiver")["text"]
    assert cluegiver.startswith("The word wave was guessed correctly. The word oven was guessed but is an innocent "
                                "word. Your teammate's turn ended there.")
    hidden_opponent = env.board.hidden[Kind.OPPONENT]
    assert f"Remaining words of your opponent: {', '.join(hidden_opponent)}." in cluegiver  # lists as they are now
    env.step("CLUE: swim\nTARGETS: shark")
    assert env.observe("guesser")["text"].startswith("The word wave was guessed correctly. The word oven was guessed "
                                                     "but is an innocent word. Your turn ended there.")


def test_guesses_after_a_wrong_one_are_not_revealed():
    env = make(opponent_difficulty=0)
    env.step("CLUE: ocean\nTARGETS: wave, beach, pearl")
    env.step("GUESS: oven, wave, beach")
    assert env.board.hidden[Kind.TEAM] == TEAM and env.board.revealed_by(Kind.TEAM) == ["oven"]
    assert env.infos["guesser"] == {}  # still playing


def test_the_assassin_loses():
    env = make()
    env.step("CLUE: fire\nTARGETS: wave")
    env.step("GUESS: dragon")
    scores = env.infos["cluegiver"]["scores"]
    assert env.infos["cluegiver"]["outcome"] is Outcome.FAILURE and scores["Lose"] == 1
    assert scores["Game ended through assassin"] == 1 and scores["Main Score"] == 0 and scores["Aborted"] == 0


def test_the_opponent_uncovering_its_words_loses():
    env = make(opponent_difficulty=1)
    turns = 0
    while env.result is None:
        word = env.board.hidden[Kind.OPPONENT][0]
        env.step(f"CLUE: stripes\nTARGETS: {word}")
        env.step(f"GUESS: {word}")
        turns += 1
    assert env.result.detail == "all opponent words revealed" and turns == 2
    assert env.infos["guesser"]["scores"]["Lose"] == 1 and env.infos["guesser"]["scores"]["Episode Recall"] == 0


def test_the_opponent_is_seeded():
    def reveals(seed):
        env = llm_arena_env.make("dialogue/codenames")
        env.reset(seed=seed, options={"instance": json.loads(json.dumps(INSTANCE))})
        env.step("CLUE: ocean\nTARGETS: wave")
        env.step("GUESS: wave")
        return env.board.revealed[Kind.OPPONENT][Kind.OPPONENT]
    assert reveals(1) == reveals(1)
    assert len({tuple(reveals(seed)) for seed in range(8)}) > 1


@pytest.mark.parametrize("replies", [["CLUE: waves\nTARGETS: wave"], ["CLUE: ocean\nTARGETS: wave", "wave"],
                                     ["CLUE: ocean\nTARGETS: wave", "GUESS: surf"]])
def test_rule_and_format_violations_abort_as_in_clembench(replies):
    env = make()
    for reply in replies:
        env.step(reply)
    scores = env.infos["guesser"]["scores"]
    assert env.result.reason is EndReason.ILLEGAL_ACTION
    assert all(env.infos[p]["outcome"] is Outcome.ABORTED for p in env.possible_agents)
    assert scores["Aborted"] == 1 and math.isnan(scores["Main Score"]) and "Episode Recall" in scores


def test_reprompt_on_error_asks_again_twice():
    env = make(reprompt_on_error=True)
    env.step("CLUE: waves\nTARGETS: wave")
    assert env.result is None and "morphologically related" in env.observe("cluegiver")["text"]
    env.step("CLUE: waves\nTARGETS: wave")
    env.step("CLUE: waves\nTARGETS: wave")
    assert env.result.reason is EndReason.ILLEGAL_ACTION
    assert make().max_illegal_actions == 0  # the next episode without the flag does not inherit it


def test_junk_ends_the_game_cleanly():
    env = llm_arena_env.make("dialogue/codenames")
    env.reset(seed=2)
    env.step("lorem ipsum")
    assert env.result is not None and all(env.terminations.values())


# ---------------------------------------------------------------------------------------------- instances

def test_a_clembench_instance_file_loads_and_plays(tmp_path):
    clembench = {"experiments": [{
        "name": "easy", "variable": "Opponent Difficulty", "number of instances": 1, "generator": "random",
        "opponent difficulty": 0, "assignments": {"team": 4, "opponent": 3, "innocent": 2, "assassin": 1},
        "wordlist": "original.json",
        "flags": {"IGNORE RAMBLING": True, "IGNORE FALSE TARGETS OR GUESSES": True, "REPROMPT ON ERROR": True,
                  "STRIP WORDS": True, "IGNORE NUMBER OF TARGETS": True},
        "game_instances": [{"game_id": 0, **INSTANCE}]}]}
    path = tmp_path / "instances.json"
    path.write_text(json.dumps(clembench), encoding="utf-8")
    env = llm_arena_env.make("dialogue/codenames", instances=str(path))
    env.reset(seed=0)
    env.step("My clue:\nCLUE: ocean, 4\nTARGETS: wave, beach, shark, pearl, surf")  # the generous flags accept it
    env.step("GUESS: wave, beach, shark, pearl")
    assert env.infos["guesser"]["scores"]["Main Score"] == 100
    assert env.board.revealed[Kind.OPPONENT][Kind.OPPONENT] == []  # opponent difficulty 0


def test_generator_is_seeded_and_the_shipped_set_is_its_output():
    shipped = json.loads((RESOURCES / "codenames" / "instances.json").read_text(encoding="utf-8"))
    assert shipped == codenames.generate_instances(seed=0)
    assert codenames.generate_instances(seed=4) == codenames.generate_instances(seed=4)
    for experiment in shipped["experiments"]:
        counts = experiment["assignments"]
        for instance in experiment["game_instances"]:
            board, assignments = instance["board"], instance["assignments"]
            assert len(board) == len(set(board)) == sum(counts.values())
            assert {k: len(v) for k, v in assignments.items()} == counts
            assert sorted(board) == sorted(w for ws in assignments.values() for w in ws)
    easy = next(e for e in shipped["experiments"] if e["name"] == "assignments_easy")["game_instances"][0]
    category = {w: name for name, words in codenames.categories().items() for w in words}
    team_categories = collections.Counter(category[w] for w in easy["assignments"]["team"])
    assert max(team_categories.values()) >= 2  # related words share a team


def test_board_words_never_share_a_stem():
    words = [w for ws in codenames.categories().values() for w in ws]
    stems = collections.Counter(rules.stem(w) for w in words)
    assert len(words) == len(set(words)) and max(stems.values()) == 1
    assert all(w.isalpha() and w.islower() for w in words)
