"""``llm-arena prompt GAME``: the exact prompt a model would get, without asking one.

    llm-arena prompt chess --seed 0
    llm-arena prompt openspiel/tic_tac_toe --game-arg notation=grid
    llm-arena prompt dialogue/taboo --instance 3 --player guesser --moves "..."
"""

from __future__ import annotations

import argparse
import json
from typing import Any


def add_prompt_parser(subparsers: Any) -> None:
    prompt = subparsers.add_parser(
        "prompt", help="print the exact prompt (chat messages, legal moves) a model would get in a game",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    prompt.add_argument("game", help="a game id, as `llm-arena list games` shows it")
    prompt.add_argument("--seed", type=int, default=None, metavar="S", help="the reset seed (default: unseeded)")
    prompt.add_argument("--instance", type=int, default=None, metavar="N",
                        help="the instance to play, in games with an instance set")
    prompt.add_argument("--game-arg", action="append", default=[], metavar="KEY=VALUE",
                        help="a keyword argument of the game, such as a prompt option; repeatable")
    prompt.add_argument("--moves", nargs="*", default=[], metavar="MOVE",
                        help="moves to play first (in the game's notation), to see a later prompt")
    prompt.add_argument("--json", action="store_true", help="print the messages as JSON, as they are sent")
    prompt.set_defaults(command=prompt_command)


def prompt_command(args: argparse.Namespace) -> int:
    from llm_arena_env.cli_common import UsageError, make_env, parse_game_args

    env = make_env(args.game, parse_game_args(args.game_arg))
    try:
        options = None if args.instance is None else {"instance": args.instance}
        try:
            env.reset(seed=args.seed, options=options)
        except (ValueError, IndexError, KeyError) as error:
            raise UsageError(f"cannot reset {args.game} with {options or 'no options'}: {error}") from None
        for move in args.moves:
            ok, reason = env.check_action(env.agent_selection, move)
            if not ok:
                raise UsageError(f"move {move!r} by {env.agent_selection} is rejected: {reason}")
            env.step(move)
            if not env.agents:
                raise UsageError(f"the game is over after {move!r}")
        player = env.agent_selection
        observation = env.observe(player)
        messages = list(observation.get("messages") or [{"role": "user", "content": observation.get("text", "")}])
        if args.json:
            print(json.dumps({"player": player, "messages": messages,
                              "legal_actions": list(observation.get("legal_actions") or [])}, indent=1,
                             ensure_ascii=False))
            return 0
        print(f"# {args.game}, {player} to move" + (f", seed {args.seed}" if args.seed is not None else ""))
        for message in messages:
            print(f"\n--- {message['role']} ---\n{message['content']}")
        legal = list(observation.get("legal_actions") or [])
        if legal:
            print(f"\n--- legal moves ({len(legal)}) ---\n{' '.join(legal)}")
        if observation.get("image") is not None:
            print(f"\n(with a picture of {observation['image'].shape[1]}x{observation['image'].shape[0]} pixels)")
    finally:
        env.close()
    return 0


__all__ = ["add_prompt_parser"]
