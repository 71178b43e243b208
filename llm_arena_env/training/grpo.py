"""GRPO on games with TRL: a ``rollout_func`` that plays whole episodes and returns them as token sequences.

TRL's ``GRPOTrainer(rollout_func=...)`` (checked against TRL 1.16, which marks it experimental) calls
``rollout_func(prompts, trainer)`` with the batch's prompts, each already repeated ``num_generations``
times, and wants one completion per prompt: a dict with ``prompt_ids``, ``completion_ids``, ``logprobs``
(None here: generation is TRL's transformers path, which needs none) and any extra per-completion
fields, which reach the reward functions as keyword arguments. ``env_mask`` is read as the loss mask of
the completion tokens: 1 where the model generated the token, 0 elsewhere.

:class:`GameRollout` is that function. For each prompt it plays one whole episode of its game: the
learner (the trainer's model, sampling through ``model.generate`` with the trainer's generation
settings) plays the prompt's seat; the other seats are played by ``opponents`` (agent specs such as
``"random"`` or ``"stockfish:3"``, or agent objects) or, with ``self_play=True``, by the same model.
The learner's side becomes one sequence: its first prompt, then each reply (mask 1) followed by what
the env showed it next (mask 0: new board, the opponent's move, a rejection), built token by token so
the trainer scores exactly what was sampled. The chat follows
:func:`~llm_arena_env.training.trajectory.conversation`, as the SFT rows do. The reward is the
learner's return, in the extra field ``game_return`` (read it with :func:`game_return_reward`); the
fields ``outcome``, ``illegal_actions`` and ``learner_turns`` come along.

Prompts name episodes: :func:`game_prompt_dataset` makes one row per seed and seat, whose ``prompt`` is a
short JSON key (game, seed, player). The model never sees it; it sees the env's observations. The
``num_generations`` copies of a prompt replay the same seed (same deal, same seeded random opponents), so
the returns within a GRPO group differ by the learner's play alone, and each group holds one role.

``max_completion_length`` caps each reply; a whole sequence holds all of the learner's turns and what
the env showed between them, so bound long games with the game's own ``max_turns`` in ``game_kwargs``.

>>> from trl import GRPOConfig, GRPOTrainer
>>> dataset = game_prompt_dataset("openspiel/tic_tac_toe", seeds=range(64))
>>> rollout = GameRollout("openspiel/tic_tac_toe", opponents="random")
>>> trainer = GRPOTrainer(model=path, reward_funcs=game_return_reward, train_dataset=dataset,
...                       rollout_func=rollout, args=GRPOConfig(num_generations=4, max_completion_length=32))

Text observations only (images are not passed to the model). Generation uses the trainer's model
through transformers; vLLM generation is not supported by this rollout.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Mapping, Protocol, Sequence

from llm_arena_env.agents.base import decide_batch
from llm_arena_env.training.generation import (
    chat_ids,
    generate_replies,
    observation_messages,
    reply_action,
    reply_text,
    require,
    turn_ids,
)
from llm_arena_env.training.trajectory import Turn, conversation
from llm_arena_env.wrappers.parsers import Parser, default_parser

_DEFAULT = object()  # "use default_parser()"


class Generator(Protocol):
    """Samples one reply per token-id context; knows its tokenizer and which ids end a reply."""

    tokenizer: Any
    eos_token_ids: Sequence[int]

    def __call__(self, contexts: Sequence[Sequence[int]]) -> list[list[int]]: ...


class TrainerGenerator:
    """Replies from a ``GRPOTrainer``'s model, with its generation config (``max_completion_length`` tokens
    per reply, its temperature, top-p...), unwrapped from DeepSpeed/FSDP as TRL does for generation."""

    def __init__(self, trainer: Any):
        if getattr(trainer, "use_vllm", False):
            raise ValueError("GameRollout generates with the trainer's model; set use_vllm=False in GRPOConfig")
        processing = trainer.processing_class
        self.tokenizer = getattr(processing, "tokenizer", processing)
        self.eos_token_ids = list(trainer.eos_token_ids)
        self.trainer = trainer

    def __call__(self, contexts: Sequence[Sequence[int]]) -> list[list[int]]:
        from contextlib import nullcontext

        from trl.models import unwrap_model_for_generation

        trainer = self.trainer
        summon = getattr(getattr(trainer, "_dist", None), "summon_full_params", None)  # FSDP; TRL-internal
        with unwrap_model_for_generation(
            trainer.model_wrapped,
            trainer.accelerator,
            gather_deepspeed3_params=trainer.args.ds3_gather_for_generation,
            generation_kwargs=getattr(trainer, "generation_kwargs", None),
            gradient_checkpointing_kwargs=trainer.args.gradient_checkpointing_kwargs,
        ) as model, (summon(trainer.model_wrapped, recurse=False) if summon else nullcontext()):
            return generate_replies(model, contexts, pad_token_id=self.tokenizer.pad_token_id,
                                    eos_token_ids=self.eos_token_ids, generation_config=trainer.generation_config)


# ---------------------------------------------------------------------------------------------- prompts


def episode_key(game: str, seed: int | None, player: str) -> str:
    """The prompt that names one episode and seat: a JSON object (game, seed, player)."""
    return json.dumps({"game": game, "seed": seed, "player": player})


def read_episode_key(prompt: Any) -> tuple[str, int | None, str]:
    """(game, seed, player) from a prompt made by :func:`episode_key`; a clear error for anything else."""
    try:
        data = json.loads(prompt)
        return str(data["game"]), data["seed"], str(data["player"])
    except (TypeError, ValueError, KeyError):
        raise ValueError(
            f"GameRollout reads prompts made by game_prompt_dataset / episode_key (JSON with game, seed, "
            f"player), got {str(prompt)[:120]!r}"
        ) from None


def game_prompt_rows(game: str, seeds: Sequence[int], *, players: Sequence[str] | None = None,
                     game_kwargs: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """One row per seed and seat (seed-major): ``prompt`` (the episode key), ``game``, ``seed``, ``player``."""
    from llm_arena_env import make

    seats = list(make(game, **dict(game_kwargs or {})).possible_agents)
    chosen = list(players) if players is not None else seats
    unknown = [p for p in chosen if p not in seats]
    if unknown or not chosen:
        raise ValueError(f"players must be some of {seats}, got {chosen}")
    return [{"prompt": episode_key(game, int(seed), p), "game": game, "seed": int(seed), "player": p}
            for seed in seeds for p in chosen]


def game_prompt_dataset(game: str, seeds: Sequence[int], *, players: Sequence[str] | None = None,
                        game_kwargs: Mapping[str, Any] | None = None) -> Any:
    """:func:`game_prompt_rows` as a ``datasets.Dataset``, the ``train_dataset`` of a GRPO run."""
    return require("datasets").Dataset.from_list(game_prompt_rows(game, seeds, players=players,
                                                                  game_kwargs=game_kwargs))


def game_return_reward(completions: Sequence[Any], game_return: Sequence[float], **_: Any) -> list[float]:
    """TRL reward function: the learner's return in the episode (the rollout's ``game_return`` field)."""
    if len(game_return) != len(completions):
        raise ValueError("game_return_reward needs the `game_return` field of GameRollout, one per completion")
    return [float(r) for r in game_return]


# ---------------------------------------------------------------------------------------------- episodes


@dataclass
class _Side:
    """One model-played seat: its token sequence so far and the turns behind it."""

    player: str
    prompt_ids: list[int] = field(default_factory=list)
    completion_ids: list[int] = field(default_factory=list)
    env_mask: list[int] = field(default_factory=list)
    turns: list[Turn] = field(default_factory=list)
    chat_length: int = 0  # messages of conversation(turns)
    illegal: int = 0

    def extend(self, ids: Sequence[int], generated: bool) -> None:
        self.completion_ids += ids
        self.env_mask += [int(generated)] * len(ids)


@dataclass
class _Episode:
    env: Any
    seed: int | None
    learner: str
    agents: dict[str, Any]  # player -> agent; None where the model plays
    sides: dict[str, _Side]
    returns: dict[str, float]
    steps: int = 0

    @property
    def done(self) -> bool:
        player = self.env.agent_selection
        return not self.env.agents or bool(self.env.terminations.get(player) or self.env.truncations.get(player))

    def step(self, action: Any) -> bool:
        """Play ``action`` for the player to move; True where the env accepted it."""
        player = self.env.agent_selection
        self.env.step(action)
        self.steps += 1
        for p, reward in self.env.rewards.items():
            self.returns[p] = self.returns.get(p, 0.0) + float(reward)
        return not self.env.infos.get(player, {}).get("rejection")


class GameRollout:
    """A TRL ``rollout_func`` that plays whole episodes of ``game``; see the module docstring.

    ``opponents``: one agent spec or agent for every other seat, or a mapping seat -> spec/agent naming
    every seat (the learner's own entry is skipped in its episodes). Specs are built as the arena's runner
    builds them: ``random`` afresh per episode, seeded ``seed * SEAT_SEED_STRIDE + seat`` (so an episode
    replays, and matches ``play_many``'s), other kinds once and shared, like agent objects.
    ``self_play=True``: every seat is the model (only the prompt's seat is trained in that episode).
    ``parser`` reads moves out of the model's replies (default: the rule-based ``default_parser()``;
    None sends the stripped reply). ``game_kwargs`` go to ``make``, ``reset_options`` to every reset."""

    def __init__(self, game: str, *, opponents: Any = None, self_play: bool = False,
                 game_kwargs: Mapping[str, Any] | None = None, reset_options: Mapping[str, Any] | None = None,
                 parser: Any = _DEFAULT):
        from llm_arena_env import make

        if self_play == (opponents is not None):
            raise ValueError("give either opponents (agent specs or agents) or self_play=True")
        self.game = game
        self.game_kwargs = dict(game_kwargs or {})
        self.reset_options = dict(reset_options or {})
        self.players = list(make(game, **self.game_kwargs).possible_agents)
        if isinstance(opponents, Mapping):
            missing = [p for p in self.players if p not in opponents]
            if len(missing) > 1:  # at most the learner's seat may be left out
                raise ValueError(f"opponents names no agent for {missing}; players are {self.players}")
        self.opponents = opponents
        self.self_play = self_play
        self._shared: dict[str, Any] = {}  # spec -> agent, for agents shared by all episodes
        self.parser: Parser | None = default_parser() if parser is _DEFAULT else parser
        self.__name__ = "GameRollout"  # TRL and loggers name callables

    def __call__(self, prompts: Sequence[Any], trainer: Any) -> dict[str, Any]:
        """The ``rollout_func`` hook: one episode per prompt, generated with the trainer's model."""
        starts = []
        for prompt in prompts:
            game, seed, player = read_episode_key(prompt)
            if game != self.game:
                raise ValueError(f"this rollout plays {self.game!r}, but a prompt names {game!r}")
            starts.append((seed, player))
        return self.play(starts, TrainerGenerator(trainer))

    def play(self, starts: Sequence[tuple[int | None, str]], generator: Generator) -> dict[str, Any]:
        """Play one episode per ``(seed, player)`` (all at once, the model's turns batched) and return
        TRL's rollout dict: ``prompt_ids``, ``completion_ids``, ``logprobs`` (None), ``env_mask``,
        ``game_return``, ``outcome``, ``illegal_actions``, ``learner_turns``, one entry per start."""
        episodes = [self._start(seed, player) for seed, player in starts]
        while True:
            live = [e for e in episodes if not e.done]
            if not live:
                break
            model_turns, agent_turns = [], {}
            for episode in live:
                agent = episode.agents[episode.env.agent_selection]
                if agent is None:
                    model_turns.append(episode)
                else:
                    agent_turns.setdefault(id(agent), (agent, []))[1].append(episode)
            for agent, group in agent_turns.values():
                observations = [e.env.observe(e.env.agent_selection) for e in group]
                for episode, decision in zip(group, decide_batch(agent, observations)):
                    episode.step(decision.action)
            if model_turns:
                self._model_turns(model_turns, generator)
        return self._results(episodes, generator)

    # ------------------------------------------------------------------ steps

    def _start(self, seed: int | None, player: str) -> _Episode:
        from llm_arena_env import make

        if player not in self.players:
            raise ValueError(f"unknown seat {player!r}; players are {self.players}")
        env = make(self.game, **self.game_kwargs)
        env.reset(seed=seed, options=dict(self.reset_options) or None)
        agents: dict[str, Any] = {}
        for index, seat in enumerate(self.players):
            if seat == player or self.self_play:
                agents[seat] = None
                continue
            agent = self.opponents[seat] if isinstance(self.opponents, Mapping) else self.opponents
            agents[seat] = self._agent(agent, seed, index) if isinstance(agent, str) else agent
        sides = {seat: _Side(seat) for seat, agent in agents.items() if agent is None}
        return _Episode(env, seed, player, agents, sides, {seat: 0.0 for seat in self.players})

    def _agent(self, spec: str, seed: int | None, seat: int) -> Any:
        """The agent a spec names, built as the arena's runner builds it: cheap random agents afresh per
        episode (seeded from the episode's seed and seat), anything else once, then shared."""
        from llm_arena_env.agents.specs import make_agent
        from llm_arena_env.arena.runner import EPISODE_AGENT_KINDS, SEAT_SEED_STRIDE

        if spec.strip().partition(":")[0] in EPISODE_AGENT_KINDS:
            return make_agent(spec, seed=None if seed is None else seed * SEAT_SEED_STRIDE + seat)
        if spec not in self._shared:
            self._shared[spec] = make_agent(spec)
        return self._shared[spec]

    def _model_turns(self, episodes: Sequence[_Episode], generator: Generator) -> None:
        """One batched generation for every episode where the model is to move; then each plays its reply."""
        contexts, pending = [], []
        for episode in episodes:
            player = episode.env.agent_selection
            side = episode.sides[player]
            observation = episode.env.observe(player)
            self._show(side, observation, episode.steps, generator)
            contexts.append(side.prompt_ids + side.completion_ids)
            pending.append((episode, side, observation))
        for (episode, side, observation), reply in zip(pending, generator(contexts)):
            side.extend(reply, generated=True)
            text = reply_text(generator.tokenizer, reply)
            action = reply_action(text, observation, self.parser)
            legal = episode.step(action)
            side.illegal += not legal
            side.turns.append(Turn(index=episode.steps - 1, player=side.player,
                                   messages=tuple(observation_messages(observation)),
                                   completion=text, action=action, legal=legal))

    def _show(self, side: _Side, observation: Mapping[str, Any], index: int, generator: Generator) -> None:
        """Append what the env shows ``side`` now (its first prompt, or the new messages since its last reply)."""
        upcoming = Turn(index=index, player=side.player, messages=tuple(observation_messages(observation)),
                        completion="", action="", legal=False)
        chat = conversation([*side.turns, upcoming])
        new = chat[side.chat_length:-1]  # the new messages, without the reply placeholder
        side.chat_length = len(chat)
        if not side.turns:
            side.prompt_ids = chat_ids(generator.tokenizer, new)
            return
        eos = list(generator.eos_token_ids)
        if side.completion_ids[-1] not in eos:  # the last reply was cut short: close it as the template would
            side.extend(eos[:1], generated=False)
        side.extend(turn_ids(generator.tokenizer, new, eos), generated=False)

    def _results(self, episodes: Sequence[_Episode], generator: Generator) -> dict[str, Any]:
        out: dict[str, list[Any]] = {key: [] for key in (
            "prompt_ids", "completion_ids", "env_mask", "game_return", "outcome", "illegal_actions", "learner_turns")}
        for episode in episodes:
            side = episode.sides[episode.learner]
            if not side.turns:  # the game ended before the learner moved: its opening view, nothing to train
                view = observation_messages(episode.env.observe(episode.learner))
                side.prompt_ids = chat_ids(generator.tokenizer, view)
                side.extend(list(generator.eos_token_ids)[:1], generated=False)
            outcome = episode.env.infos.get(episode.learner, {}).get("outcome", "")
            out["prompt_ids"].append(side.prompt_ids)
            out["completion_ids"].append(side.completion_ids)
            out["env_mask"].append(side.env_mask)
            out["game_return"].append(episode.returns[episode.learner])
            out["outcome"].append(str(getattr(outcome, "value", outcome)))
            out["illegal_actions"].append(side.illegal)
            out["learner_turns"].append(len(side.turns))
        return {**out, "logprobs": None}


__all__ = [
    "GameRollout",
    "Generator",
    "TrainerGenerator",
    "episode_key",
    "read_episode_key",
    "game_prompt_rows",
    "game_prompt_dataset",
    "game_return_reward",
]
