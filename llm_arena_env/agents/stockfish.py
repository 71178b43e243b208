"""Stockfish as a chess agent, through python-chess's UCI driver.

>>> with StockfishAgent(skill=5, time_per_move=0.05) as engine:
...     move = engine.act(env.observe("white"))

The position comes from the observation's ``FEN:`` line, so the agent keeps no state of its own, and the
move goes back in the notation the env lists its legal moves in (SAN or UCI).
"""

from __future__ import annotations

import os
import shutil
from typing import Any, Sequence

import chess
import chess.engine

from llm_arena_env.agents.base import Attempt, BaseAgent, Decision, Observation

# Debian and Ubuntu install the binary outside the usual PATH of non-login shells.
_KNOWN_LOCATIONS = ("/usr/games/stockfish", "/usr/local/bin/stockfish", "/opt/homebrew/bin/stockfish")
MIN_SKILL, MAX_SKILL = 0, 20


class StockfishNotFoundError(FileNotFoundError):
    """No Stockfish binary could be found or started."""


def find_stockfish(path: str | os.PathLike[str] | None = None) -> str:
    """The Stockfish binary to run: ``path`` if given, else ``stockfish`` on PATH or a known install location."""
    if path is not None:
        found = shutil.which(os.fspath(path))
        if found is None:
            raise StockfishNotFoundError(f"no executable Stockfish at path={os.fspath(path)!r}")
        return found
    found = shutil.which("stockfish") or next((p for p in _KNOWN_LOCATIONS if shutil.which(p)), None)
    if found is None:
        raise StockfishNotFoundError(
            "Stockfish is not installed: install it (Debian/Ubuntu: `apt-get install stockfish`, "
            "macOS: `brew install stockfish`) or pass the binary as StockfishAgent(path=...)"
        )
    return found


def move_in_notation(board: chess.Board, move: chess.Move, legal_actions: Sequence[str]) -> str:
    """``move`` written as the env writes it: the listed legal action that is this move in SAN or UCI.

    Where the env lists nothing that matches, UCI, which needs no board to read."""
    uci, san = move.uci(), board.san(move)
    bare_san = san.rstrip("+#")
    for action in legal_actions:
        if action in (uci, san) or action.rstrip("+#") == bare_san:
            return action
    return uci


class StockfishAgent(BaseAgent):
    """The Stockfish engine at a given skill level (0 weakest .. 20 full strength) and time per move."""

    def __init__(
        self,
        skill: int = MAX_SKILL,
        time_per_move: float | None = 0.05,
        depth: int | None = None,
        path: str | os.PathLike[str] | None = None,
    ):
        if isinstance(skill, bool) or not isinstance(skill, int) or not MIN_SKILL <= skill <= MAX_SKILL:
            raise ValueError(f"skill must be an int from {MIN_SKILL} to {MAX_SKILL}, got {skill!r}")
        if time_per_move is not None and not (isinstance(time_per_move, (int, float)) and time_per_move > 0):
            raise ValueError(f"time_per_move must be a number of seconds > 0 or None, got {time_per_move!r}")
        if depth is not None and (isinstance(depth, bool) or not isinstance(depth, int) or depth < 1):
            raise ValueError(f"depth must be an int >= 1 or None, got {depth!r}")
        if time_per_move is None and depth is None:
            raise ValueError("give time_per_move or depth (or both), or the engine would think forever")
        self.skill = skill
        self.time_per_move = time_per_move
        self.depth = depth
        self.path = find_stockfish(path)
        self._limit = chess.engine.Limit(time=time_per_move, depth=depth)
        self._engine: chess.engine.SimpleEngine | None = None
        try:
            self._engine = chess.engine.SimpleEngine.popen_uci(self.path)
            self._engine.configure({"Skill Level": skill})
        except (OSError, chess.engine.EngineError) as error:
            self.close()
            raise StockfishNotFoundError(f"could not start Stockfish at {self.path!r}: {error}") from error

    @property
    def configured_skill(self) -> Any:
        """The "Skill Level" the running engine was configured with (what it really plays at)."""
        return None if self._engine is None else self._engine.protocol.config.get("Skill Level")

    def decide(self, observation: Observation) -> Decision:
        if self._engine is None:
            raise RuntimeError("this StockfishAgent is closed")
        from llm_arena_env.games.chess import fen_from_text  # the chess game owns its text format

        fen = fen_from_text(str(observation.get("text", "")))
        if fen is None:
            raise ValueError("StockfishAgent plays chess only: the observation has no 'FEN: ...' line")
        board = chess.Board(fen)
        move = self._engine.play(board, self._limit).move
        if move is None:  # only when the position has no legal move, which a live game never asks about
            raise ValueError(f"Stockfish found no move in {fen!r}")
        action = move_in_notation(board, move, observation.get("legal_actions") or ())
        return Decision(action, (Attempt(raw_output=move.uci(), parsed=action),))

    def close(self) -> None:
        """Stop the engine process. Safe to call more than once."""
        engine, self._engine = getattr(self, "_engine", None), None  # None also when __init__ failed early
        if engine is None:
            return
        try:
            engine.quit()
        except Exception:  # noqa: BLE001  (dead, hung or already shut down: closing must not fail)
            engine.close()  # drop the transport instead of waiting on it

    def __enter__(self) -> StockfishAgent:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # noqa: BLE001  (at interpreter exit the engine's event loop may be gone already)
            pass

    def __repr__(self) -> str:
        return f"StockfishAgent(skill={self.skill}, time_per_move={self.time_per_move}, depth={self.depth})"
