"""Registered models, keys from the environment or a key file, plugins, and `llm-arena list models|backends`."""

from __future__ import annotations

import json
import logging
import textwrap

import pytest

from llm_arena_env.agents.model_registry import RegistryError, load_registry
from llm_arena_env.agents.specs import make_agent
from llm_arena_env.cli import main
from tests.fake_openai_server import FakeOpenAIServer, Reply
from tests.fake_provider_servers import FakeAnthropicServer, anthropic_answer

SECRET_A, SECRET_B = "key-AAAA-1111", "key-BBBB-2222"


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    """A working directory and config folder of the test's own, and no provider keys from outside."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    for name in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "GEMINI_API_KEY", "GOOGLE_API_KEY",
                 "LLM_ARENA_MODELS", "LLM_ARENA_KEY_FILE", "MY_KEY_A", "MY_KEY_B"):
        monkeypatch.delenv(name, raising=False)


def write_models(text: str, name: str = "llm-arena-models.toml") -> None:
    with open(name, "w") as file:
        file.write(textwrap.dedent(text))


def test_the_shipped_registry_reads_and_names_common_providers():
    models = load_registry()
    assert {"claude-sonnet", "gemini-flash", "gpt-4o-mini"} <= set(models)
    assert {m.backend for m in models.values()} >= {"openai", "anthropic", "google", "litellm"}


def test_a_working_directory_entry_replaces_a_shipped_one_of_the_same_name(tmp_path):
    write_models("""
        [models.gpt-4o-mini]
        backend = "openai"
        model = "my-local-model"
        base_url = "http://127.0.0.1:1/v1"
    """)
    entry = load_registry()["gpt-4o-mini"]
    assert (entry.model, entry.source) == ("my-local-model", str(tmp_path / "llm-arena-models.toml"))


@pytest.mark.parametrize("body, message", [
    ('[models.x]\nmodel = "m"', "'backend' is required"),
    ('[models.x]\nbackend = "openai"\nmodel = "m"\nwrappers = { vote = 0 }', "wrappers.vote"),
    ('[models.x]\nbackend = "openai"\nmodel = "m"\nprice = { input = 1 }', "price"),
    ('[models.x]\nbackend = "openai"\nmodel = "m"\ntimeout = -1', "timeout"),
    ('[models.x\nbackend = "openai"', "llm-arena-models.toml"),
    ('[other]\nx = 1', "only [models.NAME]"),
])
def test_a_bad_registry_file_is_a_clear_error_naming_file_and_entry(body, message):
    write_models(body)
    with pytest.raises(RegistryError, match=message.replace("[", r"\[").replace(".", r"\.")):
        load_registry()
    assert main(["list", "models"]) == 2


def test_a_registered_name_plays_with_its_defaults_and_wrappers():
    with FakeOpenAIServer() as server:
        server.responder = lambda body: Reply.answer("Final Answer: e4", prompt_tokens=1000, completion_tokens=500)
        write_models(f"""
            [models.local-gpt]
            backend = "openai"
            model = "served-model"
            base_url = "{server.url}"
            generation = {{ temperature = 0.3, max_tokens = 77 }}
            wrappers = {{ rethinks = 1, vote = 3 }}
            price = {{ input = 2.0, output = 10.0 }}
        """)
        agent = make_agent("local-gpt", seed=0)
        decision = agent.decide({"messages": ({"role": "user", "content": "move?"},), "legal_actions": ["e4", "d4"]})
    assert repr(agent).startswith("Rethink(MajorityVote(Parse(LLMAgent(backend='openai:served-model@")
    assert decision.action == "e4" and len(server.requests) == 3  # three vote samples
    sent = server.requests[0].body
    assert (sent["model"], sent["temperature"], sent["max_tokens"]) == ("served-model", 0.3, 77)
    assert decision.attempts[0].cost_usd == pytest.approx((1000 * 2.0 + 500 * 10.0) / 1e6)
    assert agent.agent_spec == "local-gpt"


def test_two_providers_with_different_keys_from_the_environment_and_a_key_file(monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)
    with FakeOpenAIServer() as openai_server, FakeAnthropicServer() as anthropic_server:
        openai_server.script(Reply.answer("Final Answer: e4"))
        anthropic_server.script(anthropic_answer("Final Answer: e5"))
        write_models(f"""
            [models.a]
            backend = "openai"
            model = "m1"
            base_url = "{openai_server.url}"
            key_env = "MY_KEY_A"

            [models.b]
            backend = "anthropic"
            model = "m2"
            key = "my-anthropic"
        """)
        # b's key and its server come from a clembench-style key file
        with open("key.json", "w") as file:
            json.dump({"my-anthropic": {"api_key": SECRET_B, "base_url": anthropic_server.url}}, file)
        monkeypatch.setenv("MY_KEY_A", SECRET_A)
        a, b = make_agent("a"), make_agent("b")
        observation = {"messages": ({"role": "user", "content": "move?"},), "legal_actions": ["e4", "e5"]}
        decisions = [a.decide(observation), b.decide(observation)]
    assert [d.action for d in decisions] == ["e4", "e5"]
    assert openai_server.requests[0].headers["authorization"] == f"Bearer {SECRET_A}"
    assert anthropic_server.requests[0].headers.get("authorization", "").endswith(SECRET_B) or \
        anthropic_server.requests[0].headers.get("x-api-key") == SECRET_B
    shown = " ".join([repr(a), repr(b), caplog.text, *(str(d.to_dict()) for d in decisions)])
    assert SECRET_A not in shown and SECRET_B not in shown


def test_a_missing_key_names_the_variable_and_the_key_file_but_no_secret(capsys):
    write_models('[models.a]\nbackend = "anthropic"\nmodel = "m"\nkey_env = "MY_KEY_A"\n')
    with open("key.json", "w") as file:
        json.dump({"other": {"api_key": SECRET_B}}, file)
    assert main(["play", "openspiel/tic_tac_toe", "--players", "a", "random"]) == 2
    err = capsys.readouterr().err
    assert "MY_KEY_A" in err and "key.json" in err and SECRET_B not in err


def test_a_broken_key_file_does_not_quote_itself():
    write_models('[models.a]\nbackend = "openai"\nmodel = "m"\nkey_env = "MY_KEY_A"\n')
    with open("key.json", "w") as file:
        file.write('{"openai": {"api_key": "' + SECRET_A + '"')  # cut off
    with pytest.raises(ValueError) as error:
        make_agent("a")
    assert "key.json" in str(error.value) and SECRET_A not in str(error.value)


def test_list_models_and_backends(capsys):
    write_models('[models.mine]\nbackend = "google"\nmodel = "gemini-x"\ndescription = "my own"\n')
    assert main(["list", "models"]) == 0
    out = capsys.readouterr().out
    assert "mine" in out and "gemini-x" in out and "claude-sonnet" in out and "llm-arena-models.toml" in out
    assert main(["list", "backends"]) == 0
    out = capsys.readouterr().out
    for name in ("openai", "anthropic", "google", "litellm", "hf"):
        assert f"\n{name} " in out


def test_an_unknown_name_is_neither_kind_nor_model(capsys):
    assert main(["play", "openspiel/tic_tac_toe", "--players", "no-such-model", "random"]) == 2
    assert "registered model" in capsys.readouterr().err


def test_import_loads_a_plugin_that_registers_an_agent_kind(tmp_path, capsys, monkeypatch):
    import llm_arena_env.agents.specs as specs

    monkeypatch.setattr(specs, "AGENT_SPECS", dict(specs.AGENT_SPECS))  # the plugin's kind goes when the test ends
    (tmp_path / "my_plugin.py").write_text(textwrap.dedent("""
        from llm_arena_env.agents.specs import register_agent_spec
        from llm_arena_env.agents.random_agent import RandomAgent

        register_agent_spec("myrandom", lambda argument, seed=None: RandomAgent(seed=seed), "a plugin's agent",
                            overwrite=True)
    """))
    assert main(["--import", "my_plugin", "play", "openspiel/tic_tac_toe", "--players", "myrandom", "random",
                 "--seed", "1"]) == 0
    assert "myrandom" in capsys.readouterr().out
    assert main(["--import", str(tmp_path / "my_plugin.py"), "list", "agents"]) == 0
    assert "a plugin's agent" in capsys.readouterr().out
    assert main(["--import", "no_such_plugin_module", "list", "agents"]) == 2
    assert "no_such_plugin_module" in capsys.readouterr().err


def test_entry_points_of_the_packages_groups_are_loaded(monkeypatch):
    import importlib.metadata

    import llm_arena_env.plugins as plugins

    calls = []

    class FakeEntryPoint:
        name, value = "fake", "fake_module:register"

        def load(self):
            return lambda: calls.append("registered")

    monkeypatch.setattr(plugins, "_loaded", False)
    monkeypatch.setattr(importlib.metadata, "entry_points",
                        lambda group: [FakeEntryPoint()] if group == "llm_arena_env.backends" else [])
    assert plugins.load_entry_points() == ["llm_arena_env.backends:fake"]
    assert calls == ["registered"] and plugins.load_entry_points() == []  # once per process


def test_priced_keeps_a_reported_cost_and_serves_the_async_path_too():
    import asyncio

    from llm_arena_env.agents.backends import Completion, Request
    from llm_arena_env.agents.backends.priced import Priced

    class Fixed:
        name = "fixed"

        def complete(self, requests):
            return [Completion("a", prompt_tokens=2_000_000, completion_tokens=1_000_000),
                    Completion("b", prompt_tokens=1, completion_tokens=1, cost_usd=0.5)][: len(requests)]

    priced = Priced(Fixed(), input_per_mtok=1.0, output_per_mtok=4.0)
    request = Request(({"role": "user", "content": "hi"},))
    first, second = priced.complete([request, request])
    assert (first.cost_usd, second.cost_usd) == (6.0, 0.5)  # 2 x $1 + 1 x $4; a provider's own figure wins
    [again] = asyncio.run(priced.acomplete([request]))
    assert again.cost_usd == 6.0


def test_an_unknown_game_id_loads_the_installed_plugins_first(monkeypatch):
    import importlib.metadata

    import llm_arena_env
    import llm_arena_env.plugins as plugins

    def register():
        llm_arena_env.register("plugin/ttt", "llm_arena_env.games.openspiel.env:OpenSpielEnv",
                               kwargs={"game_name": "tic_tac_toe"}, players=(2,))

    class EntryPoint:
        name, value = "ttt", "my_plugin:register"

        def load(self):
            return register

    monkeypatch.setattr(plugins, "_loaded", False)
    monkeypatch.setattr(importlib.metadata, "entry_points",
                        lambda group: [EntryPoint()] if group == "llm_arena_env.games" else [])
    try:
        env = llm_arena_env.make("plugin/ttt")
        assert env.possible_agents == ["player_0", "player_1"]
        with pytest.raises(llm_arena_env.UnknownGameError):
            llm_arena_env.make("plugin/nothing")  # plugins load once; still unknown, no loop
    finally:
        from llm_arena_env import registry

        registry._registry.pop("plugin/ttt", None)
