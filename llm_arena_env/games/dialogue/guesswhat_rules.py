"""Pure rules of guess what: the guesser's and the answerer's formats, the banned questions, the speed score,
and the instance generator."""

from __future__ import annotations

import random
import re
import string
from dataclasses import dataclass
from typing import Mapping, Sequence

QUESTION_TAG = "QUESTION:"
GUESS_TAG = "GUESS:"
ANSWER_TAG = "ANSWER:"
ANSWER_VARIATIONS = ("ANSWER: yes", "ANSWER: no", "ANSWER: Yes.", "ANSWER: Yes", "ANSWER: No.", "ANSWER: No")
MAX_TURNS = 8
# clembench means the lower bound to depend on the level, but its condition is always true, so every level
# uses 4 categories + 1 = 5 turns: 5 or fewer turns to a right guess is full speed.
LOWER_BOUND_TURNS = 5

_NUMBER = r"(?:one|two|three|four|five|six|seven|eight|nine|ten|\d+)"
# Questions about the word's form rather than its meaning (checked on the lower-cased question).
BANNED_QUESTIONS = (
    (re.compile(r"does the target word (?:(?:start with|contain) the letter|have the letter\s*[a-z])"
                r"|is the (?:first|second|third|fourth|fifth) letter of the target word [a-z]"),
     "asking about specific letters or their positions is not allowed", "search"),
    (re.compile(r"^is the target word\s*(['\"])[^'\"]+?\1\s*\?"),
     "guessing without the 'GUESS:' format is not allowed", "match"),
    (re.compile(r"does the target word (?:have|contain) (?:more|less|exactly) \d+ letters?"),
     "asking about the length of the target word is not allowed", "search"),
    (re.compile(rf"does the target word (?:have|contain) (?:more than|less than|exactly) {_NUMBER} syllables?"),
     "asking about the number of syllables is not allowed", "search"),
    (re.compile(r"^is the target word (?:a|an)\s+(?:noun|verb|adjective|adverb|pronoun|preposition|conjunction"
                r"|interjection)\s*\?"),
     "asking about the part of speech of the target word is not allowed", "match"),
)


class InvalidReply(ValueError):
    """A reply breaks the format or asks a banned question; the message says how."""


@dataclass(frozen=True)
class Question:
    text: str  # the whole reply, relayed to the answerer as it is


@dataclass(frozen=True)
class Guess:
    word: str  # lower case, punctuation removed


def banned_reason(question: str) -> str | None:
    """Why a question (without its tag) is not allowed, or None."""
    text = question.strip().lower()
    for pattern, reason, how in BANNED_QUESTIONS:
        if (pattern.search(text) if how == "search" else pattern.match(text)):
            return reason
    return None


def parse_guesser(reply: str) -> Question | Guess:
    """``QUESTION: <one yes/no question>`` or ``GUESS: <one word>``, or raise InvalidReply.

    A question may hold no second ``QUESTION:`` and nothing after its question mark, and may not ask about
    the word's letters, length, syllables or part of speech, nor be a guess in disguise. The tag must be the
    reply's very first characters (clembench checks the raw reply).
    """
    if reply.startswith(QUESTION_TAG):
        question = reply[len(QUESTION_TAG):].strip()
        if reply.count(QUESTION_TAG) > 1:
            raise InvalidReply("ask only one question per turn")
        if "?" in question:
            parts = question.split("?")
            if len(parts) > 2 or parts[1].strip():
                raise InvalidReply("the question must end with its question mark, with nothing after it")
        reason = banned_reason(question)
        if reason:
            raise InvalidReply(reason)
        return Question(reply)
    if reply.startswith(GUESS_TAG):
        word = reply[len(GUESS_TAG):].strip().lower().translate(str.maketrans("", "", string.punctuation))
        if len(word.split()) != 1:
            raise InvalidReply("guess exactly one word")
        return Guess(word.strip())
    raise InvalidReply(f"start your reply with '{QUESTION_TAG}' or '{GUESS_TAG}'")


def parse_answer(reply: str, variations: Sequence[str] = ANSWER_VARIATIONS) -> str:
    """The answerer's reply, which must be exactly one of ``variations`` (clembench's list), as sent."""
    if reply not in variations:
        raise InvalidReply(f"reply with exactly one of: {', '.join(variations)}")
    return reply


def speed(turns: int, max_turns: int = MAX_TURNS, lower_bound: float = LOWER_BOUND_TURNS) -> float:
    """clembench's Main Score of a right guess after ``turns`` turns: 100 down to 0 at ``max_turns``."""
    if turns <= lower_bound:
        return 100.0
    return max(0.0, 100 * (max_turns - turns) / (max_turns - lower_bound))


# ---------------------------------------------------------------------------------------------- instances

# (categories, subcategories per category, words per subcategory) of each level: 8 candidates each.
LEVELS = {1: (4, 2, 1), 2: (2, 2, 2), 3: (1, 4, 2)}


def make_candidates(rng: random.Random, categories: Mapping[str, Mapping[str, Sequence[str]]], level: int,
                    used: set[str]) -> list[str]:
    """8 candidate words for a level, none of them in ``used`` (which grows): level 1 spreads them over
    4 categories, level 2 over 2, level 3 keeps them in one, so later levels need finer questions."""
    n_categories, n_subcategories, n_words = LEVELS[level]

    def usable(sub: Sequence[str]) -> bool:
        return len([w for w in sub if w not in used]) >= n_words

    names = [c for c in sorted(categories) if sum(usable(s) for s in categories[c].values()) >= n_subcategories]
    if len(names) < n_categories:
        raise ValueError(f"not enough unused words left for a level-{level} instance")
    words: list[str] = []
    for name in rng.sample(names, n_categories):
        subs = [s for s in sorted(categories[name]) if usable(categories[name][s])]
        for sub in rng.sample(subs, n_subcategories):
            chosen = rng.sample([w for w in categories[name][sub] if w not in used], n_words)
            used.update(chosen)
            words.extend(chosen)
    rng.shuffle(words)
    return words


def generate_instances(sets: Mapping[str, Mapping[str, Mapping[str, Sequence[str]]]], seed: int,
                       per_experiment: int = 10) -> dict:
    """clembench's experiments Level_1-3 (concrete words) and Abs_Level_1-3 (abstract words)."""
    rng = random.Random(seed)
    experiments = []
    for prefix, words in (("Level", sets["concrete"]), ("Abs_Level", sets["abstract"])):
        for level in LEVELS:
            used: set[str] = set()
            instances = []
            for game_id in range(per_experiment):
                candidates = make_candidates(rng, words, level, used)
                instances.append({"game_id": game_id, "target_word": rng.choice(candidates), "candidate_list": candidates})
            experiments.append({"name": f"{prefix}_{level}", "max_turns": MAX_TURNS, "question_tag": QUESTION_TAG,
                                "answer_tag": ANSWER_TAG, "guess_tag": GUESS_TAG,
                                "answer_variations": list(ANSWER_VARIATIONS), "game_instances": instances})
    return {"experiments": experiments}
