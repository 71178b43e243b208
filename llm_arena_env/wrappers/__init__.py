"""Agent wrappers: parse replies into moves, ask again after a bad move, vote among samples.

They compose: ``Rethink(MajorityVote(Parse(LLMAgent(backend)), n=5), checker=env_checker(env))``.

An env wrapper lives beside them, imported from its module: ``single_agent.SingleAgentEnv`` (a
``gymnasium.Env`` for one learning seat, the other seats played by given agents). The recording env wrapper
is training's: ``llm_arena_env.training.record.RecordTrajectories``.
"""

from llm_arena_env.wrappers.parse import COULD_NOT_PARSE, Parse
from llm_arena_env.wrappers.parsers import (
    ChainParser,
    LLMParser,
    Parsed,
    Parser,
    ParserInput,
    RuleBasedParser,
    SoftMatcher,
    default_parser,
)
from llm_arena_env.wrappers.rethink import FEEDBACK_MODES, Checker, Rethink, env_checker, legal_actions_checker
from llm_arena_env.wrappers.vote import MajorityVote

__all__ = [
    "Parse",
    "Rethink",
    "MajorityVote",
    "COULD_NOT_PARSE",
    "FEEDBACK_MODES",
    "Checker",
    "env_checker",
    "legal_actions_checker",
    "Parser",
    "ParserInput",
    "Parsed",
    "ChainParser",
    "RuleBasedParser",
    "LLMParser",
    "SoftMatcher",
    "default_parser",
]
