"""A person at the terminal as an agent: shows the observation, reads a move."""

from __future__ import annotations

import sys
from typing import Callable, TextIO

from llm_arena_env.agents.base import Attempt, BaseAgent, Decision, Observation

QUIT_WORDS = frozenset({"quit", "exit"})


class HumanQuit(Exception):
    """The person chose to stop (typed quit/exit, closed the input, or pressed Ctrl-C)."""


class HumanAgent(BaseAgent):
    """Reads moves from ``input`` (default ``sys.stdin``) and writes prompts to ``output`` (default ``sys.stdout``).

    A reply is read as a model's would be (the project's default parser), so every notation the prompt
    advertises works: UCI ``g1f3`` or SAN ``Nf3`` in chess, ``1,1`` in tic-tac-toe, ``Final Answer: Nf3``.
    Where the game lists its legal moves, a reply that names none of them, or names several equally, is
    re-asked here with a message rather than forfeiting; free-text games list none, so every reply goes
    to the env, which stays the judge of the rules. The answer-format line written for models ("End your
    reply with ... Final Answer: ...") is not shown to a person.

    In free-text games a reply of several lines is typed on one line with ``\n`` between them.
    ``checker(observation, move) -> (ok, reason)`` (e.g. ``rethink.env_checker(env)``, which ``llm-arena
    play`` gives a human) judges each reply as the env would before it is sent: a rejected one (a one-line
    reply where a dialogue game wants two lines, say) is explained and asked again rather than forfeited.
    """

    def __init__(self, input: TextIO | None = None, output: TextIO | None = None,
                 checker: Callable[[Observation, str], tuple[bool, str]] | None = None):
        # Resolved at each use, not bound at definition, so redirected streams (tests, notebooks) are seen.
        self._input = input
        self._output = output
        self.checker = checker

    @property
    def input(self) -> TextIO:
        return self._input if self._input is not None else sys.stdin

    @property
    def output(self) -> TextIO:
        return self._output if self._output is not None else sys.stdout

    def decide(self, observation: Observation) -> Decision:
        legal = [str(a) for a in observation.get("legal_actions") or ()]
        self._say(f"\n{for_a_person(str(observation.get('text', '')))}\n")
        if legal:
            self._say(f"Legal moves: {' '.join(legal)}\n")
        attempts: list[Attempt] = []
        while True:
            line = self._read_line()
            if not line:
                continue
            if not legal:  # free text: a reply of several lines is typed on one, with \n between them
                line = line.replace("\\n", "\n")
            move = read_move(line, legal, str(observation.get("text", ""))) if legal else line
            ok, reason = (True, "") if move is None or self.checker is None else self.checker(observation, move)
            if move is not None and ok:
                attempts.append(Attempt(raw_output=line, parsed=move, legal=True if legal or self.checker else None))
                return Decision(move, tuple(attempts))
            reason = reason or f"{line!r} is not a legal move here"
            attempts.append(Attempt(raw_output=line, parsed=move or line, legal=False, reason=reason))
            self._say(f"{reason.rstrip('.')}. " + (f"Legal moves: {' '.join(legal)}\n" if legal else
                                                  "Try again (type \\n where the reply needs a new line).\n"))

    def _read_line(self) -> str:
        self._say("Your move (or 'quit'): ")
        try:
            line = self.input.readline()
        except KeyboardInterrupt:
            raise HumanQuit("interrupted") from None
        if not line:  # end of input
            raise HumanQuit("end of input")
        line = line.strip()
        if line.lower() in QUIT_WORDS:
            raise HumanQuit(line.lower())
        return line

    def _say(self, text: str) -> None:
        self.output.write(text)
        self.output.flush()

    def __repr__(self) -> str:
        return "HumanAgent()"


def for_a_person(text: str) -> str:
    """``text`` without the answer-format line written for models."""
    from llm_arena_env.core.text_env import DEFAULT_ANSWER_FORMAT

    return "\n".join(line for line in text.split("\n") if line.strip() != DEFAULT_ANSWER_FORMAT).rstrip()


def read_move(line: str, legal: list[str], state_text: str) -> str | None:
    """The legal move a person's ``line`` names: :func:`match_legal`, else what the default parser finds
    (other notations, "Final Answer: X"), unless it could only guess between several moves."""
    move = match_legal(line, legal)
    if move is not None:
        return move
    from llm_arena_env.wrappers.parsers import ParserInput, default_parser

    found = default_parser().parse(ParserInput(text=line, legal_actions=tuple(legal), state_text=state_text))
    if found is None or "equally" in str(getattr(found, "note", "")):  # parsers.pick: a tie it broke at random
        return None
    return str(found)


def match_legal(line: str, legal: list[str]) -> str | None:
    """The legal move ``line`` names: an exact match, else the one move equal to it ignoring case."""
    if line in legal:
        return line
    folded = [move for move in legal if move.casefold() == line.casefold()]
    return folded[0] if len(folded) == 1 else None
