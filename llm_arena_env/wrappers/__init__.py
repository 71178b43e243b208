"""Agent wrappers: parse replies into moves, ask again after a bad move, vote among samples.

They compose: ``Rethink(MajorityVote(Parse(LLMAgent(backend)), n=5), checker=env_checker(env))``.

Env wrappers live beside them, imported from their modules: ``record.RecordTrajectories`` (record every
action as trajectories for training) and ``single_agent.SingleAgentEnv`` (a ``gymnasium.Env`` for one
learning seat, the other seats played by given agents).
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
