"""Supervised fine-tuning on played games with TRL's ``SFTTrainer``: learn from the winners' side.

>>> trainer = train_sft("results/my_run", "Qwen/Qwen2.5-0.5B-Instruct", output_dir="sft-out",
...                     filters={"outcome": "win", "game": "chess"}, max_steps=200)  # doctest: +SKIP

``data`` is a results path (a results root, a run folder or one ``episode.json``), episode records or
their dicts, or ready SFT rows: a ``.jsonl``/``.parquet`` file from ``llm-arena export --kind sft``, a
``datasets.Dataset``, or a list of dicts with ``messages`` (:func:`~llm_arena_env.training.datasets.sft_rows`).
Episodes are turned into SFT rows here, keeping those that pass the filters (default: ``outcome="win"``);
rows are taken as they are (filter them when exporting).

The rows are conversational (``messages``: the player's prompts as ``user``, its replies as
``assistant``). Where the tokenizer's chat template can mark assistant turns (it has ``{% generation %}``
markers, or TRL ships a training version of it), the loss covers the replies only; otherwise the whole
chat, with a warning (``assistant_only_loss=True``/``False`` decides it yourself).
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any, Mapping

from llm_arena_env.training.generation import require

#: Filters applied to episodes when none are given: learn from the games that were won.
DEFAULT_FILTERS = {"outcome": "win"}


def sft_training_dataset(data: Any, filters: Mapping[str, Any] | None = None) -> Any:
    """A ``datasets.Dataset`` with one ``messages`` column from any ``data`` that :func:`train_sft` takes.
    ``filters`` select episodes (None: :data:`DEFAULT_FILTERS`; ``{}``: every trajectory)."""
    datasets = require("datasets")
    from llm_arena_env.training.datasets import sft_rows

    if isinstance(data, (str, os.PathLike)):
        data = _load_path(Path(data))
    if isinstance(data, datasets.Dataset):
        if filters is not None:
            raise ValueError("filters apply to episodes; filter a Dataset of SFT rows with Dataset.filter")
        table = data
    else:
        items = list(data)
        if items and _is_sft_row(items[0]):
            if filters is not None:
                raise ValueError("filters apply to episodes; these are SFT rows already")
            table = datasets.Dataset.from_list([{"messages": list(row["messages"])} for row in items])
        else:
            rows = sft_rows(items, **(DEFAULT_FILTERS if filters is None else dict(filters)))
            if not rows:
                raise ValueError(f"no SFT rows to train on: no trajectory of {len(items)} episodes passed the filters")
            table = datasets.Dataset.from_list([{"messages": row["messages"]} for row in rows])
    if "messages" not in table.column_names:
        raise ValueError(f"SFT rows need a `messages` column, got columns {table.column_names}")
    if len(table) == 0:
        raise ValueError("no SFT rows to train on (no episode passed the filters?)")
    return table.select_columns(["messages"])


def _load_path(path: Path) -> Any:
    """Exported rows (``.jsonl`` / ``.parquet``, as ``llm-arena export`` writes them) or a results path."""
    datasets = require("datasets")
    if path.is_file() and path.suffix.lower() == ".jsonl":
        return datasets.Dataset.from_json(str(path))
    if path.is_file() and path.suffix.lower() == ".parquet":
        return datasets.Dataset.from_parquet(str(path))
    from llm_arena_env.training.export import load_results

    return load_results(path)


def _is_sft_row(item: Any) -> bool:
    return isinstance(item, Mapping) and "messages" in item and "steps" not in item


def assistant_only_possible(tokenizer: Any) -> bool:
    """Can TRL mask the loss to assistant turns with this tokenizer's chat template?"""
    from trl.chat_template_utils import get_training_chat_template

    try:
        get_training_chat_template(tokenizer)  # None: markers present; a str: TRL patches the template
    except ValueError:
        return False
    return True


def train_sft(
    data: Any,
    model: Any,
    *,
    output_dir: str | os.PathLike[str],
    tokenizer: Any = None,
    max_steps: int = 100,
    learning_rate: float = 2e-5,
    batch_size: int = 4,
    max_length: int | None = 2048,
    assistant_only_loss: bool | None = None,
    train: bool = True,
    config: Mapping[str, Any] | None = None,
    filters: Mapping[str, Any] | None = None,
) -> Any:
    """Fine-tune ``model`` (a path, a Hub id, or a loaded model) on ``data``; returns the ``SFTTrainer``.

    ``filters`` select episodes (``outcome``, ``game``, ``player``, ``min_score``, ``min_return``; None:
    wins only; ``{}``: all); ``assistant_only_loss`` None decides from the chat template (see the module docstring);
    ``config`` holds any other ``SFTConfig`` fields. ``train=False`` returns the trainer unstarted. The
    model is saved to ``output_dir`` when training ends."""
    trl = require("trl")
    transformers = require("transformers")
    dataset = sft_training_dataset(data, filters)
    if tokenizer is None:
        source = model if isinstance(model, (str, os.PathLike)) else getattr(model, "name_or_path", None)
        if not source:
            raise ValueError("pass tokenizer= with a loaded model")
        tokenizer = transformers.AutoTokenizer.from_pretrained(source)
    if not getattr(tokenizer, "chat_template", None):
        raise ValueError("the tokenizer has no chat template; SFT on chats needs one (set tokenizer.chat_template)")
    if assistant_only_loss is None:
        assistant_only_loss = assistant_only_possible(tokenizer)
        if not assistant_only_loss:
            warnings.warn("the chat template has no {% generation %} markers and TRL cannot patch it: the loss "
                          "covers the prompts as well as the replies", stacklevel=2)
    settings = {
        "output_dir": str(output_dir),
        "max_steps": max_steps,
        "learning_rate": learning_rate,
        "per_device_train_batch_size": batch_size,
        "max_length": max_length,
        "assistant_only_loss": assistant_only_loss,
        "report_to": "none",
        "save_strategy": "no",
        "logging_steps": 1,
        **dict(config or {}),
    }
    if isinstance(model, (str, os.PathLike)):
        model = str(model)
    trainer = trl.SFTTrainer(model=model, args=trl.SFTConfig(**settings), train_dataset=dataset,
                             processing_class=tokenizer)
    if train:
        trainer.train()
        trainer.save_model(str(output_dir))
    return trainer


def losses(trainer: Any) -> list[float]:
    """The training losses a trainer logged, in order."""
    return [float(entry["loss"]) for entry in trainer.state.log_history if "loss" in entry]


__all__ = ["train_sft", "sft_training_dataset", "assistant_only_possible", "losses", "DEFAULT_FILTERS"]
