"""dialogue/guesswhat: clembench's guess what. Find the target among 8 words with yes/no questions.

Make it::

    env = llm_arena_env.make("dialogue/guesswhat")
    env.reset(seed=0, options={"instance": ("Level_2", 5)})

Roles and turns (players ``guesser``, ``answerer``):

- ``guesser`` sees the 8 candidate words and replies, each turn, either ``QUESTION: <one yes/no
  question>`` or ``GUESS: <one word>``. A question holds one ``QUESTION:``, ends at its question mark, and
  may not ask about the word's letters, length, syllables or part of speech, nor be a guess in disguise
  ("Is the target word 'apple'?").
- ``answerer`` knows the target and replies to each question with exactly one of ``ANSWER: yes``,
  ``ANSWER: no``, ``ANSWER: Yes``, ``ANSWER: Yes.``, ``ANSWER: No``, ``ANSWER: No.`` (clembench's list;
  an experiment's ``answer_variations`` wins). The answer is relayed to the guesser as it is.
- The guesser has one guess: a guess ends the game. After ``max_turns`` turns (a turn is a question and
  its answer) without a guess, the game ends.

Outcomes: a reply out of format, or a banned question, aborts the episode (clembench). A right guess is a
Success with Main Score ``Speed``: 100 when found within 5 turns, then falling linearly to 0 at
``max_turns`` (clembench: 100 x (max_turns - turns) / (max_turns - 5)). A wrong guess, or no guess, is a
Lose with Main Score 0.

Keywords of ``make`` (defaults): ``max_turns=8`` (an experiment's ``max_turns`` wins), ``instances``
(clembench's guesswhat files load and play, their prompts included), plus DialogueEnv's and TextEnv's
keywords.

Instances: experiments ``Level_1``-``Level_3`` (candidates from 4, 2 or 1 categories, so later levels need
finer questions) and ``Abs_Level_1``-``Abs_Level_3`` (abstract words), from the curated words in
``resources/guesswhat/categories.json`` by :func:`generate_instances`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from llm_arena_env.games.dialogue import guesswhat_rules as rules
from llm_arena_env.games.dialogue.base import DialogueEnv, IllegalAction

RESOURCES = Path(__file__).parent / "resources" / "guesswhat"

GUESSER_PROMPT = """Let's play a guessing game. Find out which word of the list below is the target word, with as \
few questions as possible. You may ask at most $N$ questions to narrow down the options, and you have only one \
chance to guess the target word, so make it count!

The rules:

1. Ask only one question per turn. NEVER ASK MORE THAN ONE QUESTION.

2. Questions may not be about the structure, spelling or other properties of the word itself, and must be \
answerable with "yes" or "no".

3. Ask your questions in this form, and ADD NO OTHER TEXT:

QUESTION: <your question>

4. You can guess only once. Make your guess in this form, and ADD NO OTHER TEXT:

GUESS: <target word>

You cannot ask for hints. Keep your questions short. Let's begin!

List of candidate words: $LIST$"""

ANSWERER_PROMPT = """Let's play a guessing game! You answer the other player's questions about the word \
$TARGET WORD$. Answer only with 'yes' or 'no', without explanations or other words, and never reveal the word.

Always reply in this form and ADD NO OTHER TEXT:

ANSWER: <yes or no>

Target word: $TARGET WORD$"""


def generate_instances(seed: int = 0) -> dict:
    """The shipped instance set: see :func:`guesswhat_rules.generate_instances`."""
    data = json.loads((RESOURCES / "categories.json").read_text(encoding="utf-8"))
    return rules.generate_instances(data, seed)


class GuessWhatEnv(DialogueEnv):
    """clembench's guess what (see the module docstring)."""

    game_name = "guesswhat"

    def __init__(self, max_turns: int = rules.MAX_TURNS, **kwargs: Any):
        if not isinstance(max_turns, int) or max_turns < 1:
            raise ValueError(f"max_turns must be an int >= 1, got {max_turns!r}")
        self.max_turns = max_turns
        super().__init__(["guesser", "answerer"], **kwargs)

    def _setup(self, instance: dict[str, Any], experiment: dict[str, Any]) -> None:
        if not instance.get("candidate_list") or not instance.get("target_word"):
            raise ValueError("a guesswhat instance needs 'target_word' and 'candidate_list'")
        self.target = str(instance["target_word"])
        self.candidates = [str(c) for c in instance["candidate_list"]]
        self.turn_limit = int(experiment.get("max_turns", self.max_turns))
        self.variations = tuple(experiment.get("answer_variations") or rules.ANSWER_VARIATIONS)
        self.turn = 0
        self.guess: str | None = None
        self.to_move = "guesser"
        guesser = (experiment.get("guesser_initial_prompt") or GUESSER_PROMPT)
        self.tell("guesser", guesser.replace("$LIST$", ", ".join(self.candidates)).replace("$N$", str(self.turn_limit - 1)))
        self.answerer_prompt = (experiment.get("answerer_initial_prompt") or ANSWERER_PROMPT).replace("$TARGET WORD$", self.target)

    def _current_agent(self) -> str:
        return self.to_move

    def _parse_action(self, agent: str, text: str) -> Any:
        try:
            return rules.parse_guesser(text) if agent == "guesser" else rules.parse_answer(text, self.variations)
        except rules.InvalidReply as error:
            raise IllegalAction(str(error)) from None

    def _play(self, agent: str, move: Any) -> None:
        if agent == "answerer":
            self.turn += 1
            if self.turn >= self.turn_limit:
                self.end_game(success=False, main_score=0.0, detail=f"no guess in {self.turn_limit} turns")
                return
            self.tell("guesser", move)
            self.to_move = "guesser"
        elif isinstance(move, rules.Question):
            self.tell("answerer", f"{self.answerer_prompt}\n\n{move.text}" if self.turn == 0 else move.text)
            self.to_move = "answerer"
        else:
            self.guess = move.word
            self.turn += 1
            if move.word == self.target.lower():
                score = rules.speed(self.turn, self.turn_limit)
                self.end_game(success=True, main_score=score, detail=f"guessed {move.word!r}", measures={"Speed": score})
            else:
                self.end_game(success=False, main_score=0.0, detail=f"wrong guess {move.word!r}")

    def _request_totals(self) -> tuple[int, int]:
        """clembench's guesswhat counts one request per round (question and answer, or the guess),
        violated if the episode aborted in it."""
        return self._requests["guesser"].requests, int(self.aborted)

    def _measures(self) -> dict[str, float]:
        return {"Turns": self.turn}

    def _render_text(self) -> str:
        return f"{super()._render_text()}\n\ntarget: {self.target}; candidates: {', '.join(self.candidates)}"


# ---------------------------------------------------------------------- the scripted player

def scripted_move(env: Any, agent: str) -> str:
    """A winning pair (the guesser reads the target): one question and its answer, then the right guess."""
    game = env.unwrapped
    if agent == "answerer":
        return game.variations[0]
    if game.turn == 0:
        return f"{rules.QUESTION_TAG} Is it something people talk about?"
    return f"{rules.GUESS_TAG} {game.target}"
