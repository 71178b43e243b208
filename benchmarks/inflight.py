"""How busy the arena keeps a model server: utilisation against a loopback server with real-model latency.

A loopback OpenAI-compatible server (its own process, asyncio) answers every chat completion with a legal
move (picked from the prompt's "Legal moves:" line by a hash of the prompt, so every run plays the same
games) after a lognormal delay (median ``--median`` s, log-sd ``--sigma``), and records how long it held
each request. The arena plays ``openspiel/tic_tac_toe``, the CLI's LLM player (``Rethink(Parse(LLMAgent(
OpenAIBackend)))``) in both seats, as ``llm-arena run ... --players openai:m@URL openai:m@URL`` does, and
for each concurrency the benchmark prints

    utilisation = (sum of the server's latencies) / (wall time x concurrency),

the share of what ``concurrency`` episodes could ask of the server that they did ask, for today's runner
and, in the same run, the lockstep runner it replaced (loaded from git history, see ``lockstep.py``):
with the OpenAI backend's old default of 8 threads (what users had) and with as many threads as the run's
concurrency (lockstep alone). It also prints the mean and peak of requests in flight at the server, and the
CPU time per request of the arena's process and of the server's: on a shared machine the arena's share of
the CPU, not its scheduling, is what caps utilisation at high concurrency.

Targets on a 2-core machine: utilisation >= 0.8 at concurrency 32 and >= 0.7 at 128, with 128+ episodes.

Run: ``nice -n 10 python benchmarks/inflight.py [--concurrency 8 32 128] [--episodes N]``.

Measured 2026-12-01 on the shared 2-core machine (two other CPU-bound processes beside it, load average 1.8
at the start, 3.3-4 during), utilisation of today's runner / lockstep with 8 threads / lockstep with
``concurrency`` threads: concurrency 8: 0.95 / 0.46; 32: 0.88 / 0.19 / 0.33; 128: 0.67 / 0.06 / 0.23, the
same games in every run. At 128 the arena's own CPU is the cap (1.2 ms a request, about 350 requests/s
needed). Sending the messages past the SDK's type walk (``OpenAIBackend._create_args``) took it to 1.0 ms:
at 128, alternating runs at load 5-6 gave 0.61 and 0.69 before, 0.73 and 0.74 after.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import math
import random
import re
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

REPO = Path(__file__).resolve().parent.parent
GAME = "openspiel/tic_tac_toe"
LLM = "bench-llm"
LEGAL = re.compile(r"Legal moves: (.*)")


# ---------------------------------------------------------------------------------------------- server


class LoopbackServer:
    """Chat completions after a lognormal delay; ``GET /stats`` gives the latencies held since ``POST /reset``."""

    def __init__(self, median: float, sigma: float, seed: int):
        self.mu, self.sigma = math.log(median), sigma
        self.rng = random.Random(seed)
        self.latencies: list[float] = []
        self.in_flight = 0
        self.peak = 0
        self.cpu = time.process_time()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                start = time.perf_counter()
                request_line, *header_lines = head.decode("latin-1").split("\r\n")
                headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in header_lines if h)}
                body = await reader.readexactly(int(headers.get("content-length", 0)))
                method, path, _ = request_line.split(" ", 2)
                if path.endswith("/chat/completions"):
                    payload = await self.complete(json.loads(body))
                    self.latencies.append(time.perf_counter() - start)
                elif path.endswith("/stats"):
                    payload = {"latencies": self.latencies, "peak": self.peak, "cpu_s": time.process_time() - self.cpu}
                elif path.endswith("/reset"):
                    self.latencies, self.peak, self.cpu = [], 0, time.process_time()
                    payload = {}
                else:  # /models, the arena's pre-flight check
                    payload = {"object": "list", "data": [{"id": "bench", "object": "model", "owned_by": "bench"}]}
                data = json.dumps(payload).encode()
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                             + str(len(data)).encode() + b"\r\n\r\n" + data)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    async def complete(self, body: dict[str, Any]) -> dict[str, Any]:
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            await asyncio.sleep(self.rng.lognormvariate(self.mu, self.sigma))
        finally:
            self.in_flight -= 1
        text = body["messages"][-1]["content"]
        lines = LEGAL.findall(text)
        moves = lines[-1].split(", ") if lines else ["pass"]
        move = moves[int(hashlib.sha256(text.encode()).hexdigest(), 16) % len(moves)]
        message = {"role": "assistant", "content": f"I play the best cell.\nFinal Answer: {move}"}
        return {"id": "bench", "object": "chat.completion", "created": 0, "model": body.get("model", "m"),
                "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 400, "completion_tokens": 12, "total_tokens": 412}}


def serve(median: float, sigma: float, seed: int) -> None:
    """The server process: prints its port, then serves until killed."""

    async def main() -> None:
        server = LoopbackServer(median, sigma, seed)
        listener = await asyncio.start_server(server.handle, "127.0.0.1", 0, backlog=4096)
        print(listener.sockets[0].getsockname()[1], flush=True)
        await listener.serve_forever()

    asyncio.run(main())


def call(url: str, path: str, data: bytes | None = None) -> Any:
    with urllib.request.urlopen(urllib.request.Request(url + path, data=data), timeout=30) as response:
        return json.loads(response.read())


# ---------------------------------------------------------------------------------------------- client


@dataclass
class Measure:
    runner: str
    concurrency: int
    episodes: int
    wall_s: float
    busy_s: float  # the sum of the server's latencies
    requests: int
    peak: int
    client_cpu_s: float
    server_cpu_s: float
    moves: list[list[str]]

    @property
    def utilisation(self) -> float:
        return self.busy_s / (self.wall_s * self.concurrency)


def measure(runner: str, url: str, concurrency: int, episodes: int, threads: int | None) -> Measure:
    from llm_arena_env.agents.backends.openai_backend import OpenAIBackend
    from llm_arena_env.agents.llm import LLMAgent
    from llm_arena_env.arena import runner as current
    from llm_arena_env.wrappers import Parse, Rethink

    if runner == "async":
        module = current
    else:
        sys.path.insert(0, str(REPO / "benchmarks"))
        from lockstep import lockstep_runner

        module = lockstep_runner()
    backend = OpenAIBackend("bench", base_url=url, max_concurrency=threads, timeout=120)
    agent = Rethink(Parse(LLMAgent(backend)), max_rethinks=3)
    jobs = [current.EpisodeJob(GAME, {}, k, None, (LLM, LLM), f"{k:04d}") for k in range(episodes)]
    call(url, "/reset", b"")
    start, cpu = time.perf_counter(), time.process_time()
    records = module.play_many(jobs, concurrency=concurrency, progress=False, agents={LLM: agent})
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    stats = call(url, "/stats")
    backend.close()
    label = runner if threads is None else f"{runner}, {threads} threads"
    return Measure(label, concurrency, episodes, wall, sum(stats["latencies"]), len(stats["latencies"]),
                   stats["peak"], cpu, stats["cpu_s"], [[s.action for s in r.steps] for r in records])


def row(run: Measure, same: int) -> str:
    return (f"{run.runner:>22} {run.concurrency:>5} {run.episodes:>5} {run.wall_s:>8.1f} {run.requests:>8} "
            f"{run.busy_s / run.wall_s:>9.1f} {run.peak:>5} {run.utilisation:>7.2f} "
            f"{1000 * run.client_cpu_s / run.requests:>10.2f} {1000 * run.server_cpu_s / run.requests:>10.2f} "
            f"{same:>4}/{min(run.episodes, len(run.moves))}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--concurrency", type=int, nargs="+", default=[8, 32, 128])
    parser.add_argument("--episodes", type=int,
                        help="episodes of each run of today's runner (default: 8 x concurrency, at least 128: "
                             "with fewer, the end of the run, when fewer episodes are left than the concurrency, "
                             "weighs on the figure)")
    parser.add_argument("--lockstep-episodes", type=int,
                        help="episodes of each lockstep run (default: 2 x concurrency, at least 128; it is slow)")
    parser.add_argument("--median", type=float, default=0.2, help="median server latency, seconds")
    parser.add_argument("--sigma", type=float, default=0.6, help="log-sd of the server latency")
    parser.add_argument("--lockstep-threads", type=int, nargs="*", default=[8, 0],
                        help="thread counts of the lockstep runs (8: the old default; 0: the run's concurrency); "
                             "none: skip the lockstep runs")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve(args.median, args.sigma, args.seed)
        return 0

    sys.path.insert(0, str(REPO))
    server = subprocess.Popen([sys.executable, __file__, "--serve", "--median", str(args.median),
                               "--sigma", str(args.sigma)], stdout=subprocess.PIPE, text=True)
    try:
        url = f"http://127.0.0.1:{server.stdout.readline().strip()}/v1"  # type: ignore[union-attr]
        print(f"{GAME}, LLM player in both seats against a loopback server (lognormal latency, median "
              f"{args.median}s, log-sd {args.sigma}); {Path('/proc/loadavg').read_text().split()[0]} load average "
              "before the run", flush=True)
        rows = []
        for concurrency in args.concurrency:
            runs = [measure("async", url, concurrency, args.episodes or max(128, 8 * concurrency), None)]
            for threads in dict.fromkeys(t or concurrency for t in args.lockstep_threads):
                episodes = args.lockstep_episodes or max(128, 2 * concurrency)
                runs.append(measure("lockstep", url, concurrency, episodes, threads))
            for run in runs:
                same = sum(a == b for a, b in zip(run.moves, runs[0].moves))  # the first episodes of both
                rows.append(row(run, same))
                print(rows[-1], flush=True)
    finally:
        server.kill()
    print(f"\n{'runner':>22} {'conc.':>5} {'eps':>5} {'wall s':>8} {'requests':>8} {'mean busy':>9} {'peak':>5} "
          f"{'util.':>7} {'client CPU':>10} {'server CPU':>10} same games")
    print(f"{'ms/request':>96} {'ms/request':>10}")
    print("\n".join(rows))
    print(f"load average now {Path('/proc/loadavg').read_text().split()[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
