"""dialogue/privateshared: clembench's private/shared game. Answer slot questions; say what is shared.

Make it::

    env = llm_arena_env.make("dialogue/privateshared")
    env.reset(seed=0, options={"instance": ("restaurant", 4)})

One player, ``answerer``; the questioner is the game itself. The answerer is given some private facts (the
slots of a travel booking, a job interview, a restaurant order, things at places, numbered letters) and
talks with a scripted questioner (a travel agent, a recruiter, a waiter, ...):

- Requests: the questioner asks for one slot per turn, ``WAITER: Which drink can I get you? Answer only
  this question in one short sentence and then stop.`` The reply must start with ``ANSWER:`` and be one
  line; anything else is a violated request and the game goes on, as in clembench: no probes follow it, the
  next request comes, and the slot counts for nothing (clembench's Slot-Filling-Accuracy is over the
  readable answers). A slot counts as filled when its value appears in the reply (case-insensitively).
- Probes: before the first request and after every answer, the game asks, for every slot, whether the
  questioner knows it yet: ``ME: Does the waiter know which drink you want? Answer this question with yes or
  no and then stop.`` The reply must start with ``ASIDE:`` then yes or no (only the start counts), on one
  line. A reply that cannot be read is re-asked with more insistent wording, up to ``probe_attempts`` tries
  in all (each one a violated request); when all fail, the episode is aborted. Probes and their answers
  are asides: they do not stay in the answerer's dialogue history.
- A slot is shared from the probe round after the turn its value was first said (saying a value before it
  is asked makes it shared early, as in clembench).

Scores: ``Accuracy`` of the probe answers, Cohen's ``Kappa`` (and ``Truncated Kappa``, at least 0),
``Slot-Filling-Accuracy``, ``Middle-Accuracy`` (probe accuracy in the middle round), ``Played Probe
Rounds``. Main Score = 100 x harmonic mean of slot-filling accuracy and truncated kappa. Success when
every probe and every slot is right; Lose otherwise; NaN measures when aborted.

Keywords of ``make`` (defaults): ``probe_attempts=5``, ``instances`` (a path or dict in clembench's layout;
clembench's privateshared files load: their slots, order and prompt are used, and their request and probe
indices pick our wordings, or a generic wording for slots we have none for), plus DialogueEnv's and
TextEnv's keywords.

Instances: one experiment per domain in ``resources/privateshared/domains.json`` (travel-booking,
job-interview, restaurant, things-places, letter-number), from :func:`generate_instances`.
"""

from __future__ import annotations

import enum
import functools
import math
from typing import Any, Mapping

from llm_arena_env.games.dialogue import privateshared_rules as rules
from llm_arena_env.games.dialogue.base import DialogueEnv, IllegalAction
from llm_arena_env.games.dialogue.instances import load_resource

PLAYER = "answerer"
_MEASURES = ("Accuracy", "Kappa", "Truncated Kappa", "Slot-Filling-Accuracy", "Middle-Accuracy")


@functools.lru_cache(maxsize=1)
def domains() -> dict[str, Any]:
    """The curated domains: tag, prompt and per slot its values, requests and probes."""
    return load_resource("privateshared", "domains.json")


def generate_instances(seed: int = 0) -> dict:
    """The shipped instance set: see :func:`privateshared_rules.generate_instances`."""
    return rules.generate_instances(domains(), seed)


class Phase(enum.Enum):
    PROBE = "probe"
    REQUEST = "request"


class PrivateSharedEnv(DialogueEnv):
    """clembench's private/shared game (see the module docstring)."""

    game_name = "privateshared"

    def __init__(self, probe_attempts: int = 5, **kwargs: Any):
        if not isinstance(probe_attempts, int) or probe_attempts < 1:
            raise ValueError(f"probe_attempts must be an int >= 1, got {probe_attempts!r}")
        self.probe_attempts = probe_attempts
        super().__init__([PLAYER], **kwargs)

    # ------------------------------------------------------------------ setup

    def _setup(self, instance: dict[str, Any], experiment: dict[str, Any]) -> None:
        slots = instance.get("slots")
        if not isinstance(slots, Mapping) or not slots:
            raise ValueError("a privateshared instance needs 'slots': {slot: value, ...}")
        self.slots = {str(k): str(v) for k, v in slots.items()}
        self.domain = self._find_domain(experiment.get("name"), instance.get("tag"), self.slots)
        self.tag = str(instance.get("tag") or (self.domain or {}).get("tag") or "QUESTIONER")
        self.order = [str(s) for s in instance.get("request_order") or list(self.slots)]
        self.request_choice = dict(instance.get("requests") or {})
        self.probe_choice = {str(k): dict(v) for k, v in (instance.get("probes") or {}).items()}
        self.shared_from = {slot: turn for turn, slot in enumerate(self.order)}
        self.probes: list[rules.ProbeResult] = []
        self.filled: list[bool] = []
        self.played_rounds = 0
        prompt = instance.get("initial_prompt") or self._default_prompt()
        # clembench's dialogue opens with the prompt and a canned "Ok." so that the first probe is a new turn
        self._history[PLAYER] += [{"role": "user", "content": prompt}, {"role": "assistant", "content": "Ok."}]
        self._start_probe_round(0)

    @staticmethod
    def _find_domain(name: Any, tag: Any, slots: Mapping[str, str]) -> Mapping | None:
        """Our domain for an instance: by experiment name, else one that has all its slots (same tag first)."""
        if name in domains():
            return domains()[name]
        fitting = [d for d in domains().values() if set(slots) <= set(d["slots"])]
        return next((d for d in fitting if d["tag"] == tag), fitting[0] if fitting else None)

    def _default_prompt(self) -> str:
        template = (self.domain or domains()["letter-number"])["prompt"]
        return rules.fill_prompt(template, rules.instance_text((self.domain or {}).get("what", "Facts"), self.slots), self.tag)

    # ------------------------------------------------------------------ the two kinds of turn

    def _start_probe_round(self, round_: int) -> None:
        self.phase = Phase.PROBE
        self.round = round_
        chosen = self.probe_choice.get(str(round_)) or {slot: 0 for slot in self.slots}
        self.probe_queue = [(str(slot), choice) for slot, choice in chosen.items() if str(slot) in self.slots]
        self.probe_index = 0
        self.attempt = 0
        self.tell(PLAYER, self._probe_text())

    def _probe_text(self) -> str:
        slot, choice = self.probe_queue[self.probe_index]
        return rules.probe_question(rules.wording(self.domain, slot, "probes", choice, self.tag), self.attempt)

    def _ask_request(self) -> None:
        self.phase = Phase.REQUEST
        slot = self.order[self.round]
        request = rules.wording(self.domain, slot, "requests", self.request_choice.get(slot, 0), self.tag)
        self.tell(PLAYER, rules.REQUEST_CODA.format(f"{self.tag}: {request}"))

    def _current_agent(self) -> str:
        return PLAYER

    def _parse_action(self, agent: str, text: str) -> Any:
        if self.phase is Phase.PROBE:
            answer = rules.parse_probe_answer(text)
            if answer is None:
                raise IllegalAction("answer the probe on one line as 'ASIDE: yes' or 'ASIDE: no'")
            return answer
        # clembench counts an unreadable answer to a request as a violation and goes on (see _play)
        return text if rules.parse_slot_answer(text) is not None else None

    def _reject(self, agent: str, action: Any, reason: str) -> None:
        # A probe that cannot be read is re-asked with more insistence (clembench's probing loop); only
        # when every try failed does the usual policy (abort, or the max_illegal_actions re-ask) apply.
        if self.result is None and self.phase is Phase.PROBE and self.attempt + 1 < self.probe_attempts:
            self.count_violation()
            self.infos[agent]["rejection"] = reason
            self.attempt += 1
            self._pending[PLAYER] = []  # the new wording replaces the old question
            self.tell(PLAYER, self._probe_text())
            return
        super()._reject(agent, action, reason)

    def _play(self, agent: str, move: Any) -> None:
        if self.phase is Phase.PROBE:
            slot, _ = self.probe_queue[self.probe_index]
            gold = int(rules.is_shared(self.round, self.shared_from[slot]))
            self.probes.append(rules.ProbeResult(self.round, slot, gold, int(move)))
            del self._history[PLAYER][-2:]  # the probe and its answer are an aside, not part of the dialogue
            self.probe_index += 1
            self.attempt = 0
            if self.probe_index < len(self.probe_queue):
                self.tell(PLAYER, self._probe_text())
            else:
                self._end_probe_round()
            return
        turn = self.round
        if move is None:  # unreadable: a violated request; clembench skips this round's probes and asks on
            self.count_violation()
            self.round += 1
            self._ask_request() if self.round < len(self.order) else self._score()
            return
        self.filled.append(self.slots[self.order[turn]].lower() in move.lower())
        for slot in rules.mentioned_slots(move, self.slots):
            self.shared_from[slot] = min(self.shared_from[slot], turn)
        self._start_probe_round(turn + 1)

    def _end_probe_round(self) -> None:
        self.played_rounds += 1
        if self.round < len(self.order):
            self._ask_request()
            return
        self._score()

    def _score(self) -> None:
        measures = rules.episode_measures(self.probes, self.filled, len(self.slots))
        main = measures.pop("Main")
        success = measures["Accuracy"] == 1 and measures["Slot-Filling-Accuracy"] == 1
        self.end_game(success=success, main_score=main, detail="all slots asked and probed",
                      measures={**measures, "Played Probe Rounds": self.played_rounds})

    def _measures(self) -> dict[str, float]:
        # What an aborted episode reports (clembench: NaN); a played ending passes the real values.
        return {**{name: math.nan for name in _MEASURES}, "Played Probe Rounds": self.played_rounds}

    # ------------------------------------------------------------------ display

    def _render_text(self) -> str:
        facts = ", ".join(f"{slot}={value}" for slot, value in self.slots.items())
        return f"{super()._render_text()}\n\nslots: {facts}\nprobes right: " \
               f"{sum(p.gold == p.pred for p in self.probes)}/{len(self.probes)}"


# ---------------------------------------------------------------------- the scripted player

def scripted_move(env: Any, agent: str) -> str:
    """A perfect answerer: each request answered with the slot's value alone, each probe with the truth."""
    game = env.unwrapped
    if game.phase is Phase.PROBE:
        slot, _ = game.probe_queue[game.probe_index]
        shared = rules.is_shared(game.round, game.shared_from[slot])
        return f"{rules.ASIDE_TAG} {'yes' if shared else 'no'}"
    return f"{rules.ANSWER_TAG} {game.slots[game.order[game.round]]}"
