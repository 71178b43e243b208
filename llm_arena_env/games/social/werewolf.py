"""Werewolf: a hidden-role game for 5 to 8 players who talk, vote and act at night.

>>> env = llm_arena_env.make("social/werewolf", players=6)

Roles: werewolves (1 for 5 or 6 players, 2 for 7 or 8), one seer, one doctor, the rest villagers. Werewolves
know each other; nobody else knows anyone's role. Each cycle:

- **Night**: each living werewolf names a victim (the werewolves see each other's choices; the most named
  dies, ties going to the last werewolf's choice); the doctor names a player to protect (that player
  survives the night); the seer names a player and learns whether it is a werewolf.
- **Day**: everyone hears who died in the night. Each living player speaks ``discussion_rounds`` times in
  turn (any text; all living players hear it). Then each living player votes for a player to eliminate,
  or ``nobody``; the most voted is eliminated (a tie eliminates nobody) and its role revealed.

The village (villagers, seer, doctor) wins when no werewolf is alive; the werewolves win when they are at
least as many as the others. After ``max_days`` days the game stops as a draw.

- Players: ``player_0`` .. ``player_{n-1}``; roles are dealt by the env's seed (``reset(seed=...)``), or
  given as ``reset(options={"roles": {"player_0": "werewolf", ...}})``.
- Observations: each player's own conversation with the game master (``messages``): what its role lets
  it know and what was said and done in public, never another player's secret (the werewolves' night
  talk, the seer's findings, the doctor's choice). ``legal_actions`` lists the targets when a player must
  name one; discussion is free text (``legal_actions`` empty).
- Actions: ``player_3`` (or ``3``) to name a target; ``nobody`` in a day vote; any text up to
  ``max_statement_length`` characters to speak.
- Rewards: +1 to every player of the winning team, -1 to the others; 0 for all on a draw. ``infos[p]``
  carries ``role``, ``team`` and ``survived``; the scores carry the winner (``Village Won``,
  ``Werewolves Won``), ``Days`` and, for each role, ``Survived <role>`` (the share of that role alive).
  :func:`llm_arena_env.arena.ratings.matches_from_episodes` pairs only players of opposite teams.

Version history: v0, the first.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any, Callable

from llm_arena_env.core.outcome import EndReason, Outcome, Result
from llm_arena_env.core.text_env import IllegalAction, TextEnv

WEREWOLF, SEER, DOCTOR, VILLAGER = "werewolf", "seer", "doctor", "villager"
ROLES = (WEREWOLF, SEER, DOCTOR, VILLAGER)
PLURAL = {WEREWOLF: "werewolves", SEER: "seers", DOCTOR: "doctors", VILLAGER: "villagers"}
VILLAGE, WEREWOLVES = "village", "werewolves"
NOBODY = "nobody"
_TARGET = re.compile(r"(?:player[ _]?)?(\d+)", re.IGNORECASE)

RULES = (
    "You are playing Werewolf with {n} players: {cast}. Werewolves know each other; nobody else knows "
    "anyone's role. Each night every werewolf names a victim (the most named dies), the doctor names a "
    "player to protect from the werewolves that night, and the seer names a player and learns whether it "
    "is a werewolf. Each day everyone hears who died, the living speak in turn, and then vote to eliminate "
    "one player (or nobody); the most voted is eliminated (a tie eliminates nobody) and its role is "
    "revealed. The village (villagers, seer, doctor) wins when no werewolf is left; the werewolves win "
    "when they are at least as many as the others."
)


def team_of(role: str) -> str:
    return WEREWOLVES if role == WEREWOLF else VILLAGE


def deal_roles(players: int) -> list[str]:
    """The roles of a game of ``players`` (5 to 8), before shuffling."""
    wolves = 1 if players <= 6 else 2
    return [WEREWOLF] * wolves + [SEER, DOCTOR] + [VILLAGER] * (players - wolves - 2)


@dataclass(frozen=True)
class Task:
    """What the player to act must do now."""

    agent: str
    kind: str  # "kill", "protect", "inspect", "speak", "vote"


class WerewolfEnv(TextEnv):
    """Werewolf for 5 to 8 players. See the module docstring."""

    metadata = {**TextEnv.metadata, "name": "werewolf"}
    has_picture = False
    default_prompt_template = "{state}\n\n{answer_format}"

    def __init__(self, players: int = 6, *, discussion_rounds: int = 1, max_days: int = 10,
                 max_statement_length: int = 1500, **kwargs: Any):
        if isinstance(players, bool) or not isinstance(players, int) or not 5 <= players <= 8:
            raise ValueError(f"players must be an int from 5 to 8, got {players!r}")
        for name, value in (("discussion_rounds", discussion_rounds), ("max_days", max_days),
                            ("max_statement_length", max_statement_length)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be an int >= 1, got {value!r}")
        self.discussion_rounds = discussion_rounds
        self.max_days = max_days
        self.max_statement_length = max_statement_length
        kwargs.setdefault("answer_format", "End your reply with: Final Answer: <your choice or what you say>")
        super().__init__([f"player_{i}" for i in range(players)], **kwargs)

    # ------------------------------------------------------------------ state

    def _new_game(self, options: dict) -> None:
        players = self.possible_agents
        given = options.get("roles")
        if given is not None:
            if sorted(given) != sorted(players) or sorted(given.values()) != sorted(deal_roles(len(players))):
                raise ValueError(f"options['roles'] must give each of {players} one of the roles {deal_roles(len(players))}")
            self.roles = dict(given)
        else:
            shuffled = list(deal_roles(len(players)))
            self.np_random.shuffle(shuffled)
            self.roles = dict(zip(players, shuffled))
        self.alive = list(players)
        self.day = 0
        self._pending: dict[str, list[str]] = {a: [] for a in players}
        self._history: dict[str, list[dict[str, str]]] = {a: [] for a in players}
        self._tasks: list[Task] = []
        self._kills: list[str] = []
        self._protected: str | None = None
        self._votes: dict[str, str] = {}
        self._winner: str | None = None
        self.public_log: list[str] = []  # what everyone heard, for render and transcripts
        # the cast in a fixed order: listed in seat order it would tell who holds which role
        counts = Counter(deal_roles(len(players)))
        cast = ", ".join(f"{counts[role]} {PLURAL[role] if counts[role] > 1 else role}" for role in ROLES if counts[role])
        wolves = [a for a in players if self.roles[a] == WEREWOLF]
        for agent in players:
            told = [RULES.format(n=len(players), cast=cast), f"You are {agent}. Your role: {self.roles[agent]}."]
            if self.roles[agent] == WEREWOLF and len(wolves) > 1:
                told.append(f"The werewolves are {', '.join(wolves)}.")
            self._tell(agent, " ".join(told))
        self._start_night()

    def _tell(self, agent: str, text: str) -> None:
        self._pending[agent].append(text)

    def _announce(self, text: str) -> None:
        """Said in public: every player hears it (the dead too: they watch)."""
        self.public_log.append(text)
        for agent in self.possible_agents:
            self._tell(agent, text)

    def _living(self, role: str) -> list[str]:
        return [a for a in self.alive if self.roles[a] == role]

    # ------------------------------------------------------------------ phases

    def _start_night(self) -> None:
        self._announce(f"Night {self.day + 1} falls.")
        self._kills, self._protected = [], None
        self._tasks = [Task(a, "kill") for a in self._living(WEREWOLF)]
        self._tasks += [Task(a, "protect") for a in self._living(DOCTOR)]
        self._tasks += [Task(a, "inspect") for a in self._living(SEER)]

    def _end_night(self) -> None:
        self.day += 1
        counts = Counter(self._kills)
        top = max(counts.values())
        victim = next(v for v in reversed(self._kills) if counts[v] == top)  # ties: the last werewolf's choice
        if victim == self._protected:
            self._announce(f"Day {self.day} begins. Nobody died in the night.")
        else:
            self.alive.remove(victim)
            self._announce(f"Day {self.day} begins. {victim} was killed in the night.")
        if self._check_winner():
            return
        self._announce(f"Living players: {', '.join(self.alive)}. Discussion starts.")
        self._tasks = [Task(a, "speak") for _ in range(self.discussion_rounds) for a in self.alive]

    def _start_vote(self) -> None:
        self._votes = {}
        self._announce("Discussion is over. Vote for a player to eliminate, or nobody.")
        self._tasks = [Task(a, "vote") for a in self.alive]

    def _end_vote(self) -> None:
        said = ", ".join(f"{voter} voted {target}" for voter, target in self._votes.items())
        counts = Counter(t for t in self._votes.values() if t != NOBODY)
        best = max(counts.values(), default=0)
        leaders = [t for t, c in counts.items() if c == best]
        if best and len(leaders) == 1:
            out = leaders[0]
            self.alive.remove(out)
            self._announce(f"Votes: {said}. {out} is eliminated; {out} was a {self.roles[out]}.")
        else:
            self._announce(f"Votes: {said}. Nobody is eliminated.")
        if self._check_winner():
            return
        if self.day >= self.max_days:
            return
        self._start_night()

    def _check_winner(self) -> bool:
        wolves = len(self._living(WEREWOLF))
        if wolves == 0:
            self._winner = VILLAGE
        elif wolves >= len(self.alive) - wolves:
            self._winner = WEREWOLVES
        if self._winner:
            self._announce(f"The game is over: the {self._winner} win. Roles: "
                           + ", ".join(f"{a} {r}" for a, r in self.roles.items()) + ".")
            self._tasks = []
        return self._winner is not None

    # ------------------------------------------------------------------ TextEnv hooks

    def _current_agent(self) -> str:
        return self._tasks[0].agent if self._tasks else self.possible_agents[0]

    def _targets(self, task: Task) -> list[str]:
        if task.kind == "kill":
            return [a for a in self.alive if self.roles[a] != WEREWOLF]
        if task.kind == "protect":
            return list(self.alive)
        if task.kind == "inspect":
            return [a for a in self.alive if a != task.agent]
        if task.kind == "vote":
            return [a for a in self.alive if a != task.agent] + [NOBODY]
        return []

    def _parse_action(self, agent: str, text: str) -> str:
        task = self._tasks[0]
        if task.kind == "speak":
            said = text.strip()
            if not said:
                raise IllegalAction("say something: an empty statement is not allowed")
            if len(said) > self.max_statement_length:
                raise IllegalAction(f"the statement is too long ({len(said)} characters, at most {self.max_statement_length})")
            return said
        targets = self._targets(task)
        wanted = text.strip().casefold()
        match = _TARGET.fullmatch(wanted)
        name = f"player_{int(match[1])}" if match else wanted
        if name not in targets:
            raise IllegalAction(f"{text.strip()[:60]!r} is not a choice now; choose one of: {', '.join(targets)}")
        return name

    def _apply(self, agent: str, move: str) -> None:
        self._history[agent].append({"role": "user", "content": self._observation_text(agent)})
        self._history[agent].append({"role": "assistant", "content": move})
        self._pending[agent] = []
        task = self._tasks.pop(0)
        if task.kind == "kill":
            self._kills.append(move)
            for wolf in self._living(WEREWOLF):
                if wolf != agent:
                    self._tell(wolf, f"(werewolves only) {agent} chose to kill {move}.")
        elif task.kind == "protect":
            self._protected = move
        elif task.kind == "inspect":
            is_wolf = self.roles[move] == WEREWOLF
            self._tell(agent, f"(seer only) {move} is {'a werewolf' if is_wolf else 'not a werewolf'}.")
        elif task.kind == "speak":
            self.public_log.append(f"{agent} said: {move}")
            for other in self.possible_agents:
                if other != agent:
                    self._tell(other, f"{agent} said: {move}")
        elif task.kind == "vote":
            self._votes[agent] = move
        if not self._tasks:  # the phase is over
            {"kill": self._end_night, "protect": self._end_night, "inspect": self._end_night,
             "speak": self._start_vote, "vote": self._end_vote}[task.kind]()

    def _result(self) -> Result | None:
        scores = {"Days": float(self.day), **self._survival()}
        if self._winner is not None:
            won = {a: team_of(self.roles[a]) == self._winner for a in self.possible_agents}
            rewards = {a: 1.0 if won[a] else -1.0 for a in self.possible_agents}
            outcomes = {a: Outcome.WIN if won[a] else Outcome.LOSS for a in self.possible_agents}
            scores.update({"Village Won": float(self._winner == VILLAGE), "Werewolves Won": float(self._winner == WEREWOLVES)})
            return Result(rewards, outcomes, EndReason.GAME_OVER, f"the {self._winner} win", scores)
        if not self._tasks:  # max_days reached
            return Result({a: 0.0 for a in self.possible_agents}, {a: Outcome.DRAW for a in self.possible_agents},
                          EndReason.MAX_TURNS, f"no winner after {self.max_days} days (max_days)", scores)
        return None

    def _survival(self) -> dict[str, float]:
        out = {}
        for role in ROLES:
            players = [a for a in self.possible_agents if self.roles[a] == role]
            if players:
                out[f"Survived {role}"] = sum(a in self.alive for a in players) / len(players)
        return out

    def _finish(self, result: Result) -> None:
        super()._finish(result)
        for agent in self.agents:
            role = self.roles[agent]
            self.infos[agent].update(role=role, team=team_of(role), survived=agent in self.alive)

    def _forfeit(self, offender: str, message: str) -> Result:
        """A player who breaks the format too often loses with its team; the other team wins."""
        losing = team_of(self.roles[offender])
        won = {a: team_of(self.roles[a]) != losing for a in self.possible_agents}
        return Result({a: 1.0 if won[a] else -1.0 for a in self.possible_agents},
                      {a: Outcome.WIN if won[a] else Outcome.LOSS for a in self.possible_agents},
                      EndReason.ILLEGAL_ACTION, f"{offender}: {message}", {"Days": float(self.day)})

    def _legal_actions(self, agent: str) -> list[str]:
        return self._targets(self._tasks[0]) if self._tasks and self._tasks[0].agent == agent else []

    def _prompt_fields(self, agent: str) -> dict[str, Callable[[], str]]:
        return {"state": lambda: self._state_text(agent)}

    def _state_text(self, agent: str) -> str:
        news = "\n\n".join(self._pending[agent])
        if self.result is not None or not self._tasks or self._tasks[0].agent != agent:
            return news
        task = self._tasks[0]
        asks = {
            "kill": "Night: choose a player for the werewolves to kill",
            "protect": "Night: choose a player to protect tonight (yourself allowed)",
            "inspect": "Night: choose a player whose role you want to learn",
            "speak": "Your turn to speak to everyone: say what you think, in a few sentences",
            "vote": "Vote: choose a player to eliminate, or nobody",
        }
        choices = self._targets(task)
        ask = asks[task.kind] + (f". Choices: {', '.join(choices)}." if choices else ".")
        return f"{news}\n\n{ask}" if news else ask

    def _messages(self, agent: str, text: str) -> list[dict[str, str]]:
        return [*self._history[agent], {"role": "user", "content": text}]

    def _render_text(self) -> str:
        roles = ", ".join(f"{a}: {r}{'' if a in self.alive else ' (dead)'}" for a, r in self.roles.items())
        return f"Werewolf, day {self.day}. {roles}\n" + "\n".join(self.public_log[-30:])


# ---------------------------------------------------------------------- the scripted player

def scripted_move(env: Any, agent: str) -> str:
    """Players who know every role: the village votes out a living werewolf, the werewolves vote for and kill
    the first villager; the doctor protects itself and the seer inspects the first player it may."""
    game = env.unwrapped
    task = game._tasks[0]
    if task.kind == "speak":
        return f"I am {agent}. Let us vote for whoever behaved oddly last night."
    targets = game._targets(task)
    if task.kind == "vote":
        mine = team_of(game.roles[agent])
        others = [t for t in targets if t != NOBODY and team_of(game.roles[t]) != mine]
        return others[0] if others else NOBODY
    if task.kind == "protect":
        return agent
    return targets[0]
