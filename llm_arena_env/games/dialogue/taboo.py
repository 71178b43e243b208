"""Taboo (clembench): a describer makes a guesser find a word without saying it.

>>> env = llm_arena_env.make("dialogue/taboo")          # max_turns=3

Players: ``describer`` (knows the target word and three related words) and ``guesser``.

Each round the describer replies ``CLUE: <clue>`` and the guesser replies ``GUESS: <word>``; the game
master passes the clue to the guesser and a wrong guess back to the describer. The reply must start with
the prefix exactly (case-sensitive, as its very first characters: clembench does not strip replies); the
text after it may be empty (clembench plays an empty clue on).

Rules and outcomes (clembench's):

- A reply without its prefix is a format violation: the episode is aborted (Main Score NaN).
- A clue that uses the target word, a related word, or any word with the same Snowball stem (stop words
  ignored) breaks the rules: the game is lost (Main Score 0). Only whole words count: "pineapple" is
  allowed for "apple", "apples" is not. Words are split at every non-letter, so "apple-pie" is checked
  as "apple" and "pie" (clembench only drops punctuation, which let hyphenated forms through).
- The guess is compared with the target after lower-casing and removing punctuation.
- Found in round r of ``max_turns``: Success, Main Score 100 / r. Not found: Lose, Main Score 0.

Measures: ``Repetition-Guesser`` and ``Repetition-Describer`` (how often a player repeated its previous
guess or clue; clembench's scorer always logs 0 here, see docs/clembench.md).

Request counts are clembench's: one request per round begun (the describer's clue opens it), violated
when the episode was aborted in it.

Instances: ``{"target_word": ..., "related_word": [three words]}``; experiments ``high_en``,
``medium_en`` and ``low_en`` hold targets from wordfreq's Zipf bands (>= 4.5, 3.5-4.5, < 3.5), drawn from
the curated ``resources/taboo/words.json``. A clembench taboo ``instances.json`` plays unchanged: its
experiment's ``max_turns`` and prompts (``$TARGET_WORD$``, ``$REL_WORD$``, ``$N$``) are used.
"""

from __future__ import annotations

import functools
import random
import re
import string
from dataclasses import dataclass
from typing import Any, Sequence

from llm_arena_env.games.dialogue.base import DialogueEnv, IllegalAction
from llm_arena_env.games.dialogue.instances import RESOURCES, english_zipf, frequency_bands, load_resource

CLUE_PREFIX = "CLUE:"
GUESS_PREFIX = "GUESS:"
BANDS = (("high", 4.5, 99.0), ("medium", 3.5, 4.5), ("low", 0.0, 3.5))  # Zipf frequency bands

DESCRIBER_PROMPT = """You are playing a word-guessing game as the describer. Your partner, the guesser, has to find the target word from your clues.

Target word: {target}

You must not use the target word, any of these related words, or any other form of them (such as a plural):
{related}

The game has {rounds} rounds. In each round you give one clue, then your partner makes one guess, which you will see.
Reply with one line that starts with "CLUE:" followed by your clue, and nothing else. A reply in another format ends the game; a clue with a forbidden word loses it."""

GUESSER_PROMPT = """You are playing a word-guessing game as the guesser. Your partner describes a secret word without saying it. You have {rounds} guesses, one after each clue.
Reply with one line that starts with "GUESS:" followed by a single word, and nothing else. A reply in another format ends the game."""


# ---------------------------------------------------------------------- the rules, testable alone

@functools.lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    text = (RESOURCES / "taboo" / "stopwords.txt").read_text(encoding="utf-8")
    return frozenset(w for line in text.splitlines() if not line.startswith("#") for w in line.split())


@functools.lru_cache(maxsize=1)
def _stemmer() -> Any:
    import snowballstemmer

    return snowballstemmer.stemmer("english")


def stem(word: str) -> str:
    return _stemmer().stemWord(word.lower())


def words_of(text: str) -> list[str]:
    """The lower-cased words of ``text``, split at every character that is not a letter."""
    return re.findall(r"[^\W\d_]+", text.lower())


@dataclass(frozen=True)
class TabooViolation:
    clue_word: str
    taboo_word: str  # the target or a related word

    def __str__(self) -> str:
        return f"the clue word {self.clue_word!r} has the same stem as the taboo word {self.taboo_word!r}"


def clue_violations(clue: str, target: str, related: Sequence[str]) -> list[TabooViolation]:
    """Every clue word (stop words aside) that shares a Snowball stem with a one-word taboo entry, and
    every run of clue words that spells a taboo entry of several words ("ice cream", "strong-minded").

    A word of a longer entry alone is allowed, as in clembench (it stems the whole entry, which no single
    clue word matches: "strong" is a fine clue when "strong-minded" is taboo); unlike clembench, the whole
    phrase is caught, and so is the entry written as one word ("icecream")."""
    clue_words = words_of(clue)
    clue_stems = [stem(word) for word in clue_words]
    found = []
    for entry in [target, *related]:
        parts = words_of(entry)
        if len(parts) == 1:
            found += [TabooViolation(word, entry) for word, s in zip(clue_words, clue_stems)
                      if word not in stop_words() and s == stem(parts[0])]
        elif parts:
            wanted, solid = [stem(p) for p in parts], stem("".join(parts))
            found += [TabooViolation(" ".join(clue_words[i:i + len(parts)]), entry)
                      for i in range(len(clue_words) - len(parts) + 1) if clue_stems[i:i + len(parts)] == wanted]
            found += [TabooViolation(word, entry) for word, s in zip(clue_words, clue_stems) if s == solid]
    return found


def parse_prefixed(text: str, prefix: str) -> str:
    """The text after ``prefix``, which the reply must start with, as its very first characters (clembench
    checks the raw reply: a leading space or newline is out of format); raises IllegalAction otherwise.
    The text may be empty: clembench plays an empty ``CLUE:`` on."""
    if not text.startswith(prefix):
        raise IllegalAction(f"the reply must start with {prefix!r}, as its first characters")
    return text[len(prefix):].strip()


def normalize_guess(guess: str) -> str:
    """clembench's comparison form of a guess: lower-cased, punctuation removed."""
    return guess.lower().translate(str.maketrans("", "", string.punctuation)).strip()


# ---------------------------------------------------------------------- the env

class TabooEnv(DialogueEnv):
    """Taboo; see the module docstring."""

    game_name = "taboo"
    metadata = {**DialogueEnv.metadata, "name": "taboo"}

    def __init__(self, max_turns: int = 3, **kwargs: Any):
        if not isinstance(max_turns, int) or max_turns < 1:
            raise ValueError(f"max_turns must be an int >= 1, got {max_turns!r}")
        self.max_turns = max_turns
        super().__init__(["describer", "guesser"], **kwargs)

    def _setup(self, instance: dict[str, Any], experiment: dict[str, Any]) -> None:
        self.target = str(instance.get("target_word", "")).strip().lower()
        self.related = [str(w) for w in instance.get("related_word", [])]
        if not self.target:
            raise ValueError("a taboo instance needs a 'target_word'")
        self.rounds = int(experiment.get("max_turns", self.max_turns))
        self.round = 0
        self.to_move = "describer"
        self.clues: list[str] = []
        self.guesses: list[str] = []
        self.tell("describer", self._describer_prompt(experiment))
        self.tell("guesser", self._guesser_prompt(experiment))  # sent together with the first clue

    def _describer_prompt(self, experiment: dict[str, Any]) -> str:
        related = "\n".join(f"- {word}" for word in self.related)
        if "describer_initial_prompt" in experiment:  # a clembench instance file
            return (experiment["describer_initial_prompt"].replace("$TARGET_WORD$", self.target)
                    .replace("$REL_WORD$", related).replace("$N$", str(self.rounds)))
        return DESCRIBER_PROMPT.format(target=self.target, related=related, rounds=self.rounds)

    def _guesser_prompt(self, experiment: dict[str, Any]) -> str:
        if "guesser_initial_prompt" in experiment:
            return experiment["guesser_initial_prompt"].replace("$N$", str(self.rounds))
        return GUESSER_PROMPT.format(rounds=self.rounds)

    def _current_agent(self) -> str:
        return self.to_move

    def _parse_action(self, agent: str, text: str) -> str:
        return parse_prefixed(text, CLUE_PREFIX if agent == "describer" else GUESS_PREFIX)

    def _play(self, agent: str, move: str) -> None:
        if agent == "describer":
            self.clues.append(move)
            violations = clue_violations(move, self.target, self.related)
            if violations:
                self.end_game(success=False, main_score=0, detail=f"taboo word: {violations[0]}")
                return
            self.tell("guesser", f"{CLUE_PREFIX} {move}")
            self.to_move = "guesser"
            return
        guess = normalize_guess(move)
        self.guesses.append(guess)
        self.round += 1
        if guess == self.target:
            self.end_game(success=True, main_score=100 / self.round, detail=f"guessed in round {self.round}")
        elif self.round >= self.rounds:
            self.end_game(success=False, main_score=0, detail=f"not guessed in {self.rounds} rounds")
        else:
            self.tell("describer", f"{GUESS_PREFIX} {move}")
            self.to_move = "describer"

    def _request_totals(self) -> tuple[int, int]:
        """clembench's taboo counts one request per round begun, violated if the episode aborted in it."""
        return self._requests["describer"].requests, int(self.aborted)

    def _measures(self) -> dict[str, float]:
        return {"Repetition-Guesser": _repetitions(self.guesses), "Repetition-Describer": _repetitions(self.clues)}


def _repetitions(items: list[str]) -> int:
    """How often an item equals the one before it."""
    return sum(1 for before, now in zip(items, items[1:]) if before == now)


# ---------------------------------------------------------------------- instances

def load_words() -> dict[str, list[str]]:
    """The curated targets and their related words."""
    return load_resource("taboo", "words.json")


def generate_instances(seed: int = 0, per_band: int = 20) -> dict[str, Any]:
    """Three experiments (high/medium/low wordfreq Zipf band) of ``per_band`` targets each."""
    words = load_words()
    experiments = []
    for band, chosen in frequency_bands(list(words), BANDS, per_band, random.Random(seed)):
        experiments.append({"name": f"{band}_en", "game_instances": [
            {"game_id": i, "target_word": w, "related_word": words[w], "target_word_zipf": english_zipf(w)}
            for i, w in enumerate(chosen)]})
    return {"experiments": experiments}


# ---------------------------------------------------------------------- the scripted player

_SCRIPTED_CLUES = ("a word you know", "think of something common", "the answer to this game", "guess it")


def scripted_move(env: Any, agent: str) -> str:
    """A winning player (it reads the target): the describer gives a clue free of taboo words, the guesser
    names the target."""
    game = env.unwrapped
    if agent == "guesser":
        return f"{GUESS_PREFIX} {game.target}"
    clue = next((c for c in _SCRIPTED_CLUES if not clue_violations(c, game.target, game.related)), "")
    return f"{CLUE_PREFIX} {clue}"
