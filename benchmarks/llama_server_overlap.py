"""Do concurrent requests overlap on llama-cpp-python's server? Wall time of N requests sent at once
against the same N sent one after another, to a server started for the bundled SmolLM2 GGUF file.

A ratio near 1 means the server answers one request at a time (no parallel slots); near 1/N, fully
parallel. Run: ``nice python benchmarks/llama_server_overlap.py [--requests 4] [--tokens 32]``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=4)
    parser.add_argument("--tokens", type=int, default=32)
    args = parser.parse_args()

    from llm_arena_env.agents.backends.base import Request
    from llm_arena_env.agents.backends.llama_server import LlamaServerBackend
    from llm_arena_env.agents.bundled import bundled_gguf

    start = time.perf_counter()
    with LlamaServerBackend(bundled_gguf(), max_concurrency=args.requests) as backend:
        print(f"server up in {time.perf_counter() - start:.1f} s at {backend.server.base_url}")
        requests = [Request(({"role": "user", "content": f"Count from {i} to {i + 20}."},),
                            options={"temperature": 0.0, "max_tokens": args.tokens}) for i in range(args.requests)]
        backend.complete(requests[:1])  # warm-up
        start = time.perf_counter()
        one_by_one = [backend.complete([r])[0] for r in requests]
        sequential = time.perf_counter() - start
        start = time.perf_counter()
        together = backend.complete(requests)
        concurrent = time.perf_counter() - start
    tokens = sum(c.completion_tokens for c in one_by_one)
    print(f"{args.requests} requests one by one: {sequential:.1f} s ({tokens / sequential:.1f} tokens/s)")
    print(f"{args.requests} requests at once:   {concurrent:.1f} s "
          f"({sum(c.completion_tokens for c in together) / concurrent:.1f} tokens/s)")
    print(f"at once / one by one: {concurrent / sequential:.2f} (1.0: serialised; {1 / args.requests:.2f}: fully parallel)")
    print("same replies either way:", [c.text for c in one_by_one] == [c.text for c in together])
    return 0


if __name__ == "__main__":
    sys.exit(main())
