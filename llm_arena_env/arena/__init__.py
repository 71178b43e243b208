"""Running episodes: one at a time for now (concurrency, results stores and tournaments come later)."""

from llm_arena_env.arena.episode import EpisodeRecord, StepRecord, play_episode

__all__ = ["play_episode", "EpisodeRecord", "StepRecord"]
