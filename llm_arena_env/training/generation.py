"""Token-level helpers that training loops share: chats to token ids, sampled replies, replies to moves.

The arena's backends work in text; training needs the exact token ids a model saw and produced, so that
the log-probabilities a trainer computes are those of what was sampled. Everything here is plain
transformers + torch, imported lazily (the ``train`` extra).

- :func:`chat_ids`: a chat rendered with the tokenizer's template (generation prompt added), as ids.
- :func:`turn_ids`: the ids that continue a chat after the assistant's end-of-turn token with new
  messages and the next assistant header, for multi-turn sequences built token by token.
- :func:`generate_replies`: sampled (or greedy) replies to a batch of id contexts, cut after the
  end-of-turn token; seeded per call without touching torch's global generator.
- :class:`ModelGenerator`: those replies from a model in memory, as a callable over id contexts.
- :func:`move_token_ids`: legal moves as token sequences, to constrain replies to them.
- :func:`reply_action`: a reply's text as the move sent to the env (through a parser, or stripped).
- :func:`stop_token_ids`: the ids that hold a stop string (``"\\n"``: a move reply ends with its first
  line, as the ``smollm2`` player's replies do), which end a reply like an end-of-turn token.
"""

from __future__ import annotations

import copy
from typing import Any, Mapping, Sequence

from llm_arena_env.agents.backends.transformers_backend import seeded
from llm_arena_env.wrappers.parsers import Parsed, Parser, ParserInput

TRAIN_EXTRA_HINT = "pip install 'llm-arena-env[train]'"
# A stand-in first exchange: later turns are rendered after it, and what follows its end is kept.
_STAND_IN = ({"role": "user", "content": "."}, {"role": "assistant", "content": "."})


def require(module: str) -> Any:
    """Import ``module`` (torch, transformers, trl, datasets) or fail naming the extra that provides it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise ImportError(f"this needs `{module}`, from the `train` extra: {TRAIN_EXTRA_HINT}") from error


def plain_messages(messages: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    """Messages as ``{"role", "content"}`` dicts with text content, the form chat templates take."""
    result = []
    for m in messages:
        content = m["content"]
        if not isinstance(content, str):  # content parts: keep the text
            content = "".join(str(p.get("text", "")) for p in content if isinstance(p, Mapping))
        result.append({"role": str(m["role"]), "content": content})
    return result


def observation_messages(observation: Mapping[str, Any]) -> list[dict[str, str]]:
    """The chat an observation asks a model to answer: its ``messages``, else its ``text`` as one user turn."""
    messages = observation.get("messages")
    if messages:
        return plain_messages(messages)
    return [{"role": "user", "content": str(observation.get("text", ""))}]


def move_only_observation_messages(observation: Mapping[str, Any]) -> list[dict[str, str]]:
    """The chat the ``smollm2`` player sends small models: the observation's chat, the legal moves listed
    first and "reply with your move only" (``prompts.move_only_messages``); a ``GameRollout`` ``chat``."""
    from llm_arena_env.agents.prompts import move_only_messages

    return list(move_only_messages(observation_messages(observation), tuple(observation.get("legal_actions") or ())))


def _render(tokenizer: Any, messages: Sequence[Mapping[str, Any]], add_generation_prompt: bool) -> list[int]:
    if not getattr(tokenizer, "chat_template", None):
        raise ValueError("the tokenizer has no chat template; set tokenizer.chat_template (a Jinja template) first")
    text = tokenizer.apply_chat_template(
        plain_messages(messages), tokenize=False, add_generation_prompt=add_generation_prompt
    )
    return list(tokenizer(text, add_special_tokens=False)["input_ids"])  # templates write their own BOS


def chat_ids(tokenizer: Any, messages: Sequence[Mapping[str, Any]]) -> list[int]:
    """``messages`` rendered with the chat template, ending with the assistant header, as token ids."""
    return _render(tokenizer, messages, add_generation_prompt=True)


def turn_ids(tokenizer: Any, messages: Sequence[Mapping[str, Any]], eos_token_ids: Sequence[int]) -> list[int]:
    """The ids that follow an assistant's end-of-turn token: ``messages`` and then the next assistant header.

    Rendered after a stand-in exchange (as TRL renders tool results), so the result does not depend on
    what was said before; the stand-in's rendering must be a prefix of the longer one."""
    prefix = _render(tokenizer, _STAND_IN, add_generation_prompt=False)
    ends = [i for i, token in enumerate(prefix) if token in set(eos_token_ids)]
    if ends:  # templates that write "<end-of-turn>\n": the newline belongs to what follows
        prefix = prefix[: ends[-1] + 1]
    full = _render(tokenizer, [*_STAND_IN, *messages], add_generation_prompt=True)
    if full[: len(prefix)] != prefix:
        raise ValueError("the chat template renders a later turn differently from the first; multi-turn "
                         "sequences cannot be built token by token with it")
    return full[len(prefix):]


def eos_token_ids(model: Any, tokenizer: Any) -> list[int]:
    """Every id that ends a reply: the tokenizer's eos and the model's generation-config eos ids."""
    ids = [] if tokenizer.eos_token_id is None else [int(tokenizer.eos_token_id)]
    configured = getattr(getattr(model, "generation_config", None), "eos_token_id", None)
    for value in [configured] if isinstance(configured, int) else (configured or []):
        if int(value) not in ids:
            ids.append(int(value))
    if not ids:
        raise ValueError("neither the tokenizer nor the model names an end-of-sequence token")
    return ids


def generate_replies(
    model: Any,
    contexts: Sequence[Sequence[int]],
    *,
    pad_token_id: int,
    eos_token_ids: Sequence[int],
    seed: int | None = None,
    generation_config: Any = None,
    stop_ids: Sequence[int] = (),
    allowed: Sequence[Sequence[Sequence[int]]] | None = None,
    **generate_kwargs: Any,
) -> list[list[int]]:
    """One reply per context, as ids cut just after the first end-of-turn token (kept), padding dropped.

    Contexts are left-padded into one batch. ``generate_kwargs`` go to ``model.generate`` (``max_new_tokens``,
    ``do_sample``, ``temperature``...), or pass a whole ``generation_config``. ``stop_ids`` (see
    :func:`stop_token_ids`) end a reply too, just after the first of them (kept: it was sampled).
    ``allowed``: per context, the token sequences its reply may be (see :func:`move_token_ids`); the reply is
    one of them followed by the end-of-turn token (constrained decoding, sampled from the model's own
    probabilities of the tokens that stay allowed)."""
    torch = require("torch")
    if not contexts:
        return []
    if any(len(c) == 0 for c in contexts):
        raise ValueError("every context needs at least one token")
    device = next(model.parameters()).device
    width = max(len(c) for c in contexts)
    input_ids = torch.full((len(contexts), width), pad_token_id, dtype=torch.long)
    attention_mask = torch.zeros((len(contexts), width), dtype=torch.long)
    for row, context in enumerate(contexts):
        input_ids[row, width - len(context):] = torch.tensor(list(context), dtype=torch.long)
        attention_mask[row, width - len(context):] = 1
    kwargs = dict(generate_kwargs)
    stops = set(eos_token_ids) | set(stop_ids)
    if generation_config is not None:
        if stop_ids:  # a copy that ends at the stops too (generate wants the config or the arguments, not both)
            generation_config = copy.deepcopy(generation_config)
            generation_config.eos_token_id = sorted(stops)
        kwargs["generation_config"] = generation_config
    else:
        kwargs.setdefault("pad_token_id", pad_token_id)
        kwargs.setdefault("eos_token_id", sorted(stops) if stop_ids else list(eos_token_ids))
    if allowed is not None:
        if len(allowed) != len(contexts) or not all(allowed):
            raise ValueError("allowed needs one non-empty list of token sequences per context")
        kwargs["prefix_allowed_tokens_fn"] = _only(allowed, width, list(eos_token_ids))
    with torch.no_grad(), seeded(seed, device):
        output = model.generate(input_ids=input_ids.to(device), attention_mask=attention_mask.to(device), **kwargs)
    replies = []
    for row in output[:, width:].tolist():
        end = next((i + 1 for i, token in enumerate(row) if token in stops), len(row))
        replies.append(row[:end])
    return replies


def move_token_ids(tokenizer: Any, moves: Sequence[str]) -> list[list[int]]:
    """Each move's token ids as a reply writes it (no special tokens): the ``allowed`` of :func:`generate_replies`."""
    return [list(tokenizer(str(move), add_special_tokens=False)["input_ids"]) for move in moves]


def _only(allowed: Sequence[Sequence[Sequence[int]]], width: int, end_ids: Sequence[int]) -> Any:
    """``generate``'s ``prefix_allowed_tokens_fn``: row ``b`` continues only into one of ``allowed[b]``, then ends."""

    def next_tokens(row: int, input_ids: Any) -> list[int]:
        made = input_ids[width:].tolist()
        tokens = {seq[len(made)] if len(made) < len(seq) else end_ids[0]
                  for seq in allowed[row] if list(seq[:len(made)]) == made}
        return sorted(tokens) or list(end_ids)  # a finished row, padded: anything that ends it

    return next_tokens


def sampling_kwargs(max_new_tokens: int, temperature: float, top_p: float | None = None) -> dict[str, Any]:
    """``generate`` arguments for sampling at ``temperature`` (greedy at 0)."""
    if max_new_tokens < 1:
        raise ValueError(f"max_new_tokens must be >= 1, got {max_new_tokens}")
    if temperature < 0:
        raise ValueError(f"temperature must be >= 0, got {temperature}")
    if temperature == 0:
        return {"max_new_tokens": max_new_tokens, "do_sample": False}
    kwargs: dict[str, Any] = {"max_new_tokens": max_new_tokens, "do_sample": True, "temperature": float(temperature),
                              "top_k": 0}  # no top-k cut unless asked: the sampled policy is the model's own
    if top_p is not None:
        kwargs["top_p"] = float(top_p)
    return kwargs


def stop_token_ids(tokenizer: Any, stops: Sequence[str]) -> list[int]:
    """The ids whose text holds one of ``stops`` (special tokens aside): generation that samples one has
    reached the stop string, so the reply ends there."""
    stops = [s for s in stops if s]
    if not stops:
        return []
    special = set(getattr(tokenizer, "all_special_ids", ()) or ())
    ids = []
    for token_id in range(len(tokenizer)):
        if token_id not in special and any(s in tokenizer.decode([token_id]) for s in stops):
            ids.append(token_id)
    return ids


class ModelGenerator:
    """Replies sampled from a model held in memory (no trainer): for loops outside TRL, frozen opponents, tests.

    Reproducible: call ``n`` samples with ``seed + n`` where a seed is given. ``tokenizer`` and
    ``eos_token_ids`` are what multi-turn rollouts need to build their token sequences. ``stop``: strings
    that end a reply (``("\\n",)``: the first line), besides the end-of-turn token."""

    def __init__(self, model: Any, tokenizer: Any, *, max_new_tokens: int = 64, temperature: float = 1.0,
                 top_p: float | None = None, seed: int | None = None, stop: Sequence[str] = ()):
        self.model = model
        self.stop_ids = stop_token_ids(tokenizer, stop)
        self.tokenizer = tokenizer
        self.eos_token_ids = eos_token_ids(model, tokenizer)
        self.pad_token_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else self.eos_token_ids[0]
        self.kwargs = sampling_kwargs(max_new_tokens, temperature, top_p)
        self.seed = seed
        self.calls = 0

    def __call__(self, contexts: Sequence[Sequence[int]],
                 allowed: Sequence[Sequence[Sequence[int]]] | None = None) -> list[list[int]]:
        seed = None if self.seed is None else self.seed + self.calls
        self.calls += 1
        return generate_replies(self.model, contexts, pad_token_id=self.pad_token_id, eos_token_ids=self.eos_token_ids,
                                seed=seed, stop_ids=self.stop_ids, allowed=allowed, **self.kwargs)


def reply_text(tokenizer: Any, reply: Sequence[int]) -> str:
    """A reply's text, special tokens (the end-of-turn token) dropped."""
    return tokenizer.decode(list(reply), skip_special_tokens=True)


def reply_action(text: str, observation: Mapping[str, Any], parser: Parser | None) -> str:
    """The move a reply makes: the parser's reading against the legal moves, else the stripped text
    (which the env then judges, and rejects where it is no move)."""
    if parser is None:
        return text.strip()
    found = Parsed.of(parser.parse(ParserInput.from_observation(observation, text)))
    return text.strip() if found is None else found.move


__all__ = [
    "require",
    "plain_messages",
    "observation_messages",
    "move_only_observation_messages",
    "chat_ids",
    "move_token_ids",
    "turn_ids",
    "eos_token_ids",
    "seeded",
    "stop_token_ids",
    "generate_replies",
    "sampling_kwargs",
    "ModelGenerator",
    "reply_text",
    "reply_action",
]
