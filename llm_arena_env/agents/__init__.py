"""Agents: the protocol, decision records, baseline agents and spec strings.

Importing this package stays light (no torch, transformers or openai); model backends load on use.
"""

from llm_arena_env.agents.base import (
    Agent,
    Attempt,
    BaseAgent,
    Decision,
    Observation,
    adecide,
    adecide_batch,
    decide,
    decide_batch,
)
from llm_arena_env.agents.human import HumanAgent, HumanQuit
from llm_arena_env.agents.random_agent import RandomAgent
from llm_arena_env.agents.specs import AGENT_SPECS, make_agent, register_agent_spec
from llm_arena_env.agents.stockfish import StockfishAgent, StockfishNotFoundError, find_stockfish

__all__ = [
    "Agent",
    "Attempt",
    "BaseAgent",
    "Decision",
    "Observation",
    "decide",
    "decide_batch",
    "adecide",
    "adecide_batch",
    "HumanAgent",
    "HumanQuit",
    "RandomAgent",
    "StockfishAgent",
    "StockfishNotFoundError",
    "find_stockfish",
    "AGENT_SPECS",
    "make_agent",
    "register_agent_spec",
]
