"""How long a run takes to stop (or its episodes to end) under each fault of a model server, and what it
records: `llm-arena run` against the loopback fake server of the tests, with the default retry budget.

    python benchmarks/faults.py [--episodes 3] [--max-retries 5] [--timeout 2]

Prints one row per fault: wall seconds of the whole command, exit status, episodes written and their
outcomes and error kinds. The hang fault uses --timeout (the default 900 s would take an hour to show).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from llm_arena_env.arena.results import load_episodes  # noqa: E402
from llm_arena_env.cli import main  # noqa: E402
from tests.fake_openai_server import FakeOpenAIServer, Reply  # noqa: E402
from tests.test_failures import legal_move  # noqa: E402

CHAT_FAULTS = {
    "401 (chat)": lambda: Reply.error(401, "bad key"),
    "403 (chat)": lambda: Reply.error(403, "no access"),
    "404 (chat)": lambda: Reply.error(404, "no such model"),
    "429 Retry-After 1": lambda: Reply.error(429, "slow down", retry_after=1),
    "503": lambda: Reply.error(503, "overloaded"),
    "hang past timeout": lambda: Reply.hang(30),
    "malformed body": Reply.malformed,
    "truncated body": Reply.truncated,
    "connection reset": Reply.reset,
    "lone surrogate": lambda: Reply.answer("Final Answer: x(0,0) \ud800"),
}
PREFLIGHT_FAULTS = ("server down", "401 (models)", "model not listed")


def run_once(fault: str, episodes: int, retries: int, timeout: float) -> tuple[float, int, str]:
    with FakeOpenAIServer(max_requests=10_000) as server, tempfile.TemporaryDirectory() as root:
        server.responder = legal_move
        if fault in CHAT_FAULTS:
            make = CHAT_FAULTS[fault]
            server.responder = lambda body: make()
        elif fault == "401 (models)":
            server.models_reply = Reply.error(401, "bad key")
        elif fault == "model not listed":
            server.models = ("other",)
        if fault == "server down":
            server.stop()
        player = f"openai:fake@{server.url},max_retries={retries}"
        if fault == "hang past timeout":
            player += f",timeout={timeout}"
        argv = ["run", "openspiel/tic_tac_toe", "--players", player, "random", "--episodes", str(episodes),
                "--seed", "0", "--results-root", root, "--run-name", "r", "--no-progress"]
        start = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            code = main(argv)
        seconds = time.perf_counter() - start
        records = load_episodes(Path(root) / "r") if (Path(root) / "r").exists() else []
        outcomes = Counter(str(r["outcomes"].get("player_0")) for r in records)
        kinds = Counter(str((r.get("error") or {}).get("kind")) for r in records if r.get("error"))
        recorded = f"{len(records)} written: " + ", ".join(f"{n} {o}" for o, n in sorted(outcomes.items()))
        if kinds:
            recorded += " (" + ", ".join(f"{k}" for k in sorted(kinds)) + ")"
        return seconds, code, recorded if records else "nothing written"


def main_() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--episodes", type=int, default=3)
    parser.add_argument("--max-retries", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=2.0)
    args = parser.parse_args()
    print(f"{args.episodes} episodes of tic-tac-toe, model in seat 0, max_retries={args.max_retries}\n")
    print(f"{'fault':<20} {'seconds':>8} {'exit':>5}  recorded")
    for fault in [*PREFLIGHT_FAULTS, *CHAT_FAULTS, "none"]:
        seconds, code, recorded = run_once(fault, args.episodes, args.max_retries, args.timeout)
        print(f"{fault:<20} {seconds:8.2f} {code:>5}  {recorded}", flush=True)


if __name__ == "__main__":
    main_()
