"""Gymnasium spaces for text observations and actions.

Gymnasium's ``Text`` accepts only letters and digits by default; model prompts and replies hold any
unicode, so ``FreeText`` accepts every string up to a maximum length.
"""

from __future__ import annotations

import string
from typing import Any

import numpy as np
from gymnasium import spaces

from llm_arena_env.core.notation import PLAIN, Notation

# What ``sample`` draws from; ``contains`` accepts any character.
_SAMPLE_CHARSET = string.ascii_letters + string.digits + string.punctuation + " \n"


class FreeText(spaces.Text):
    """A string of any characters, of length ``min_length`` to ``max_length``."""

    def __init__(self, max_length: int = 1_000_000, *, min_length: int = 0, seed: Any = None):
        super().__init__(max_length, min_length=min_length, charset=_SAMPLE_CHARSET, seed=seed)

    def contains(self, x: Any) -> bool:
        return isinstance(x, str) and self.min_length <= len(x) <= self.max_length

    def __repr__(self) -> str:
        return f"FreeText({self.min_length}, {self.max_length})"


class NotationSpace(spaces.Space):
    """The space of an observation's ``"notation"``: any :class:`~llm_arena_env.core.notation.Notation`."""

    def __init__(self, seed: Any = None):
        super().__init__(None, None, seed)

    def contains(self, x: Any) -> bool:
        return isinstance(x, Notation)

    def sample(self, mask: Any = None, probability: Any = None) -> Any:
        return PLAIN

    @property
    def is_np_flattenable(self) -> bool:
        return False

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, NotationSpace)

    def __repr__(self) -> str:
        return "NotationSpace()"


def observation_space(*, num_actions: int | None, image_shape: tuple[int, int, int] | None) -> spaces.Dict:
    """The observation space of DESIGN.md's observation dict, with the keys this env's mode has."""
    message = spaces.Dict({"role": FreeText(16), "content": FreeText()})
    parts: dict[str, spaces.Space] = {"text": FreeText(), "messages": spaces.Sequence(message)}
    parts["legal_actions"] = spaces.Sequence(FreeText(256))
    parts["notation"] = NotationSpace()
    if num_actions is not None:
        parts["action_mask"] = spaces.Box(0, 1, (num_actions,), np.int8)
    if image_shape is not None:
        parts["image"] = spaces.Box(0, 255, image_shape, np.uint8)
    return spaces.Dict(parts)
