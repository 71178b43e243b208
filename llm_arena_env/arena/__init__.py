"""Running episodes: one at a time (``play_episode``) or many at once into a results folder (``play_many``).

Scoring, ratings, leaderboards and transcripts live in this package's other modules (``stats``,
``ratings``, ``leaderboard``, ``transcript``).
"""

from llm_arena_env.arena.config import RunConfig
from llm_arena_env.arena.episode import EpisodeRecord, StepRecord, play_episode, replay
from llm_arena_env.arena.results import ResultsStore, load_episodes
from llm_arena_env.arena.runner import EpisodeJob, play_many

__all__ = [
    "play_episode",
    "EpisodeRecord",
    "StepRecord",
    "replay",
    "play_many",
    "EpisodeJob",
    "ResultsStore",
    "load_episodes",
    "RunConfig",
]
