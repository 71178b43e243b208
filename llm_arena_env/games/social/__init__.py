"""Social games: players who talk, vote and hide roles (Werewolf)."""


def register_social_games(register) -> None:
    register(
        "social/werewolf",
        "llm_arena_env.games.social.werewolf:WerewolfEnv",
        kind="social",
        players=(6, 5, 7, 8),
        observation_modes=("text",),
        description="Werewolf for 5-8 players: hidden roles (werewolves, seer, doctor, villagers), "
        "day discussion and votes, night actions; team outcomes.",
        scripted_player="llm_arena_env.games.social.werewolf:scripted_move",
    )
