"""Placeholder: the OpenSpiel games are registered here (filled in by the OpenSpiel adapter work)."""


def register_openspiel_games(register, register_namespace) -> None:
    pass
