"""Watching a game as it goes (``llm-arena play ... --watch``), as game_arena's demo shows it: for every
move, the prompt the model got, its reasoning (folded), its raw reply, the parsed move, every rethink with
the feedback it was given, and what the env made of the move; in a terminal that shows pictures (kitty's
or iTerm2's inline image protocol), the board as a picture after each move.

>>> play_episode(env, agents, on_step=Watcher(sys.stdout, {"player_0": "claude"}))
"""

from __future__ import annotations

import base64
import io
import os
import shutil
from typing import Any, Callable, Mapping, TextIO

import numpy as np

from llm_arena_env.agents.base import Attempt, Verdict
from llm_arena_env.arena.records import StepRecord

KITTY_CHUNK = 4096  # kitty takes a picture's base64 in chunks of at most this many bytes

FOLD_LINES = 6  # reasoning longer than this is shown by its first and last lines


class Watcher:
    """An ``on_step`` callback that prints each step to ``stream``."""

    def __init__(self, stream: TextIO, names: Mapping[str, str] | None = None, *, show_prompt: bool = True,
                 picture: Callable[[], Any] | None = None, graphics: str | None = None):
        """``picture``: the board as an HxWx3 array after each move (``env.render`` of an rgb_array env),
        shown with the terminal's ``graphics`` protocol ("kitty" or "iterm", see :func:`terminal_graphics`)."""
        self.stream = stream
        self.names = dict(names or {})
        self.show_prompt = show_prompt
        self.picture = picture if graphics else None
        self.graphics = graphics
        self.steps = 0
        self._systems_shown: set[str] = set()

    def __call__(self, step: StepRecord) -> None:
        self.steps += 1
        who = f"{step.player} ({self.names[step.player]})" if step.player in self.names else step.player
        width = min(100, shutil.get_terminal_size((100, 20)).columns)
        self._print(f"\n{'━' * 3} move {self.steps}: {who} {'━' * max(3, width - len(who) - 14)}")
        attempts = list(step.attempts)
        if self.show_prompt:
            self._prompt(step, attempts)
        for number, attempt in enumerate(attempts, 1):
            self._attempt(number, len(attempts), attempt)
        verdict = "accepted" if step.accepted else f"REJECTED: {step.rejection}"
        self._print(f"=> {step.action!r} {verdict}")
        if self.picture is not None:
            image = self.picture()
            if isinstance(image, np.ndarray):
                self._print(inline_image(image, self.graphics or ""))

    def _prompt(self, step: StepRecord, attempts: list[Attempt]) -> None:
        prompt = list(attempts[0].prompt) if attempts else []
        if not prompt:  # an agent without a model: what it saw
            self._block("observation", step.observation)
            return
        system = next((m["content"] for m in prompt if m.get("role") == "system"), "")
        if system and step.player not in self._systems_shown:
            self._systems_shown.add(step.player)
            self._block("system prompt", system)
        user = next((m["content"] for m in reversed(prompt) if m.get("role") == "user"), "")
        self._block("prompt", user)

    def _attempt(self, number: int, count: int, attempt: Attempt) -> None:
        head = f"attempt {number}/{count}" if count > 1 else "reply"
        verdict = attempt.verdict
        if verdict is Verdict.ERROR:
            self._print(f"[{head}] transport error: {attempt.error}")
            return
        if attempt.reasoning:
            self._block(f"{head}: reasoning", fold(attempt.reasoning))
        self._block(f"{head}: raw reply", attempt.raw_output)
        if verdict is Verdict.UNPARSED:
            self._print(f"[{head}] parsed: nothing" + (f" ({attempt.reason})" if attempt.reason else ""))
        else:
            judged = {Verdict.ACCEPTED: " (legal)", Verdict.REJECTED: f" (illegal: {attempt.reason})"}
            self._print(f"[{head}] parsed: {attempt.parsed!r}" + judged.get(verdict, ""))
        if attempt.votes:
            self._print(f"[{head}] votes: " + ", ".join(f"{m} x{n}" for m, n in attempt.votes.items()))
        if attempt.feedback:
            self._block(f"{head}: feedback for the next try", attempt.feedback)

    def _block(self, title: str, text: str) -> None:
        body = "\n".join("  " + line for line in str(text).rstrip().splitlines()) or "  (empty)"
        self._print(f"[{title}]\n{body}")

    def _print(self, text: str) -> None:
        print(text, file=self.stream, flush=True)


def terminal_graphics(stream: TextIO, environ: Mapping[str, str] = os.environ) -> str | None:
    """"kitty" or "iterm" where ``stream`` is a terminal that shows inline pictures that way, else None."""
    if not (hasattr(stream, "isatty") and stream.isatty()):
        return None
    if environ.get("KITTY_WINDOW_ID") or environ.get("TERM") == "xterm-kitty":
        return "kitty"
    if environ.get("TERM_PROGRAM") in ("iTerm.app", "WezTerm"):
        return "iterm"
    return None


def inline_image(image: np.ndarray, protocol: str) -> str:
    """The escape sequence that shows ``image`` (HxWx3 uint8) as a PNG in the terminal."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(image), mode="RGB").save(buffer, format="PNG")
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    if protocol == "iterm":
        return f"\x1b]1337;File=inline=1;size={len(buffer.getvalue())};preserveAspectRatio=1:{data}\a"
    chunks = [data[i:i + KITTY_CHUNK] for i in range(0, len(data), KITTY_CHUNK)]
    return "".join(
        ("\x1b_Gf=100,a=T," if i == 0 else "\x1b_G") + f"m={int(i < len(chunks) - 1)};{chunk}\x1b\\"
        for i, chunk in enumerate(chunks)
    )


def fold(text: str, lines: int = FOLD_LINES) -> str:
    """``text`` if it is short, else its first and last lines around a count of those left out."""
    all_lines = text.strip().splitlines()
    if len(all_lines) <= lines:
        return text.strip()
    half = lines // 2
    return "\n".join(all_lines[:half] + [f"... ({len(all_lines) - 2 * half} more lines) ..."] + all_lines[-half:])


__all__ = ["Watcher", "fold", "terminal_graphics", "inline_image"]
