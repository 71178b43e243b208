"""Sokoban: rules and deadlocks (rules.py), level generator, optimal solver, pictures and the env."""
