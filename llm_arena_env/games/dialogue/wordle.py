"""Wordle (clembench), in three variants: plain, with a clue, and with a clue and a critic.

>>> env = llm_arena_env.make("dialogue/wordle")              # max_rounds=6, max_retries=5
>>> env = llm_arena_env.make("dialogue/wordle_withclue")
>>> env = llm_arena_env.make("dialogue/wordle_withcritic")   # players: guesser, critic

The guesser has ``max_rounds`` guesses to find a 5-letter word. Every reply has two lines::

    explanation: <why>
    guess: <word>

(the reply starts with ``explanation:`` exactly, as its first characters; ``guess:`` appears exactly once,
in any case; no third line, a blank one included: clembench's parser). After each guess the game answers with the letters coloured, e.g. target "apple",
guess "papal": ``guess_feedback: p<yellow> a<yellow> p<green> a<red> l<yellow>``: green is the right
letter in the right place, yellow a letter of the word elsewhere, red a letter not in the word (or not
as many times: greens are marked first, then yellows from the left while the target has that letter
left).

Rules and outcomes (clembench's):

- A reply out of format, a guess that is not one word of letters, or of the wrong length: aborted
  (Main Score NaN).
- A 5-letter word outside the allowed list: the guesser is told so and asked again, up to
  ``max_retries`` times in a row (those replies count as parsed); once more aborts.
- Found in round r: Success; Main Score 100/100/100/50/30/20 for r = 1..6 in ``wordle``, and
  ``round(100 / r, 2)`` in the two variants. Not found in ``max_rounds``: Lose, Main Score 0.

With clue: the first prompt adds ``clue: <a hint about the word>``. With critic: each round the guesser
proposes a guess, the critic (who sees the clue, the explanation and the guess) replies
``explanation: <why>`` / ``agreement: yes|no`` (anything else aborts), the guesser sees the critic's
opinion and sends the guess it commits to, which gets the colour feedback.

Measures: ``Guess Repetitions`` (committed guesses that repeat an earlier one; NaN when aborted), and for
the critic variant ``Repetition-Guesser-On-Critic-Agreement``, ``Non-Repetition-Guesser-On-Critic-
Agreement``, ``Repetition-Guesser-On-Critic-Disagreement``, ``Non-Repetition-Guesser-On-Critic-
Disagreement`` (share of rounds where the guesser kept / changed its guess after the critic agreed /
disagreed).

Allowed words: every 5-letter word of letters a-z in wordfreq's English list (about 38,000, names
included: a real word is never refused), or ``allowed_words=`` (a collection, or a path to a file with
one word a line). Instances: ``{"target_word": ..., "target_word_clue": ...}`` in experiments
``high_frequency``, ``medium_frequency``, ``low_frequency`` (wordfreq Zipf >= 4.5, 3.5-4.5, < 3.5),
drawn from the curated ``resources/wordle/targets.json``. A clembench wordle ``instances.json`` plays
unchanged: its ``common_config`` (n_turns, max_retry_per_error), ``lang_keywords`` (keywords and
``official_words_list``) and prompts are used.
"""

from __future__ import annotations

import ast
import enum
import functools
import random
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Collection, Mapping

from llm_arena_env.core.extras import require
from llm_arena_env.games.dialogue.base import DialogueEnv, IllegalAction
from llm_arena_env.games.dialogue.instances import frequency_bands, load_resource

SPEED_SCORES = {1: 100, 2: 100, 3: 100, 4: 50, 5: 30, 6: 20}  # wordle's Main Score by the round of success
BANDS = (("high_frequency", 4.5, 99.0), ("medium_frequency", 3.5, 4.5), ("low_frequency", 0.0, 3.5))
KEYWORDS = {"explanation_lang": "explanation:", "guess_lang": "guess:", "agreement_lang": "agreement:",
            "clue_lang": "clue:", "guess_feedback_lang": "guess_feedback:"}

GUESSER_PROMPT = """You are playing Wordle. Find a secret {length}-letter English word in at most {rounds} guesses.
After each guess you get feedback on every letter: <green> means the letter is in the word at this position, <yellow> means it is in the word at another position, <red> means it is not in the word (or not that many times).
Only real {length}-letter words are accepted.{extra}

Reply in exactly this format, two lines and nothing else:
explanation: <your reasoning in one line>
guess: <your {length}-letter word>"""

CLUE_NOTE = "\nYou also get a clue about the word."
CRITIC_NOTE = ("\nYou also get a clue about the word. Before each guess counts, a critic sees your guess and explanation "
               "and says whether it agrees; then you send the guess you commit to, in the same format.")

CRITIC_PROMPT = """You are the critic in a game of Wordle. A guesser looks for a secret {length}-letter English word from a clue and letter feedback.
You will see the clue, the guesser's explanation and its guess. Say whether you think the guess is right.

Reply in exactly this format, two lines and nothing else:
explanation: <your reasoning in one line>
agreement: <yes or no>"""


# ---------------------------------------------------------------------- the rules, testable alone

class Colour(str, enum.Enum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"


def feedback(target: str, guess: str) -> list[tuple[str, Colour]]:
    """Each letter of ``guess`` with its colour against ``target`` (same length), in two passes:
    greens first, then yellows from the left while the target still has an unmatched copy of the letter."""
    colours = [Colour.RED] * len(guess)
    unmatched: dict[str, int] = {}
    for i, (t, g) in enumerate(zip(target, guess)):
        if t == g:
            colours[i] = Colour.GREEN
        else:
            unmatched[t] = unmatched.get(t, 0) + 1
    for i, g in enumerate(guess):
        if colours[i] is not Colour.GREEN and unmatched.get(g, 0) > 0:
            colours[i] = Colour.YELLOW
            unmatched[g] -= 1
    return list(zip(guess, colours))


def format_feedback(marks: list[tuple[str, Colour]]) -> str:
    return " ".join(f"{letter}<{colour.value}>" for letter, colour in marks)


@dataclass(frozen=True)
class Reply:
    """A parsed reply: the guess (or the critic's yes/no) and the explanation."""

    content: str
    explanation: str


def parse_reply(text: str, keyword: str, explanation_keyword: str = "explanation:") -> Reply:
    """Read ``explanation: ...`` / ``<keyword> ...``; raises IllegalAction on any other shape.

    As clembench's parser: the raw reply starts with the explanation keyword (its case, no leading space),
    and has at most two lines once stripped (a blank line counts); the keyword is then found in any case."""
    if not text.startswith(explanation_keyword):
        raise IllegalAction(f"the reply must start with {explanation_keyword!r}")
    reply = text.strip()
    if len(reply.split("\n")) > 2:
        raise IllegalAction(f"the reply must be two lines: {explanation_keyword!r} and {keyword!r}")
    found = re.findall(rf"{re.escape(keyword)}([^\n]*)", reply, re.IGNORECASE)
    if len(found) != 1:
        raise IllegalAction(f"the reply must contain {keyword!r} exactly once")
    explanation = re.search(rf"{re.escape(explanation_keyword)}([^\n]*)", reply, re.IGNORECASE)
    return Reply(found[0].strip().lower(), explanation.group(1).strip() if explanation else "")


def clembench_setup(experiment: Mapping[str, Any]) -> dict[str, Any]:
    """The settings a clembench wordle experiment carries, in every layout clembench ships: ``rounds``,
    ``retries`` (words outside the list allowed in a row), ``length``, ``words`` (the allowed list),
    ``lang_keywords``, ``guesser_prompt`` and ``critic_prompt`` (text); absent keys use the env's defaults.

    Current files (v1.6 on) keep ``common_config`` with ``n_turns`` and ``max_retry_per_error`` per error type,
    and the word list in ``lang_keywords["official_words_list"]``; the older ``*_v0.9`` / ``*_v1.0`` files keep
    ``max_attempts_per_game``, one ``max_retry_per_error`` for all errors, the list under ``english_words`` and
    prompts as message lists (with a ``system_definition`` before them)."""
    config = _literal(experiment.get("common_config")) or {}
    keywords = _literal(experiment.get("lang_keywords")) or {}
    setup: dict[str, Any] = {"lang_keywords": keywords}
    if "n_turns" in config or "max_attempts_per_game" in config:
        setup["rounds"] = config.get("n_turns", config.get("max_attempts_per_game"))
    retries = config.get("max_retry_per_error")
    if retries is not None:
        setup["retries"] = retries.get("NOT_VALID_WORD_FOR_GAME", 0) if isinstance(retries, Mapping) else retries
    if "max_word_length" in config:
        setup["length"] = config["max_word_length"]
    setup["words"] = keywords.get("official_words_list") or experiment.get("english_words")
    system = str(experiment.get("system_definition") or "")
    for key, name in (("guesser_prompt", "guesser_prompt"), ("guesser_critic_prompt", "critic_prompt")):
        prompt = _literal(experiment.get(key))
        if isinstance(prompt, list):  # older files: [{"role": "user", "content": ...}]
            prompt = "".join(str(m.get("content", "")) for m in prompt if isinstance(m, Mapping))
            prompt = system + prompt if prompt and key == "guesser_prompt" else prompt
        setup[name] = prompt or None
    return setup


def _literal(value: Any) -> Any:
    """A value clembench stored either as itself or as the text of a Python literal."""
    if isinstance(value, str) and value.strip()[:1] in ("{", "["):
        try:
            return ast.literal_eval(value)
        except (ValueError, SyntaxError):
            return value
    return value


def check_guess_form(guess: str, length: int) -> None:
    """A guess is one word of letters, of the game's length; raises IllegalAction otherwise."""
    if not guess.isalpha():
        raise IllegalAction("the guess must be a single word of letters only")
    if len(guess) != length:
        raise IllegalAction(f"the guess must have {length} letters, not {len(guess)}")


@functools.lru_cache(maxsize=4)
def wordfreq_words(length: int = 5) -> frozenset[str]:
    """Every word of ``length`` letters a-z in wordfreq's English list (the ``words`` extra)."""
    wordfreq = require("wordfreq", extra="words",
                       purpose="wordle's default allowed words (or give allowed_words=, or an instance file's list)")
    return frozenset(w for w in wordfreq.iter_wordlist("en") if len(w) == length and w.isascii() and w.isalpha())


def _word_set(words: Collection[str] | str | Path) -> frozenset[str]:
    if isinstance(words, (str, Path)):
        words = Path(words).read_text(encoding="utf-8").split()
    return frozenset(w.strip().lower() for w in words if w.strip())


# ---------------------------------------------------------------------- the envs

class WordleEnv(DialogueEnv):
    """Wordle; see the module docstring. The variants below switch on the clue and the critic."""

    game_name = "wordle"
    metadata = {**DialogueEnv.metadata, "name": "wordle"}
    use_clue = False
    use_critic = False

    def __init__(self, max_rounds: int = 6, max_retries: int = 5, word_length: int = 5,
                 allowed_words: Collection[str] | str | Path | None = None, **kwargs: Any):
        for name, value, least in (("max_rounds", max_rounds, 1), ("max_retries", max_retries, 0), ("word_length", word_length, 1)):
            if not isinstance(value, int) or value < least:
                raise ValueError(f"{name} must be an int >= {least}, got {value!r}")
        self.max_rounds, self.max_retries, self.word_length = max_rounds, max_retries, word_length
        self._allowed = _word_set(allowed_words) if allowed_words is not None else None
        players = ["guesser", "critic"] if self.use_critic else ["guesser"]
        super().__init__(players, **kwargs)

    def _setup(self, instance: dict[str, Any], experiment: dict[str, Any]) -> None:
        self.target = str(instance.get("target_word", "")).strip().lower()
        if not self.target:
            raise ValueError("a wordle instance needs a 'target_word'")
        self.clue = str(instance.get("target_word_clue", "")).strip()
        setup = clembench_setup(experiment)
        self.keywords = {**KEYWORDS, **{k: v for k, v in setup["lang_keywords"].items() if k in KEYWORDS}}
        self.rounds = int(setup.get("rounds", self.max_rounds))
        self.retries_allowed = int(setup.get("retries", self.max_retries))
        self.length = int(setup.get("length", self.word_length))
        official = setup.get("words")
        self.allowed = _word_set(official) if official else self._allowed or wordfreq_words(self.length)
        self.round = 0
        self.retries = 0
        self.phase = "guess"  # critic variant: guess -> critic -> commit
        self.guesses: list[str] = []  # committed guesses
        self.proposals: list[str] = []  # critic variant: the guesses shown to the critic
        self.judgements: list[str] = []
        self.feedbacks: list[str] = []
        self._last = Reply("", "")
        self.tell("guesser", setup.get("guesser_prompt") or self._guesser_prompt())
        if self.use_clue:
            self.tell("guesser", f"{self.keywords['clue_lang']} {self.clue}")
        if self.use_critic:
            self.tell("critic", setup.get("critic_prompt") or CRITIC_PROMPT.format(length=self.length))

    def _guesser_prompt(self) -> str:
        extra = CRITIC_NOTE if self.use_critic else CLUE_NOTE if self.use_clue else ""
        return GUESSER_PROMPT.format(length=self.length, rounds=self.rounds, extra=extra)

    def _format_reminder(self, keyword: str, hint: str) -> str:
        return (f"Reply in exactly this format:\n{self.keywords['explanation_lang']} <your reasoning in one line>\n"
                f"{self.keywords[keyword]} <{hint}>")

    def _current_agent(self) -> str:
        return "critic" if self.phase == "critic" else "guesser"

    def _parse_action(self, agent: str, text: str) -> Reply:
        if agent == "critic":
            reply = parse_reply(text, self.keywords["agreement_lang"], self.keywords["explanation_lang"])
            if reply.content not in ("yes", "no"):
                raise IllegalAction("the agreement must be 'yes' or 'no'")
            return reply
        reply = parse_reply(text, self.keywords["guess_lang"], self.keywords["explanation_lang"])
        check_guess_form(reply.content, self.length)
        return reply

    def _play(self, agent: str, reply: Reply) -> None:
        if agent == "critic":
            self._play_critic(reply)
            return
        if reply.content not in self.allowed:
            self.retries += 1
            if self.retries > self.retries_allowed:
                # clembench counts this reply as parsed, like the retries before it
                self.abort_game(f"{reply.content!r} is not an allowed word, {self.retries} times in a row",
                                violated=False)
            else:
                self.tell("guesser", f"{reply.content!r} is not a valid word for this game. Please try again.\n\n"
                          + self._format_reminder("guess_lang", f"your {self.length}-letter word"))
            return
        self.retries = 0
        self._last = reply
        if self.use_critic and self.phase == "guess":
            self.proposals.append(reply.content)
            lines = [f"{self.keywords['clue_lang']} {self.clue}", f"{self.keywords['explanation_lang']} {reply.explanation}",
                     f"{self.keywords['guess_lang']} {reply.content}"]
            if self.round:  # the first message comes with the critic's prompt, which shows the format
                lines.append("\n" + self._format_reminder("agreement_lang", "yes or no"))
            self.tell("critic", "\n".join(lines))
            self.phase = "critic"
            return
        self._commit(reply.content)

    def _play_critic(self, reply: Reply) -> None:
        self.judgements.append(reply.content)
        self.tell("guesser", f"{self.keywords['clue_lang']} {self.clue}\n{self.keywords['agreement_lang']} {reply.content}\n"
                  f"{self.keywords['explanation_lang']} {reply.explanation}\n\n"
                  + self._format_reminder("guess_lang", f"the {self.length}-letter word you commit to"))
        self.phase = "commit"

    def _commit(self, guess: str) -> None:
        marks = format_feedback(feedback(self.target, guess))
        self.guesses.append(guess)
        self.feedbacks.append(marks)
        self.round += 1
        self.phase = "guess"
        if guess == self.target:
            self.end_game(success=True, main_score=self._speed_score(self.round), detail=f"found in round {self.round}")
        elif self.round >= self.rounds:
            self.end_game(success=False, main_score=0, detail=f"not found in {self.rounds} rounds")
        else:
            self.tell("guesser", f"{self.keywords['guess_feedback_lang']} {marks}\n\n"
                      + self._format_reminder("guess_lang", f"your {self.length}-letter word"))

    def _speed_score(self, rounds: int) -> float:
        return float(SPEED_SCORES.get(rounds, 0))

    def _measures(self) -> dict[str, float]:
        repeats = float("nan") if self.aborted else len(self.guesses) - len(set(self.guesses))
        return {"Guess Repetitions": repeats}


class WordleWithClueEnv(WordleEnv):
    """Wordle with a clue about the target word."""

    game_name = "wordle_withclue"
    metadata = {**DialogueEnv.metadata, "name": "wordle_withclue"}
    use_clue = True

    def _speed_score(self, rounds: int) -> float:
        return round(100 / rounds, 2)


class WordleWithCriticEnv(WordleWithClueEnv):
    """Wordle with a clue and a critic who agrees or not before each guess is committed."""

    game_name = "wordle_withcritic"
    metadata = {**DialogueEnv.metadata, "name": "wordle_withcritic"}
    use_critic = True

    def _measures(self) -> dict[str, float]:
        measures = super()._measures()
        rounds = list(zip(self.proposals, self.guesses, self.judgements))
        for verdict, name in (("yes", "Agreement"), ("no", "Disagreement")):
            kept = [proposal == committed for proposal, committed, said in rounds if said == verdict]
            same = round(sum(kept) / len(kept), 2) if kept else 0.0
            changed = round(kept.count(False) / len(kept), 2) if kept else 0.0
            if not rounds:
                same = changed = float("nan")
            measures[f"Repetition-Guesser-On-Critic-{name}"] = same
            measures[f"Non-Repetition-Guesser-On-Critic-{name}"] = changed
        return measures


# ---------------------------------------------------------------------- instances

def load_targets() -> dict[str, str]:
    """The curated target words and their clues."""
    return load_resource("wordle", "targets.json")


def generate_instances(seed: int = 0, per_band: int = 10) -> dict[str, Any]:
    """Three experiments (wordfreq Zipf bands) of ``per_band`` target words, each with its clue."""

    targets = load_targets()
    experiments = []
    for band, chosen in frequency_bands(list(targets), BANDS, per_band, random.Random(seed)):
        experiments.append({"name": band, "game_instances": [
            {"game_id": i, "target_word": w, "target_word_clue": targets[w], "target_word_difficulty": band}
            for i, w in enumerate(chosen)]})
    return {"experiments": experiments}


def generate_withclue_instances(seed: int = 0) -> dict[str, Any]:
    return generate_instances(seed)


def generate_withcritic_instances(seed: int = 0) -> dict[str, Any]:
    return generate_instances(seed)


# ---------------------------------------------------------------------- the scripted player

def scripted_move(env: Any, agent: str) -> str:
    """A solver from the word list: the guesser guesses the first allowed word (in alphabetical order) that
    agrees with every feedback so far; the critic always agrees."""
    game = env.unwrapped
    keywords = game.keywords
    if agent == "critic":
        return f"{keywords['explanation_lang']} it fits the feedback\n{keywords['agreement_lang']} yes"
    if game.phase == "commit":
        guess = game.proposals[-1]
    else:
        seen = list(zip(game.guesses, [feedback(game.target, g) for g in game.guesses]))
        guess = next(w for w in sorted(game.allowed)
                     if len(w) == game.length and w.isalpha() and all(feedback(w, g) == marks for g, marks in seen))
    return f"{keywords['explanation_lang']} it agrees with the feedback so far\n{keywords['guess_lang']} {guess}"
