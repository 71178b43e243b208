"""Grid games: map worlds of rooms, Sokoban and BabyAI, each with text and image observations."""
