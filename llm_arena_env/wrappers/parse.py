"""Parse: turns an agent's free-text reply into a move the env understands.

>>> agent = Parse(LLMAgent(backend))            # doctest: +SKIP
>>> agent.decide(observation).attempts[-1].parsed  # doctest: +SKIP
'Nf3'
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Sequence

from llm_arena_env.agents.base import AgentWrapper, Attempt, Decision, Observation, Verdict, adecide, decide_batch
from llm_arena_env.wrappers.parsers import Parsed, Parser, ParserInput, default_parser

#: The reason recorded on an attempt whose reply named no move (its verdict is ``Verdict.UNPARSED``).
COULD_NOT_PARSE = "could not find a move in the reply"


class Parse(AgentWrapper):
    """Parses the last attempt of each of ``agent``'s decisions against its observation.

    The decision's action becomes the parsed move; where no move is found, the attempt's verdict is
    ``Verdict.UNPARSED`` (reason :data:`COULD_NOT_PARSE`) and the action stays the raw reply, so that the env
    rejects it with its own reason. In free-text games (the observation lists no legal moves) the reply
    goes to the env exactly as written, whatever the parser: only the game's own rules read it. Transport
    failures pass through untouched. ``seed`` breaks ties between equally good matches (the pick is noted
    in the attempt's ``reason``)."""

    def __init__(self, agent: Any, parser: Parser | None = None, seed: int = 0):
        self.agent = agent
        self.parser = parser if parser is not None else default_parser()
        self.seed = seed

    def decide(self, observation: Observation) -> Decision:
        return self.decide_batch([observation])[0]

    def decide_batch(self, observations: Sequence[Observation]) -> list[Decision]:
        decisions = decide_batch(self.agent, observations)
        return [self.parse(o, d) for o, d in zip(observations, decisions)]

    async def adecide(self, observation: Observation) -> Decision:
        return self.parse(observation, await adecide(self.agent, observation))

    def parse(self, observation: Observation, decision: Decision) -> Decision:
        """``decision`` with its last attempt parsed against ``observation``."""
        last = decision.attempts[-1] if decision.attempts else Attempt(raw_output=decision.action)
        if last.verdict is Verdict.ERROR:
            return decision
        if not observation.get("legal_actions"):  # free text: the game judges the reply as written
            return Decision(last.raw_output, decision.attempts[:-1] + (replace(last, parsed=last.raw_output),))
        found = Parsed.of(self.parser.parse(ParserInput.from_observation(observation, last.raw_output, self.seed)))
        if found is None:
            parsed, action = replace(last, parsed=None, reason=COULD_NOT_PARSE), last.raw_output
        else:
            parsed, action = replace(last, parsed=found.move, reason=found.note), found.move
        return Decision(action, decision.attempts[:-1] + (parsed,))
