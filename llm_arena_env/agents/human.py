"""A person at the terminal as an agent: shows the observation, reads a move."""

from __future__ import annotations

import sys
from typing import Any, Callable, TextIO

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
    ``checker(observation, move) -> (ok, reason)`` judges each reply before it is sent: a rejected one (a
    one-line reply where a dialogue game wants two lines, say) is explained and asked again rather than
    forfeited. Without one, the env of the episode judges (``env.check_action``): every episode loop
    (``play_episode``, so ``llm-arena play``, and the arena runner) hands it over through :meth:`bind_env`,
    which also lets the person see the other player's last move (``env.last_move``) on a line of its own.
    """

    def __init__(self, input: TextIO | None = None, output: TextIO | None = None,
                 checker: Callable[[Observation, str], tuple[bool, str]] | None = None):
        # Resolved at each use, not bound at definition, so redirected streams (tests, notebooks) are seen.
        self._input = input
        self._output = output
        self.checker = checker
        self._env: Any = None

    def bind_env(self, env: Any) -> None:
        """The env of the episode this agent plays now (called by the episode loop at each reset)."""
        self._env = env

    @property
    def input(self) -> TextIO:
        return self._input if self._input is not None else sys.stdin

    @property
    def output(self) -> TextIO:
        return self._output if self._output is not None else sys.stdout

    def decide(self, observation: Observation) -> Decision:
        legal = [str(a) for a in observation.get("legal_actions") or ()]
        checker = self.checker
        if checker is None and self._env is not None:
            from llm_arena_env.wrappers.rethink import env_checker

            checker = env_checker(self._env)
        self._say(f"\n{for_a_person(str(observation.get('text', '')))}\n")
        if (last := self._others_last_move()) is not None:
            self._say(f"Last move, by {last[0]}: {last[1]}\n")
        if legal:
            self._say(f"Legal moves: {' '.join(legal)}\n")
        attempts: list[Attempt] = []
        while True:
            line = self._read_line()
            if not line:
                continue
            if not legal:  # free text: a reply of several lines is typed on one, with \n between them
                line = line.replace("\\n", "\n")
            move = read_move(line, observation) if legal else line
            ok, reason = (True, "") if move is None or checker is None else checker(observation, move)
            if move is not None and ok:
                attempts.append(Attempt(raw_output=line, parsed=move, legal=True if legal or checker else None))
                return Decision(move, tuple(attempts))
            reason = reason or f"{line!r} is not a legal move here"
            attempts.append(Attempt(raw_output=line, parsed=move or line, legal=False, reason=reason))
            self._say(f"{reason.rstrip('.')}. " + (f"Legal moves: {' '.join(legal)}\n" if legal else
                                                  "Try again (type \\n where the reply needs a new line).\n"))

    def _others_last_move(self) -> tuple[str, str] | None:
        """``(player, move)`` of the env's last accepted action where another player made it, on one line."""
        last = getattr(self._env, "last_move", None)
        if not last or last[0] == getattr(self._env, "agent_selection", None):
            return None
        player, move = last
        move = move.replace("\n", "\\n")  # typed the same way by a person
        return player, move if len(move) <= 200 else move[:200] + "..."

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


def read_move(line: str, observation: Observation) -> str | None:
    """The legal move a person's ``line`` names: :func:`match_legal`, else what the default parser finds
    (the game's other notations, "Final Answer: X"), unless it could only guess between several moves."""
    move = match_legal(line, [str(a) for a in observation.get("legal_actions") or ()])
    if move is not None:
        return move
    from llm_arena_env.wrappers.parsers import ParserInput, default_parser

    found = default_parser().parse(ParserInput.from_observation(observation, line))
    if found is None or found.tied:  # a tie the parser broke at random: the person is asked again
        return None
    return found.move


def match_legal(line: str, legal: list[str]) -> str | None:
    """The legal move ``line`` names: an exact match, else the one move equal to it ignoring case."""
    if line in legal:
        return line
    folded = [move for move in legal if move.casefold() == line.casefold()]
    return folded[0] if len(folded) == 1 else None
