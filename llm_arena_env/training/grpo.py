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
short JSON key (game, seed, player, and the number of random ``opening`` plies). The model never sees it;
it sees the env's observations. The ``num_generations`` copies of a prompt share the starting position
(same deal, same opening) and one role, but each member meets its own opponent randomness (member 0 the
episode's usual seed, member k a seed drawn from (seed, seat, k)), and samples its own replies: a group
of identical games would have no reward spread, and GRPO learns nothing from it.

Two sample modes. ``samples="episode"`` (default): the learner's whole side of the game is one sequence,
as above. ``samples="turn"``: each learner move is its own (prompt, completion) sample, the prompt being
that turn's chat as the env shows it (one self-contained prompt in board games, the dialogue so far in
dialogue games). As a TRL ``rollout_func`` the completion is the learner's first move from the prompt's
position; the rest of the game is played by the same model (sampled, not trained on) to get the return.
:meth:`GameRollout.play_turns` returns every turn as a sample, for loops outside TRL. Board positions
vary through ``max_opening_moves`` of :func:`game_prompt_rows`. ``continuation="random"`` hands the
learner's seat to a random player after the sampled move, and ``playouts=K`` plays K games on from it (each
with its own randomness): the reward is then the move's value under random play, estimated from K games,
at the cost of one generation per sample; ``playouts="exact"`` (OpenSpiel games with a small tree, such as
tic-tac-toe) gives that value exactly, by walking the game tree (:mod:`~llm_arena_env.training.move_values`),
so that members of a group that chose the same move get the same reward. Returns from a model playing on are noisier (its own later
mistakes count against the move) and cost a generation per later move.

Rewards: the return (``game_return``), its discounted value at the sampled turn (``discounted_return``,
``gamma`` per later learner move), and the number of moves the env accepted (``accepted_moves``), which
:func:`legal_move_reward` turns into a small shaping bonus (weigh it with ``GRPOConfig.reward_weights``).

An opponent whose model call failed for good plays no move (as in the arena): its episode ends there with
outcome ``error`` (end reason ``error``, the failure in the ``error`` field), every mask entry 0, and the
reward functions here return None for it, which TRL counts as unscorable (left out of its group's mean
and std, advantage 0): a failed call is never scored as anyone's move. A fatal failure (rejected key,
missing model) raises :class:`~llm_arena_env.arena.runner.FatalModelError`.

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
import random
import statistics
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Protocol, Sequence

from llm_arena_env.core.outcome import Outcome
from llm_arena_env.agents.base import decide_batch
from llm_arena_env.arena.jobs import EPISODE_AGENT_KINDS, SEAT_SEED_STRIDE, seat_seed
from llm_arena_env.training.generation import (
    chat_ids,
    generate_replies,
    move_token_ids,
    observation_messages,
    reply_action,
    reply_text,
    require,
    stop_token_ids,
    turn_ids,
)
from llm_arena_env.training.move_values import RandomPlayValues
from llm_arena_env.training.trajectory import Turn, conversation
from llm_arena_env.wrappers.parsers import Parser, default_parser
from llm_arena_env.wrappers.single_agent import opponent_failure

_DEFAULT = object()  # "use default_parser()"


class Generator(Protocol):
    """Samples one reply per token-id context; knows its tokenizer and which ids end a reply. ``allowed`` (only
    passed with ``GameRollout(legal_only=True)``): per context, the token sequences the reply must be one of."""

    tokenizer: Any
    eos_token_ids: Sequence[int]

    def __call__(self, contexts: Sequence[Sequence[int]],
                 allowed: Sequence[Sequence[Sequence[int]]] | None = None) -> list[list[int]]: ...


class TrainerGenerator:
    """Replies from a ``GRPOTrainer``'s model, with its generation config (``max_completion_length`` tokens
    per reply, its temperature, top-p...), unwrapped from DeepSpeed/FSDP as TRL does for generation."""

    def __init__(self, trainer: Any, *, stop_ids: Sequence[int] = ()):
        if getattr(trainer, "use_vllm", False):
            raise ValueError("GameRollout generates with the trainer's model; set use_vllm=False in GRPOConfig")
        processing = trainer.processing_class
        self.tokenizer = getattr(processing, "tokenizer", processing)
        self.eos_token_ids = list(trainer.eos_token_ids)
        self.stop_ids = list(stop_ids)  # ids that end a reply besides eos (generation.stop_token_ids)
        self.trainer = trainer

    def __call__(self, contexts: Sequence[Sequence[int]],
                 allowed: Sequence[Sequence[Sequence[int]]] | None = None) -> list[list[int]]:
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
                                    eos_token_ids=self.eos_token_ids, generation_config=trainer.generation_config,
                                    stop_ids=self.stop_ids, allowed=allowed)


# ---------------------------------------------------------------------------------------------- prompts


def episode_key(game: str, seed: int | None, player: str, opening: int = 0) -> str:
    """The prompt that names one episode and seat: a JSON object (game, seed, player; opening plies if any)."""
    key: dict[str, Any] = {"game": game, "seed": seed, "player": player}
    if opening:
        key["opening"] = int(opening)
    return json.dumps(key)


def read_episode_key(prompt: Any) -> tuple[str, int | None, str]:
    """(game, seed, player) from a prompt made by :func:`episode_key`; a clear error for anything else."""
    game, seed, player, _ = read_episode_start(prompt)
    return game, seed, player


def read_episode_start(prompt: Any) -> tuple[str, int | None, str, int]:
    """(game, seed, player, opening plies) from a prompt made by :func:`episode_key`."""
    try:
        data = json.loads(prompt)
        return str(data["game"]), data["seed"], str(data["player"]), int(data.get("opening", 0))
    except (TypeError, ValueError, KeyError, AttributeError):
        raise ValueError(
            f"GameRollout reads prompts made by game_prompt_dataset / episode_key (JSON with game, seed, "
            f"player), got {str(prompt)[:120]!r}"
        ) from None


def game_prompt_rows(game: str, seeds: Sequence[int], *, players: Sequence[str] | None = None,
                     game_kwargs: Mapping[str, Any] | None = None, max_opening_moves: int = 0,
                     ) -> list[dict[str, Any]]:
    """One row per seed and seat (seed-major): ``prompt`` (the episode key), ``game``, ``seed``, ``player``.

    ``max_opening_moves``: each seed also draws 0 to that many random plies played before the learner's
    first move (``opening``), so that samples start from varied positions; the seat of a row then moves
    first after its opening (openings that would end the game or skip the seat are shortened)."""
    from llm_arena_env import make

    if max_opening_moves < 0:
        raise ValueError(f"max_opening_moves must be >= 0, got {max_opening_moves}")
    seats = list(make(game, **dict(game_kwargs or {})).possible_agents)
    chosen = list(players) if players is not None else seats
    unknown = [p for p in chosen if p not in seats]
    if unknown or not chosen:
        raise ValueError(f"players must be some of {seats}, got {chosen}")
    rows = []
    for seed in seeds:
        for p in chosen:
            plies = 0
            if max_opening_moves:
                env = make(game, **dict(game_kwargs or {}))
                env.reset(seed=int(seed))
                plies = play_opening(env, int(seed), p, random.Random(f"{seed}/{p}").randint(0, max_opening_moves))
            rows.append({"prompt": episode_key(game, int(seed), p, plies), "game": game, "seed": int(seed),
                         "player": p, "opening": plies})
    return rows


def game_prompt_dataset(game: str, seeds: Sequence[int], *, players: Sequence[str] | None = None,
                        game_kwargs: Mapping[str, Any] | None = None, max_opening_moves: int = 0) -> Any:
    """:func:`game_prompt_rows` as a ``datasets.Dataset``, the ``train_dataset`` of a GRPO run."""
    return require("datasets").Dataset.from_list(game_prompt_rows(game, seeds, players=players,
                                                                  game_kwargs=game_kwargs,
                                                                  max_opening_moves=max_opening_moves))


def _over(env: Any) -> bool:
    player = env.agent_selection
    return not env.agents or bool(env.terminations.get(player) or env.truncations.get(player))


def play_opening(env: Any, seed: int | None, player: str, plies: int) -> int:
    """Play random legal moves (seeded by ``seed``) on ``env`` just reset with ``seed`` until at least
    ``plies`` are played and ``player`` is to move; where the game would end first, back off to the last
    position where ``player`` was to move. Returns the plies played: the same (seed, player, plies) gives
    the same position, and playing the returned number again stops there."""
    from llm_arena_env.agents.random_agent import RandomAgent

    mover = RandomAgent(seed=None if seed is None else seed * SEAT_SEED_STRIDE + 999)  # not a seat's seed
    moves: list[str] = []
    ready = [0] if not _over(env) and env.agent_selection == player else []  # lengths where the seat moves
    while not _over(env) and not (len(moves) >= plies and env.agent_selection == player):
        moves.append(mover.act(env.observe(env.agent_selection)))
        env.step(moves[-1])
        if not _over(env) and env.agent_selection == player:
            ready.append(len(moves))
    if ready and ready[-1] == len(moves):
        return len(moves)
    if not ready:
        raise ValueError(f"{player} never gets to move in this game's opening (seed {seed})")
    env.reset(seed=seed)  # the game ended first: replay up to the seat's last turn
    for move in moves[:ready[-1]]:
        env.step(move)
    return ready[-1]


def _scored(values: Sequence[Any], outcome: Sequence[str] | None) -> list[float | None]:
    """``values`` as floats, None where the episode ended in error (TRL leaves those rows unscored)."""
    errors = [o == Outcome.ERROR for o in outcome] if outcome is not None else [False] * len(values)
    return [None if error else float(v) for v, error in zip(values, errors)]


def game_return_reward(completions: Sequence[Any], game_return: Sequence[float],
                       outcome: Sequence[str] | None = None, **_: Any) -> list[float | None]:
    """TRL reward function: the learner's return in the episode (the rollout's ``game_return`` field);
    None for an episode that ended in error."""
    if len(game_return) != len(completions):
        raise ValueError("game_return_reward needs the `game_return` field of GameRollout, one per completion")
    return _scored(game_return, outcome)


def discounted_return_reward(completions: Sequence[Any], discounted_return: Sequence[float],
                             outcome: Sequence[str] | None = None, **_: Any) -> list[float | None]:
    """TRL reward function: the return discounted to the sampled turn (``discounted_return``)."""
    if len(discounted_return) != len(completions):
        raise ValueError("discounted_return_reward needs the `discounted_return` field of GameRollout")
    return _scored(discounted_return, outcome)


def legal_move_reward(completions: Sequence[Any], accepted_moves: Sequence[int],
                      outcome: Sequence[str] | None = None, **_: Any) -> list[float | None]:
    """TRL reward function for legal-move shaping: the learner's moves the env accepted in the episode
    (in ``samples="turn"`` mode: 1 where the sampled move was accepted, else 0). Give it a small weight
    beside the return (``reward_weights=[1.0, 0.1]``), so that winning stays what counts."""
    if len(accepted_moves) != len(completions):
        raise ValueError("legal_move_reward needs the `accepted_moves` field of GameRollout, one per completion")
    return _scored(accepted_moves, outcome)


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
    turn_ids: list[tuple[list[int], list[int]]] = field(default_factory=list)  # samples="turn": (prompt, reply)

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
    start: tuple[Any, ...] = ()  # (seed, player, opening, member): _start's arguments, to replay it
    steps: int = 0
    learner_moves: int = 0  # the learner seat's replies (model or continuation), rejected ones too
    history: list[Any] = field(default_factory=list)  # actions played since the opening, in order
    playouts: list["_Episode"] = field(default_factory=list)  # copies after the sampled move (samples="turn")
    copy: bool = False  # one of those playouts
    handed_over: bool = False  # the sampled move was accepted: the playouts started, the continuation plays
    error: dict[str, str] | None = None  # an opponent's model call failed: the episode ended, unscored
    value: float | None = None  # playouts="exact": the learner's exact return under random play from here

    @property
    def done(self) -> bool:
        if self.error is not None or self.value is not None:
            return True
        player = self.env.agent_selection
        return not self.env.agents or bool(self.env.terminations.get(player) or self.env.truncations.get(player))

    def scored_playouts(self) -> list["_Episode"]:
        """This game and its playouts, less those an opponent's failed call ended (all of them if none is left)."""
        games = [self, *self.playouts]
        return [e for e in games if e.error is None] or games

    def step(self, action: Any) -> bool:
        """Play ``action`` for the player to move; True where the env accepted it."""
        player = self.env.agent_selection
        self.env.step(action)
        self.steps += 1
        self.learner_moves += player == self.learner
        self.history.append(action)
        for p, reward in self.env.rewards.items():
            self.returns[p] = self.returns.get(p, 0.0) + float(reward)
        return not self.env.infos.get(player, {}).get("rejection")


class GameRollout:
    """A TRL ``rollout_func`` that plays whole episodes of ``game``; see the module docstring.

    ``opponents``: one agent spec or agent for every other seat, or a mapping seat -> spec/agent naming
    every seat (the learner's own entry is skipped in its episodes). Specs are built as the arena's runner
    builds them: ``random`` afresh per episode, seeded ``seed * SEAT_SEED_STRIDE + seat`` (so an episode
    replays, and matches ``play_many``'s; group member k > 0 gets its own seed, see the module docstring),
    other kinds once and shared, like agent objects. A list of them is an opponent pool: each episode
    draws one from it, by its seed (``OpponentPool`` adds frozen snapshots of the learner to it).
    ``samples``: ``"episode"`` or ``"turn"`` (see the module docstring); ``gamma`` discounts
    ``discounted_return`` per later learner move.
    ``continuation`` (``samples="turn"`` only): an agent spec (``"random"``) or agent that plays the learner's
    seat after its sampled move is accepted, instead of the model (a rejected reply is retried by the model,
    as in a game, so it is scored by what the rules make of it); ``playouts``: how many games are played out from each
    sampled move (each with its own opponent and continuation randomness), whose mean return is the sample's
    reward. With ``continuation="random"`` the reward of a move is its value when the rest of the game is
    played at random: cheap (no generation after the sampled move) and low in variance with a few playouts,
    and a policy that prefers moves of higher value beats the random player (policy improvement).
    ``playouts="exact"`` (with ``continuation`` and ``opponents`` both ``"random"``, in an OpenSpiel game without
    ``max_turns``) is that value exactly, from OpenSpiel's game tree: no playout noise.
    ``self_play=True``: every seat is the model (only the prompt's seat is trained in that episode).
    ``parser`` reads moves out of the model's replies (default: the rule-based ``default_parser()``;
    None sends the stripped reply). ``game_kwargs`` go to ``make``, ``reset_options`` to every reset.
    ``chat``: the messages the model answers for an observation (default: the env's own; for small models
    :func:`~llm_arena_env.training.generation.move_only_observation_messages`, as the ``smollm2`` player prompts).
    ``stop``: strings that end the trainer's replies besides the end-of-turn token (``("\\n",)``: the first
    line, as the ``smollm2`` player stops); generators given to :meth:`play` bring their own.
    ``legal_only=True``: the model's replies are sampled only among the legal moves, token by token
    (constrained decoding, as structured outputs do in vLLM): every reply is a legal move, so the reward tells
    the model which move, not how to write one. Greedy, it is the model's own favourite legal move. The
    env must list legal moves (board games); evaluate with the same setting."""

    def __init__(self, game: str, *, opponents: Any = None, self_play: bool = False,
                 game_kwargs: Mapping[str, Any] | None = None, reset_options: Mapping[str, Any] | None = None,
                 parser: Any = _DEFAULT, samples: str = "episode", gamma: float = 1.0,
                 chat: Callable[[Mapping[str, Any]], list[dict[str, str]]] = observation_messages,
                 stop: Sequence[str] = (), continuation: Any = None, playouts: int | str = 1,
                 legal_only: bool = False):
        from llm_arena_env import make

        if samples not in ("episode", "turn"):
            raise ValueError(f"samples must be 'episode' or 'turn', got {samples!r}")
        if (continuation is not None or playouts != 1) and samples != "turn":
            raise ValueError("continuation and playouts score one sampled move: they need samples='turn'")
        if playouts == "exact":
            if continuation != "random" or opponents != "random":
                raise ValueError("playouts='exact' is the value under random play: it needs continuation='random' "
                                 "and opponents='random'")
            self._values = RandomPlayValues()
        elif not isinstance(playouts, int) or playouts < 1:
            raise ValueError(f"playouts must be an int >= 1 or 'exact', got {playouts!r}")
        self.continuation, self.playouts = continuation, playouts
        self.legal_only = legal_only
        if not 0.0 < gamma <= 1.0:
            raise ValueError(f"gamma must be in (0, 1], got {gamma}")
        self.samples, self.gamma = samples, float(gamma)
        self.chat = chat
        self.stop = tuple(stop)
        self._stop_ids: dict[int, list[int]] = {}  # id(tokenizer) -> stop_token_ids
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
        starts, members = [], {}
        for prompt in prompts:
            game, seed, player, opening = read_episode_start(prompt)
            if game != self.game:
                raise ValueError(f"this rollout plays {self.game!r}, but a prompt names {game!r}")
            member = members[prompt] = members.get(prompt, -1) + 1  # the k-th copy of this prompt
            starts.append((seed, player, opening, member))
        return self.play(starts, TrainerGenerator(trainer, stop_ids=self._trainer_stop_ids(trainer)))

    def _trainer_stop_ids(self, trainer: Any) -> list[int]:
        """The ids of ``stop`` in the trainer's tokenizer (a scan of its vocabulary: once)."""
        if not self.stop:
            return []
        tokenizer = getattr(trainer.processing_class, "tokenizer", trainer.processing_class)
        if id(tokenizer) not in self._stop_ids:
            self._stop_ids[id(tokenizer)] = stop_token_ids(tokenizer, self.stop)
        return self._stop_ids[id(tokenizer)]

    def play(self, starts: Sequence[tuple[Any, ...]], generator: Generator) -> dict[str, Any]:
        """Play one episode per start, ``(seed, player)`` or ``(seed, player, opening plies, group member)``
        (all at once, the model's turns batched) and return TRL's rollout dict: ``prompt_ids``,
        ``completion_ids``, ``logprobs`` (None), ``env_mask``, ``game_return``, ``discounted_return``,
        ``outcome``, ``end_reason``, ``error`` (JSON, or ""), ``illegal_actions``, ``accepted_moves``,
        ``learner_turns``, one entry per start. With ``samples="turn"`` the sequence is the learner's first move alone."""
        return self._results(self._play(starts, generator), generator)

    def play_turns(self, starts: Sequence[tuple[Any, ...]], generator: Generator) -> list[dict[str, Any]]:
        """Play as :meth:`play` (needs ``samples="turn"``) and return every learner move as its own sample:
        ``prompt_ids``, ``completion_ids``, ``legal``, ``game_return``, ``discounted_return``, ``player``."""
        if self.samples != "turn":
            raise ValueError("play_turns needs GameRollout(samples='turn')")
        rows = []
        for episode in self._play(starts, generator):
            scored = episode.scored_playouts()
            if scored[0].error is not None:  # no return to give its moves
                continue
            side = episode.sides[episode.learner]
            for i, ((prompt, reply), turn) in enumerate(zip(side.turn_ids, side.turns)):
                if i and episode.error is not None:  # the later moves of a game that did not end
                    break
                games = scored if i == 0 else [episode]  # the sampled move is scored by all its playouts
                result, discounted = self._mean_returns(games, turn=i)
                rows.append({"prompt_ids": prompt, "completion_ids": reply, "legal": turn.legal,
                             "game_return": result, "discounted_return": discounted, "player": episode.learner})
        return rows

    def _play(self, starts: Sequence[tuple[Any, ...]], generator: Generator) -> list[_Episode]:
        """Play every start to its end; returns one episode per start (its playouts hang on it)."""
        leads = []
        stride = self.playouts if isinstance(self.playouts, int) else 1  # each member its own playout seeds
        for seed, player, *rest in starts:
            opening, member = (list(rest) + [0, 0])[:2]
            leads.append(self._start(seed, player, opening, member * stride))
        episodes = list(leads)  # the leads and, once their learner has moved, their playouts
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
                    episode.error = opponent_failure(decision, episode.env.agent_selection, agent)
                    if episode.error is None:
                        episode.step(decision.action)
            if model_turns:
                self._model_turns(model_turns, generator)
                for episode in model_turns:
                    mine = episode.sides[episode.learner].turns
                    # once the sampled move is accepted (a rejected one is retried by the model, as in a game)
                    if self.samples == "turn" and not (episode.copy or episode.handed_over) and mine and mine[-1].legal:
                        episodes += self._after_sampled_move(episode)
        return leads

    def _after_sampled_move(self, lead: _Episode) -> list[_Episode]:
        """Hand the learner's seat to ``continuation`` and start the lead's other playouts: the same game
        replayed up to and including the sampled move, each with its own randomness from there."""
        seed, player, opening, member = lead.start
        lead.handed_over, copies = True, []
        if self.playouts == "exact":
            lead.value = self._values(exact_state(lead.env), self.players.index(player))
            return copies
        for k in range(1, self.playouts):
            copy = self._start(seed, player, opening, member + k)
            copy.copy = True
            for action in lead.history:
                copy.step(action)
            copies.append(copy)
        if self.continuation is not None:
            for episode in (lead, *copies):
                continuation = self.continuation
                if isinstance(continuation, str):  # each playout its own random continuation
                    continuation = self._agent(continuation, member_seed(seed, self.players.index(player),
                                                                         episode.start[3]))
                episode.agents[player] = continuation
        lead.playouts = copies
        return copies

    def _mean_returns(self, games: Sequence[_Episode], turn: int) -> tuple[float, float]:
        """The learner's mean return over ``games`` and its mean discounted to its move ``turn`` (``gamma``
        per learner move after it)."""
        if turn == 0 and games[0].value is not None:  # playouts="exact": no later move to discount
            return games[0].value, games[0].value
        result = statistics.fmean(e.returns[e.learner] for e in games)
        discounted = statistics.fmean(e.returns[e.learner] * self.gamma ** max(e.learner_moves - 1 - turn, 0)
                                      for e in games)
        return result, discounted

    # ------------------------------------------------------------------ steps

    def _start(self, seed: int | None, player: str, opening: int = 0, member: int = 0) -> _Episode:
        """The episode of a start; ``member`` numbers the group member (or, with playouts, the playout)."""
        from llm_arena_env import make

        if player not in self.players:
            raise ValueError(f"unknown seat {player!r}; players are {self.players}")
        env = make(self.game, **self.game_kwargs)
        env.reset(seed=seed, options=dict(self.reset_options) or None)
        if opening:
            play_opening(env, seed, player, opening)
        agents: dict[str, Any] = {}
        for index, seat in enumerate(self.players):
            if seat == player or self.self_play:
                agents[seat] = None
                continue
            agent = self.opponents[seat] if isinstance(self.opponents, Mapping) else self.opponents
            if isinstance(agent, Sequence) and not isinstance(agent, str):  # a pool: one per episode
                agent = agent[random.Random(f"{seed}/{index}/{member}").randrange(len(agent))]
            agents[seat] = self._agent(agent, member_seed(seed, index, member)) if isinstance(agent, str) else agent
        sides = {seat: _Side(seat) for seat, agent in agents.items() if agent is None}
        return _Episode(env, seed, player, agents, sides, {seat: 0.0 for seat in self.players},
                        start=(seed, player, opening, member))

    def _agent(self, spec: str, seed: int | None) -> Any:
        """The agent a spec names, built as the arena's runner builds it: cheap random agents afresh per
        episode (with the seat's seed), anything else once, then shared."""
        from llm_arena_env.agents.specs import make_agent

        if spec.strip().partition(":")[0] in EPISODE_AGENT_KINDS:
            return make_agent(spec, seed=seed)
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
            if self.samples == "turn":  # the turn's own chat, as the env shows it
                contexts.append(chat_ids(generator.tokenizer, self.chat(observation)))
            else:
                self._show(side, observation, episode.steps, generator)
                contexts.append(side.prompt_ids + side.completion_ids)
            pending.append((episode, side, observation))
        if self.legal_only:
            allowed = [move_token_ids(generator.tokenizer, legal_moves(observation)) for _, _, observation in pending]
            replies = generator(contexts, allowed=allowed)
        else:
            replies = generator(contexts)
        for (episode, side, observation), context, reply in zip(pending, contexts, replies):
            if self.samples == "turn":
                side.turn_ids.append((list(context), list(reply)))
            else:
                side.extend(reply, generated=True)
            text = reply_text(generator.tokenizer, reply)
            action = reply_action(text, observation, self.parser)
            legal = episode.step(action)
            side.illegal += not legal
            side.turns.append(Turn(index=episode.steps - 1, player=side.player,
                                   messages=tuple(self.chat(observation)),
                                   completion=text, action=action, legal=legal))

    def _show(self, side: _Side, observation: Mapping[str, Any], index: int, generator: Generator) -> None:
        """Append what the env shows ``side`` now (its first prompt, or the new messages since its last reply)."""
        upcoming = Turn(index=index, player=side.player, messages=tuple(self.chat(observation)),
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
            "prompt_ids", "completion_ids", "env_mask", "game_return", "discounted_return", "outcome",
            "end_reason", "error", "illegal_actions", "accepted_moves", "learner_turns")}
        for episode in episodes:
            side = episode.sides[episode.learner]
            accepted = sum(turn.legal for turn in side.turns)
            scored = episode.scored_playouts()
            result, discounted = self._mean_returns(scored, turn=0)
            if self.samples == "turn" and side.turn_ids:
                prompt, reply = side.turn_ids[0]
                side.prompt_ids, side.completion_ids, side.env_mask = prompt, reply, [1] * len(reply)
                accepted = int(side.turns[0].legal)
            elif self.samples == "episode":
                discounted = result  # every move is trained: the undiscounted return
            if not side.turns:  # the game ended before the learner moved: its opening view, nothing to train
                view = self.chat(episode.env.observe(episode.learner))
                side.prompt_ids = chat_ids(generator.tokenizer, view)
                side.completion_ids, side.env_mask = [], []
                side.extend(list(generator.eos_token_ids)[:1], generated=False)
            info = scored[0].env.infos.get(episode.learner, {})
            if scored[0].error is not None:  # nothing of it is trained on, nothing scored
                info = {"outcome": "error", "end_reason": "error"}
                side.env_mask = [0] * len(side.completion_ids)
            out["prompt_ids"].append(side.prompt_ids)
            out["completion_ids"].append(side.completion_ids)
            out["env_mask"].append(side.env_mask)
            out["game_return"].append(result)
            out["discounted_return"].append(discounted)
            out["outcome"].append(str(info.get("outcome", "")))
            out["end_reason"].append(str(info.get("end_reason", "")))
            out["error"].append(json.dumps(scored[0].error) if scored[0].error else "")
            out["illegal_actions"].append(side.illegal)
            out["accepted_moves"].append(accepted)
            out["learner_turns"].append(len(side.turns))
        return {**out, "logprobs": None}


def legal_moves(observation: Mapping[str, Any]) -> list[str]:
    """The legal moves an observation lists, for ``legal_only``; a clear error where it lists none."""
    moves = list(observation.get("legal_actions") or ())
    if not moves:
        raise ValueError("legal_only=True needs a game that lists its legal moves; this observation lists none")
    return moves


def exact_state(env: Any) -> Any:
    """The pyspiel state of an OpenSpiel env, to walk for exact values; a clear error for any other game."""
    game = env.unwrapped
    if not hasattr(getattr(game, "state", None), "legal_actions"):
        raise ValueError(f"playouts='exact' walks OpenSpiel's game tree; {type(game).__name__} has none: use playouts=K")
    if getattr(game, "max_turns", None) is not None:
        raise ValueError("playouts='exact' plays games to their end; it does not apply with max_turns set")
    return game.state


def member_seed(seed: int | None, seat: int, member: int) -> int | None:
    """The seed of seat ``seat``'s random agent in group member ``member`` of the episode ``seed``: member 0
    has the arena's (``seed * SEAT_SEED_STRIDE + seat``), the others their own, drawn from all three."""
    if seed is None:
        return None
    if member == 0:
        return seat_seed(seed, seat)
    return random.Random(f"{seed}/{seat}/{member}").randrange(2**62)


__all__ = [
    "GameRollout",
    "member_seed",
    "play_opening",
    "read_episode_start",
    "discounted_return_reward",
    "legal_move_reward",
    "Generator",
    "TrainerGenerator",
    "episode_key",
    "read_episode_key",
    "game_prompt_rows",
    "game_prompt_dataset",
    "game_return_reward",
]
