"""The runner as it was before episodes advanced on their own replies, loaded from git history.

Until commit :data:`LOCKSTEP_COMMIT` the local executor advanced its live episodes in lockstep rounds:
each round collected every live episode's observation, called each agent's ``decide_batch`` once, and
waited for the whole round. The benchmarks measure it beside today's runner, in the same run, with
``lockstep_runner().play_many(...)`` (the same signature as ``llm_arena_env.arena.runner.play_many``).
"""

from __future__ import annotations

import subprocess
import sys
import types
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LOCKSTEP_COMMIT = "a98b0a8"  # the last commit of main with the lockstep runner
RUNNER_PATH = "llm_arena_env/arena/runner.py"


def lockstep_runner() -> types.ModuleType:
    """The old runner module, built from ``git show LOCKSTEP_COMMIT:RUNNER_PATH`` against today's package."""
    name = "lockstep_runner"
    if name in sys.modules:
        return sys.modules[name]
    source = subprocess.run(["git", "-C", str(REPO), "show", f"{LOCKSTEP_COMMIT}:{RUNNER_PATH}"],
                            check=True, capture_output=True, text=True).stdout
    module = types.ModuleType(name)
    module.__file__ = f"{LOCKSTEP_COMMIT}:{RUNNER_PATH}"
    sys.modules[name] = module  # dataclasses look their module up while the class is made
    exec(compile(source, module.__file__, "exec"), module.__dict__)
    return module
