"""The package's modules import one way, down this order of layers (lazy imports inside functions count):

    core     core/, plugins.py                    observations, spaces, outcomes, metrics; entry-point loading
    registry registry.py                          GameSpec, register(), make()
    games    games/, the package itself,          every game (``llm_arena_env`` registers them on import),
             core/playthrough.py                  and the golden playthroughs, which play them through make()
    agents   agents/                              the Agent protocol and decisions, backends, LLMAgent, prompts
    wrappers wrappers/                            parse, rethink, majority vote around an agent
    players  agents/specs.py, bundled.py,         ready players assembled from agents and wrappers: agent
             model_registry.py, human.py,         spec strings, the bundled model, the model registry, the
             agents/__init__.py,                  person at the terminal; and the env wrapper that seats
             wrappers/single_agent.py             such players around one learner
    arena    arena/                               running, storing, scoring, rating, transcripts
    training training/                            trajectories, datasets, TRL, the recording env wrapper
    cli      cli.py, cli_common.py, *_cli.py      the command line (each package's ``*_cli`` module is its part)

A module may import its own layer or a lower one, never a higher one, and no two modules import each other
(directly or round a loop), so every module can be read knowing only what is below it. ``players`` lives in
``agents/`` and ``wrappers/`` by topic but sits above both: a spec string such as ``openai:gpt-5`` names an
agent inside wrappers. Imports of a parent package that a submodule import runs are not counted (Python runs
``agents/__init__`` on the way to ``agents.base``); imports done by ``importlib`` on names read from the
registry (``"module:attr"`` entry points) are not imports of the module that holds the name.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = "llm_arena_env"
ROOT = Path(__file__).resolve().parents[1] / PACKAGE

LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("core", ("core", "plugins")),
    ("registry", ("registry",)),
    # "": the package's __init__ (make, register) and what no other entry names (text_table.py);
    # core/playthrough.py plays registered games through make(), so it sits with the games, not in core
    ("games", ("games", "", "core.playthrough")),
    ("agents", ("agents",)),
    ("wrappers", ("wrappers",)),
    ("players", ("agents.specs", "agents.bundled", "agents.model_registry", "agents.human", "agents.__init__",
                 "wrappers.single_agent")),
    ("arena", ("arena",)),
    ("training", ("training",)),
    ("cli", ("cli", "cli_common", "__main__")),
)
RANK = {name: rank for rank, (name, _) in enumerate(LAYERS)}


def layer_of(module: str) -> str:
    """The layer of ``llm_arena_env.<...>`` (a package's own ``__init__`` named ``<package>.__init__``)."""
    if module.rsplit(".", 1)[-1].endswith("_cli"):
        return "cli"
    relative = module.removeprefix(PACKAGE).lstrip(".")
    best, best_length = "games", -1
    for name, prefixes in LAYERS:
        for prefix in prefixes:
            matches = relative == prefix or relative.startswith(prefix + ".") or prefix == ""
            if matches and len(prefix) > best_length:
                best, best_length = name, len(prefix)
    return best


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT.parent).with_suffix("").parts)


def imports_of(source: str, module: str, known: set[str]) -> list[tuple[str, int]]:
    """``(imported module, line)`` for every import of this package in ``source``, wherever it stands
    (module level, inside functions, under ``if TYPE_CHECKING``). ``from pkg import name`` counts as an
    import of ``pkg.name`` where that is a module, else of ``pkg``."""
    is_package = module.endswith(".__init__")
    package = module.removesuffix(".__init__") if is_package else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[:len(parts) - node.level + 1] + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            for alias in node.names:
                name = f"{base}.{alias.name}"
                found.append((name if name in known or f"{name}.__init__" in known else base, node.lineno))
    return [(_canonical(name, known), line) for name, line in found if name.split(".")[0] == PACKAGE]


def _canonical(name: str, known: set[str]) -> str:
    return f"{name}.__init__" if f"{name}.__init__" in known else name


def package_imports() -> dict[str, list[tuple[str, int]]]:
    paths = sorted(ROOT.rglob("*.py"))
    known = {module_name(path) for path in paths}
    return {module_name(p): imports_of(p.read_text(encoding="utf-8"), module_name(p), known) for p in paths}


def test_imports_run_down_the_layers():
    upward = [
        f"{module} ({layer_of(module)}) imports {target} ({layer_of(target)}) at line {line}"
        for module, targets in package_imports().items()
        for target, line in targets
        if RANK[layer_of(target)] > RANK[layer_of(module)]
    ]
    assert not upward, "imports against the layer order (see this test's docstring):\n" + "\n".join(upward)


def test_no_two_modules_import_each_other():
    graph = {module: {t for t, _ in targets if t != module} for module, targets in package_imports().items()}
    cycles = [sorted(component) for component in _strongly_connected(graph) if len(component) > 1]
    assert not cycles, f"modules that import each other (round a loop): {cycles}"


def _strongly_connected(graph: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's algorithm, iterative (the graph is a few hundred modules)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, edges = work[-1]
            for target in edges:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(graph.get(target, ())))))
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    components.append(component)
    return components


@pytest.mark.parametrize("module, layer", [
    ("llm_arena_env.core.text_env", "core"),
    ("llm_arena_env.__init__", "games"),
    ("llm_arena_env.games.chess.env", "games"),
    ("llm_arena_env.agents.backends.openai_backend", "agents"),
    ("llm_arena_env.agents.specs", "players"),
    ("llm_arena_env.wrappers.rethink", "wrappers"),
    ("llm_arena_env.arena.run_cli", "cli"),
    ("llm_arena_env.training.record", "training"),
])
def test_layer_of(module, layer):
    assert layer_of(module) == layer


def test_lazy_and_relative_imports_are_found():
    source = (
        "from . import parsers\n"
        "from ..arena.runner import play_many\n"
        "def f():\n"
        "    from llm_arena_env.training import trajectory\n"
        "    import llm_arena_env.cli\n"
    )
    known = {"llm_arena_env.wrappers.parsers", "llm_arena_env.arena.runner", "llm_arena_env.training.__init__",
             "llm_arena_env.training.trajectory", "llm_arena_env.cli"}
    found = [name for name, _ in imports_of(source, "llm_arena_env.wrappers.rethink", known)]
    assert found == ["llm_arena_env.wrappers.parsers", "llm_arena_env.arena.runner",
                     "llm_arena_env.training.trajectory", "llm_arena_env.cli"]
