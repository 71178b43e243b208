"""Map worlds: a seeded house of rooms to explore, in words (env.py) or in pictures (two_roles.py)."""
