"""Rethink: when a reply cannot be parsed or its move is illegal, ask again, saying what went wrong.

>>> agent = Rethink(Parse(LLMAgent(backend)), max_rethinks=3, feedback="reason")  # doctest: +SKIP

The feedback goes into the observation's messages, as the model's previous reply (assistant) and a new
user message, so the inner agent stays stateless.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable, Sequence

from llm_arena_env.agents.base import AgentWrapper, Attempt, Decision, Observation, Verdict, adecide, decide_batch
from llm_arena_env.core.notation import notation_of
from llm_arena_env.core.text_env import TextEnv

#: ``checker(observation, action) -> (ok, reason)``: may ``action`` be played in that position?
Checker = Callable[[Observation, str], "tuple[bool, str]"]
FEEDBACK_MODES = ("none", "illegal", "reason")
_LONGEST_SHOWN = 80  # characters of a rejected action quoted back (an unparsed action is a whole reply)


def legal_actions_checker(observation: Observation, action: str) -> tuple[bool, str]:
    """Accepts the listed legal moves; free-text games list none, so everything passes (the env judges)."""
    legal = tuple(observation.get("legal_actions") or ())
    if not legal or action in legal:
        return True, ""
    return False, f"{action!r} is not one of the legal moves"


def env_checker(env: Any) -> Checker:
    """A checker that asks ``env.check_action`` about the player to move now (the env is the only judge)."""

    def check(observation: Observation, action: str) -> tuple[bool, str]:
        return env.check_action(env.agent_selection, action)

    return check


def _is_env_check_action(checker: Any) -> bool:
    """Is ``checker`` an env's own ``check_action(agent, action)``, which needs the player, not the observation?"""
    return getattr(checker, "__name__", "") == "check_action" and isinstance(getattr(checker, "__self__", None), TextEnv)


class Rethink(AgentWrapper):
    """Asks ``agent`` again, up to ``max_rethinks`` more times, while its move cannot be parsed or
    ``checker`` rejects it. ``checker`` is ``checker(observation, action) -> (ok, reason)``; an env's own
    ``env.check_action`` is accepted too (it is asked about the player to move). Default: the observation's
    legal moves.

    ``feedback``: "none" asks the same prompt again; "illegal" says the move was illegal (or could not be
    parsed); "reason" adds why: the rule broken, as the game's notation in the observation explains it
    (chess names the precise rule), otherwise the checker's reason. Every attempt, with its verdict and feedback, is kept in the decision.
    When all tries fail, the last action goes to the env, whose illegal-action policy decides. Each round
    sends all still-unresolved observations of a batch in one call to ``agent``."""

    def __init__(self, agent: Any, checker: Checker | None = None, max_rethinks: int = 3, feedback: str = "reason"):
        if feedback not in FEEDBACK_MODES:
            raise ValueError(f"feedback must be one of {FEEDBACK_MODES}, got {feedback!r}")
        if not isinstance(max_rethinks, int) or max_rethinks < 0:
            raise ValueError(f"max_rethinks must be an int >= 0, got {max_rethinks!r}")
        self.agent = agent
        if _is_env_check_action(checker):  # DESIGN.md's spelling, checker=env.check_action
            checker = env_checker(checker.__self__)
        self.checker = checker if checker is not None else legal_actions_checker
        self.max_rethinks = max_rethinks
        self.feedback = feedback

    def decide(self, observation: Observation) -> Decision:
        return self.decide_batch([observation])[0]

    def decide_batch(self, observations: Sequence[Observation]) -> list[Decision]:
        asked = list(observations)  # what each observation's next round shows, feedback included
        earlier: list[tuple[Attempt, ...]] = [() for _ in observations]
        final: list[Decision | None] = [None] * len(observations)
        pending = list(range(len(observations)))
        for round_ in range(self.max_rethinks + 1):
            if not pending:
                break
            decisions = decide_batch(self.agent, [asked[i] for i in pending])
            retry = []
            for i, decision in zip(pending, decisions):
                final[i], earlier[i], asked[i] = self._round(observations[i], asked[i], earlier[i], decision, round_)
                if final[i] is None:
                    retry.append(i)
            pending = retry
        return [d for d in final if d is not None]

    async def adecide(self, observation: Observation) -> Decision:
        """The rounds of one observation, awaited (other episodes go on between them)."""
        asked, earlier = observation, ()
        for round_ in range(self.max_rethinks + 1):
            decision = await adecide(self.agent, asked)
            final, earlier, asked = self._round(observation, asked, earlier, decision, round_)
            if final is not None:
                return final
        raise AssertionError("unreachable: the last round always ends with a decision")

    def _round(self, observation: Observation, asked: Observation, earlier: tuple[Attempt, ...], decision: Decision,
               round_: int) -> tuple[Decision | None, tuple[Attempt, ...], Observation]:
        """After round ``round_``: the final decision (None: ask again), the attempts so far, the next prompt."""
        last, feedback = self._judge(observation, decision, last_round=round_ == self.max_rethinks)
        attempts = earlier + decision.attempts[:-1] + (last,)
        if feedback is None:
            return Decision(decision.action, attempts), attempts, asked
        return None, attempts, self._with_feedback(asked, last.raw_output, feedback)

    def _judge(self, observation: Observation, decision: Decision, *, last_round: bool) -> tuple[Attempt, str | None]:
        """The decision's last attempt with its verdict, and the feedback to give (None: do not ask again)."""
        last = decision.attempts[-1] if decision.attempts else Attempt(raw_output=decision.action)
        if last.verdict is Verdict.ERROR:
            return last, None  # a transport failure is not the model's mistake; the backend already retried
        if _parser_gave_up(last):
            verdict = last
        else:
            ok, reason = self.checker(observation, decision.action)
            verdict = replace(last, legal=ok, reason=last.reason if ok else reason)
            if ok:
                return verdict, None
        if last_round:
            return verdict, None
        feedback = self._feedback_text(observation, decision.action, verdict)
        return replace(verdict, feedback=feedback), feedback

    def _feedback_text(self, observation: Observation, action: str, verdict: Attempt) -> str:
        if self.feedback == "none":
            return ""
        unparsable = _parser_gave_up(verdict)
        shown = action if len(action) <= _LONGEST_SHOWN else action[:_LONGEST_SHOWN] + "..."
        if self.feedback == "illegal":
            said = "Your move could not be parsed" if unparsable else f"Your move {shown} was illegal"
            return f"{said}. Give a legal move."
        if unparsable:
            return f"Your move could not be parsed: {verdict.reason}. Give a legal move."
        reason = notation_of(observation).explain(action) or verdict.reason
        return f"Your move {shown} was illegal: {reason.rstrip('.')}. Give a legal move."

    def _with_feedback(self, observation: Observation, reply: str, feedback: str) -> Observation:
        """``observation`` with the rejected reply and the feedback appended to its chat ("none": unchanged).

        The text keeps the position after the feedback, as the env's own retry prompt does; the rest of the
        observation (legal moves, notation) is the same position's."""
        if self.feedback == "none":
            return observation
        messages = tuple(observation.get("messages", ())) + (
            {"role": "assistant", "content": reply},
            {"role": "user", "content": feedback},
        )
        return {**observation, "text": f"{feedback}\n\n{observation.get('text', '')}", "messages": messages}


def _parser_gave_up(attempt: Attempt) -> bool:
    """Did a parser read the reply and find no move? It then says why; an agent without a parser leaves
    its reply unparsed without a reason, and the checker judges that reply as written."""
    return attempt.verdict is Verdict.UNPARSED and bool(attempt.reason)
