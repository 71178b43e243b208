"""Map world with pictures: rooms are seen, not named, alone or as a describer-and-walker team.

    env = llm_arena_env.make("grid/mapworld")                 # roles=1: the walker sees each room
    env = llm_arena_env.make("grid/mapworld", roles=2)        # a describer sees it and tells the walker

Same house, moves and scores as the text map world (``env.py``), with ``task="find"`` by default: find the
room of a named type (a kitchen, a library, ...) and say DONE there. Each room type has its own picture
(``pictures.py``).

- ``roles=1``: one player, ``"player"``. Its image is the picture of the room it is in, and the text does
  not name the room.
- ``roles=2``: ``"describer"`` and ``"walker"`` take turns. The describer sees the room's picture and
  describes it in words (free text, or one of the canned descriptions with ids 5 and up); the walker
  reads the description and the exits and replies ``GO: <direction>`` or ``DONE`` (ids 0-4). The turn
  limit counts the walker's replies. Both share the outcome and the reward. The walker's image is its
  own text, drawn.
- With ``observation_mode="text"`` there is no picture, so rooms are named in the text instead.
  ``render`` draws the whole map with a small picture in every room.
- ``observation_mode="tensor"`` (``roles=1``): the text map world's planes; the room names are then in the
  text, as with ``"text"``. ``roles=2`` has no tensor form (the describer's view is a picture).

Version history: v0, first version.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Callable

import numpy as np

from llm_arena_env.core.render import text_to_image
from llm_arena_env.core.text_env import IllegalAction
from llm_arena_env.games.grid.mapworld.draw import draw_map
from llm_arena_env.games.grid.mapworld.env import COMMANDS, Command, MapWorldEnv
from llm_arena_env.games.grid.mapworld.env import scripted_move as walk
from llm_arena_env.games.grid.mapworld.pictures import ROOM_TYPES, room_picture

MAX_DESCRIPTION = 2_000


def make_mapworld(roles: int = 1, **kwargs: Any) -> MapWorldEnv:
    """The picture map world for one player (``roles=1``) or a describer and a walker (``roles=2``)."""
    kwargs.setdefault("task", "find")
    if roles == 1:
        return PictureMapWorldEnv(**kwargs)
    if roles == 2:
        return DescriberWalkerEnv(**kwargs)
    raise ValueError(f"roles must be 1 or 2, got {roles!r}")


def _article(noun: str) -> str:
    return f"an {noun}" if noun[0] in "aeiou" else f"a {noun}"


class PictureMapWorldEnv(MapWorldEnv):
    """One walker who sees the picture of the room it is in."""

    def __init__(self, **kwargs: Any):
        self.pictures = "image" in kwargs.get("observation_mode", "text")
        if self.pictures and kwargs.get("ask_graph"):
            raise ValueError("ask_graph needs room names, which the picture form does not give: "
                             "use observation_mode='text'")
        super().__init__(**kwargs)

    def _where(self) -> str:
        return "the room shown in the image" if self.pictures else super()._where()

    def _goal(self) -> str:
        if self.task == "find" and self.pictures:
            return f"Find {_article(self.map.names[self.target].lower())} and say DONE when you are in it."
        return super()._goal()

    def _render_image(self, agent: str | None) -> np.ndarray:
        if agent is None:
            return draw_map(self.map, self.image_size, here=self.here, visited=self.visited, walked=self.walked,
                            target=self.target, pictures=True)
        return room_picture(self.map.names[self.here], self.image_size)


class DescriberWalkerEnv(PictureMapWorldEnv):
    """A describer who sees the room and a walker who moves; see the module docstring."""

    players = ("describer", "walker")
    walker = "walker"
    num_actions = len(COMMANDS) + len(ROOM_TYPES)  # walker commands, then one canned description per room type
    CANNED = tuple(f"It looks like {_article(room.lower())}." for room in ROOM_TYPES)

    def _why_no_tensor(self) -> str | None:
        return "the describer's view is a picture of the room, which has no numeric form here"

    def _new_game(self, options: dict) -> None:
        super()._new_game(options)
        self.describing = True
        self.description = ""

    def _current_agent(self) -> str:
        return "describer" if self.describing else "walker"

    def _parse_action(self, agent: str, text: str) -> Command | str:
        if agent == "walker":
            return super()._parse_action(agent, text)
        description = text.strip()
        if len(description) > MAX_DESCRIPTION:
            raise IllegalAction(f"a description has at most {MAX_DESCRIPTION} characters")
        if any(unicodedata.category(char) == "Cc" and char not in "\n\t" for char in description):
            raise IllegalAction("a description may not hold control characters")
        if not re.search(r"[^\W\d_]{2,}", description):
            raise IllegalAction("describe the room in words")
        return description

    def _parse_action_id(self, agent: str, action_id: int) -> Command | str:
        if agent == "walker":
            if action_id >= len(COMMANDS):
                raise IllegalAction(f"the walker's ids are 0 to {len(COMMANDS) - 1}: {', '.join(COMMANDS)}")
            return super()._parse_action_id(agent, action_id)
        if action_id < len(COMMANDS):
            raise IllegalAction(f"the describer describes the room; its ids are {len(COMMANDS)} and up")
        return self.CANNED[action_id - len(COMMANDS)]

    def _apply(self, agent: str, move: Command | str) -> None:
        if agent == "walker":
            super()._apply(agent, move)
            self.describing = not self.finished
            self.description = "" if move.direction else self.description
            return
        self.chat[agent] += [{"role": "user", "content": self._observation_text(agent)},
                             {"role": "assistant", "content": move}]
        self.description = move
        self.describing = False

    def _describer_rules(self) -> str:
        return ("You and a partner, the walker, explore a house. The walker cannot see the rooms; you see the room "
                f"the walker is in, and describe it so that the walker can tell which room it is. The walker's task: "
                f"{self._goal()} Reply with your description only.")

    def _walker_rules(self) -> str:
        return self._rules() + (" You cannot see the rooms: your partner, the describer, sees the room you are in "
                                "and describes it.")

    def _system_prompt(self, agent: str) -> str:
        return self._describer_rules() if agent == "describer" else self._walker_rules()

    def _prompt_fields(self, agent: str) -> dict[str, Callable[[], str]]:
        fields = super()._prompt_fields(agent)
        fields["description"] = lambda: self.description
        if agent == "describer":  # its own rules and answer format replace the walker's
            fields.update(rules=self._describer_rules, state=self._describer_view,
                          answer_format=lambda: "Reply with your description of the room.")
        else:
            fields.update(rules=self._walker_rules, state=self._walker_view)
        return fields

    def _describer_view(self) -> str:
        moved = f"The walker went {self.last_direction}. " if self.last_direction else ""
        return f"{moved}The walker is in {self._where()}. Describe it."

    def _walker_view(self) -> str:
        event = f"{self._event()} " if self._event() else ""
        told = f"Your partner describes the room you are in: \"{self.description}\"" if self.description \
            else "Your partner has not described this room yet."
        return f"{event}{told} Exits: {', '.join(self.map.exits(self.here))}."

    def _legal_actions(self, agent: str) -> list[str]:
        return list(self.CANNED) if agent == "describer" else super()._legal_actions(agent)

    def _legal_action_ids(self, agent: str) -> list[int]:
        if agent == "describer":
            return list(range(len(COMMANDS), self.num_actions))
        return super()._legal_action_ids(agent)

    def _render_image(self, agent: str | None) -> np.ndarray:
        if agent == "walker":
            return text_to_image(self._observation_text(agent), self.image_size)
        return super()._render_image(agent)


# ---------------------------------------------------------------------- the scripted player

def scripted_move(env: Any, agent: str) -> str:
    """The text map world's walker; the describer names the room the walker is in."""
    game = env.unwrapped
    if agent == "describer":
        return f"It looks like {_article(game.map.names[game.here].lower())}."
    return walk(env, agent)
