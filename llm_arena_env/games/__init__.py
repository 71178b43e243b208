"""Registers the built-in games. Entry points are lazy: nothing heavy is imported until ``make``."""

from llm_arena_env.registry import register, register_namespace

register(
    "chess",
    "llm_arena_env.games.chess.env:ChessEnv",
    kind="board",
    observation_modes=("text", "image", "text+image", "tensor"),
    description="Chess on python-chess: SAN or UCI moves, every draw rule, PGN at the end, board images.",
    scripted_player="llm_arena_env.core.scripted:legal_move",
)

from llm_arena_env.games.openspiel.catalog import register_openspiel_games  # noqa: E402

register_openspiel_games(register, register_namespace)

from llm_arena_env.games.dialogue.catalog import register_dialogue_games  # noqa: E402

register_dialogue_games(register)

from llm_arena_env.games.grid.catalog import register_grid_games  # noqa: E402

register_grid_games(register)

from llm_arena_env.games.social import register_social_games  # noqa: E402

register_social_games(register)
