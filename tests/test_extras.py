"""Optional dependencies: without one, the feature that needs it says which extra to install."""

from __future__ import annotations

import sys

import pytest

import llm_arena_env
from llm_arena_env.cli import EXIT_USAGE, main
from llm_arena_env.core.extras import MissingExtraError, require


def missing(monkeypatch, *modules: str) -> None:
    """Make ``import <module>`` fail as it does when the package is not installed."""
    for module in modules:
        for name in [n for n in sys.modules if n == module or n.startswith(module + ".")]:
            monkeypatch.delitem(sys.modules, name)
        monkeypatch.setitem(sys.modules, module, None)


def test_require_names_the_extra(monkeypatch):
    missing(monkeypatch, "wordfreq")
    with pytest.raises(MissingExtraError, match=r"things needs wordfreq: pip install 'llm-arena-env\[words\]'"):
        require("wordfreq", extra="words", purpose="generating things")


def test_a_broken_dependency_is_not_reported_as_a_missing_extra(tmp_path, monkeypatch):
    (tmp_path / "broken_dependency.py").write_text("import no_such_module_anywhere\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ModuleNotFoundError, match="no_such_module_anywhere"):
        require("broken_dependency", extra="x", purpose="y")


def test_babyai_without_minigrid_names_the_babyai_extra(monkeypatch, capsys):
    monkeypatch.delitem(sys.modules, "llm_arena_env.games.grid.babyai", raising=False)  # imported again
    missing(monkeypatch, "minigrid")
    with pytest.raises(MissingExtraError, match=r"llm-arena-env\[babyai\]"):
        llm_arena_env.make("grid/babyai")
    assert main(["play", "grid/babyai", "--players", "random"]) == EXIT_USAGE
    assert "pip install 'llm-arena-env[babyai]'" in capsys.readouterr().err


def test_wordle_without_wordfreq_names_the_words_extra_unless_given_its_words(monkeypatch):
    from llm_arena_env.games.dialogue import taboo, wordle

    missing(monkeypatch, "wordfreq")
    wordle.wordfreq_words.cache_clear()
    with pytest.raises(MissingExtraError, match=r"llm-arena-env\[words\]"):
        llm_arena_env.make("dialogue/wordle")
    env = llm_arena_env.make("dialogue/wordle", allowed_words=["crane", "slate", "house"])
    env.reset(seed=0)  # a list of its own: no word frequencies needed
    with pytest.raises(MissingExtraError, match=r"llm-arena-env\[words\]"):
        taboo.generate_instances()
    llm_arena_env.make("dialogue/taboo").reset(seed=0)  # playing the shipped instances needs no extra
    wordle.wordfreq_words.cache_clear()
