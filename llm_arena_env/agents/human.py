"""A person at the terminal as an agent: shows the observation, reads a move."""

from __future__ import annotations

import sys
from typing import TextIO

from llm_arena_env.agents.base import Attempt, BaseAgent, Decision, Observation

QUIT_WORDS = frozenset({"quit", "exit"})


class HumanQuit(Exception):
    """The person chose to stop (typed quit/exit, closed the input, or pressed Ctrl-C)."""


class HumanAgent(BaseAgent):
    """Reads moves from ``input`` (default ``sys.stdin``) and writes prompts to ``output`` (default ``sys.stdout``).

    Where the game lists its legal moves, anything else is re-asked here with a message; free-text games
    list none, so every reply goes to the env, which stays the judge of the rules.
    """

    def __init__(self, input: TextIO | None = None, output: TextIO | None = None):
        # Resolved at each use, not bound at definition, so redirected streams (tests, notebooks) are seen.
        self._input = input
        self._output = output

    @property
    def input(self) -> TextIO:
        return self._input if self._input is not None else sys.stdin

    @property
    def output(self) -> TextIO:
        return self._output if self._output is not None else sys.stdout

    def decide(self, observation: Observation) -> Decision:
        legal = [str(a) for a in observation.get("legal_actions") or ()]
        self._say(f"\n{observation.get('text', '')}\n")
        if legal:
            self._say(f"Legal moves: {' '.join(legal)}\n")
        attempts: list[Attempt] = []
        while True:
            line = self._read_line()
            if not line:
                continue
            move = match_legal(line, legal) if legal else line
            if move is not None:
                attempts.append(Attempt(raw_output=line, parsed=move, legal=True if legal else None))
                return Decision(move, tuple(attempts))
            reason = f"{line!r} is not a legal move here"
            attempts.append(Attempt(raw_output=line, parsed=line, legal=False, reason=reason))
            self._say(f"{reason}. Legal moves: {' '.join(legal)}\n")

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


def match_legal(line: str, legal: list[str]) -> str | None:
    """The legal move ``line`` names: an exact match, else the one move equal to it ignoring case."""
    if line in legal:
        return line
    folded = [move for move in legal if move.casefold() == line.casefold()]
    return folded[0] if len(folded) == 1 else None
