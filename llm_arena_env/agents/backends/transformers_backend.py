"""Local Hugging Face models: chat templates, batched generation, vision-language models.

>>> backend = TransformersBackend("Qwen/Qwen2.5-0.5B-Instruct", device="auto", max_new_tokens=128)
>>> backend = TransformersBackend("/path/to/checkpoint", temperature=0.7, seed=0)
>>> backend = TransformersBackend("/path/to/model.Q4_1.gguf")          # a GGUF file, converted once

A GGUF file is dequantised by transformers (the ``gguf`` package) into an ordinary torch model; that is
slow, so the result is saved once as safetensors under :func:`gguf_cache_dir` (``$LLM_ARENA_CACHE``,
else ``~/.cache/llm-arena-env``; or ``cache_dir=``) and later loads read the converted copy.

Text models load with AutoTokenizer + AutoModelForCausalLM; a vision-language model (a model type that
transformers lists for image-text-to-text) loads with AutoProcessor + AutoModelForImageTextToText and
sees the requests' images. Prompts are rendered with the model's chat template and left-padded, so a
batch generates what each prompt would alone. Requests are grouped by their generation options and
split into batches of ``batch_size``. A ``<think>...</think>`` preamble is returned as ``reasoning``.

In the arena, requests come one episode at a time and are batched dynamically (see
``llm_arena_env.agents.backends.base.acomplete``): while a generate runs, new requests queue, and the next
generate takes all of them (up to ``batch_size``). transformers' continuous batching (``generate_batch``,
paged attention) is not used: on CPU it gave the same tokens but took 84 s for two prompts of the tiny test
model (its paged-cache set-up), where ``generate`` takes milliseconds.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import threading
import time
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

from llm_arena_env.agents.backends.base import Completion, Request, cut_at_stop, split_think
from llm_arena_env.agents.errors import BackendError, NonRetryableError


class TransformersBackend:
    """A causal LM (or vision-language model) from a local path or the Hub. See the module docstring."""

    def __init__(
        self,
        model: str,
        *,
        device: str = "cpu",
        dtype: str = "auto",
        max_new_tokens: int = 256,
        batch_size: int = 16,
        trust_remote_code: bool = False,
        chat_template: str | None = None,
        cache_dir: str | os.PathLike[str] | None = None,
        cpu_threads: int | None = None,
        **generation: Any,
    ):
        """``model``: a local folder, a Hub id, or a ``.gguf`` file (converted once into ``cache_dir``, see
        :func:`converted_gguf`). ``cpu_threads``: torch's intra-op threads while this model generates (set
        around each ``generate`` and restored after; None: torch's setting). ``generation``: default options of every call (temperature, top_p, stop, seed, max_tokens, and any
        ``generate`` argument such as ``top_k`` or ``do_sample``). ``chat_template`` replaces the model's own
        (or supplies one where it has none)."""
        import torch
        import transformers

        if batch_size < 1 or max_new_tokens < 1:
            raise ValueError("batch_size and max_new_tokens must be >= 1")
        self.name = f"transformers:{model}"
        if str(model).endswith(".gguf"):
            model = str(converted_gguf(model, cache_dir))
        self.batch_size = batch_size
        self.max_new_tokens = max_new_tokens
        self.generation = dict(generation)
        self.device = torch.device(_resolve_device(device))
        load = {"trust_remote_code": trust_remote_code}
        config = transformers.AutoConfig.from_pretrained(model, **load)
        self.is_vision = _is_vision_language(config)
        if self.is_vision:
            self.processor = transformers.AutoProcessor.from_pretrained(model, **load)
            self.tokenizer = self.processor.tokenizer
            model_class = getattr(transformers, "AutoModelForImageTextToText", None)
            model_class = model_class or transformers.AutoModelForVision2Seq  # transformers before 4.46
        else:
            self.processor = None
            self.tokenizer = transformers.AutoTokenizer.from_pretrained(model, **load)
            model_class = transformers.AutoModelForCausalLM
        self.model = model_class.from_pretrained(model, dtype=_resolve_dtype(dtype, self.device), **load)
        self.model.to(self.device).eval()
        self._templater = self.processor or self.tokenizer
        if chat_template is not None:
            self._templater.chat_template = chat_template
        if not getattr(self._templater, "chat_template", None):
            raise ValueError(
                f"the tokenizer of {model!r} has no chat template; pass chat_template=... (a Jinja template) "
                "or use an instruction-tuned model that has one"
            )
        self.tokenizer.padding_side = "left"  # new tokens follow every prompt directly
        if self.tokenizer.pad_token is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        self._stop_ids = _eos_ids(self.model.generation_config.eos_token_id, self.tokenizer.eos_token_id)
        if cpu_threads is not None and cpu_threads < 1:
            raise ValueError("cpu_threads must be >= 1 (or None for torch's own setting)")
        self.cpu_threads = cpu_threads
        self._lock = threading.Lock()  # one generate at a time: the model and seeded generators are shared
        self._warned_image = False

    def __repr__(self) -> str:
        return f"TransformersBackend(name={self.name!r}, device={str(self.device)!r}, batch_size={self.batch_size})"

    # ------------------------------------------------------------------ the Backend protocol

    def complete(self, requests: Sequence[Request]) -> list[Completion | BackendError]:
        """One completion (or error) per request, in order; batched by generation options."""
        results: list[Completion | BackendError | None] = [None] * len(requests)
        prompts: dict[int, str] = {}
        for i, request in enumerate(requests):
            try:
                prompts[i] = self._render(request)
            except BackendError as error:
                results[i] = error
        groups: dict[tuple[str, bool], list[int]] = {}
        for i in prompts:
            with_image = self.is_vision and requests[i].image is not None
            groups.setdefault((_options_key(requests[i].options), with_image), []).append(i)
        for (_, with_image), indices in groups.items():
            for start in range(0, len(indices), self.batch_size):
                chunk = indices[start : start + self.batch_size]
                images = [requests[i].image for i in chunk] if with_image else None
                answers = self._generate([prompts[i] for i in chunk], images, requests[chunk[0]].options)
                for i, answer in zip(chunk, answers):
                    results[i] = answer
        return results  # type: ignore[return-value]  (every slot is filled above)

    # ------------------------------------------------------------------ steps

    def _render(self, request: Request) -> str:
        """The prompt text of one request, from the chat template."""
        if request.image is not None and not self.is_vision and not self._warned_image:
            self._warned_image = True
            warnings.warn(f"{self.name} is a text-only model: the images of requests are dropped", stacklevel=3)
        messages = [dict(m) for m in request.messages]
        if self.is_vision:
            messages = _content_parts(messages, with_image=request.image is not None)
        import jinja2

        template_errors = (jinja2.TemplateError, ValueError, TypeError, KeyError)  # what a template may raise
        try:
            return self._apply_template(messages)
        except template_errors as first:
            if not any(m["role"] == "system" for m in messages):
                raise NonRetryableError(f"{self.name}: the chat template failed: {first}") from None
        try:  # some templates (Gemma's) refuse a system role: fold it into the first user turn
            return self._apply_template(_fold_system(messages))
        except template_errors as error:
            raise NonRetryableError(f"{self.name}: the chat template failed: {error}") from None

    def _apply_template(self, messages: list[dict[str, Any]]) -> str:
        return self._templater.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)

    def _generate(
        self, prompts: list[str], images: list[Any] | None, options: Mapping[str, Any]
    ) -> list[Completion | BackendError]:
        import torch

        kwargs, stop, seed = self._generate_kwargs(options)
        try:
            inputs = self._encode(prompts, images)
            start = time.perf_counter()
            with self._lock, torch.inference_mode(), seeded(seed, self.device), _threads(self.cpu_threads):
                output = self.model.generate(**inputs, **kwargs)
            latency = time.perf_counter() - start
        except torch.cuda.OutOfMemoryError:
            torch.cuda.empty_cache()
            error = BackendError(f"{self.name}: out of GPU memory for a batch of {len(prompts)}; lower batch_size")
            return [error] * len(prompts)
        prompt_length = inputs["input_ids"].shape[1]
        prompt_tokens = inputs["attention_mask"].sum(dim=1).tolist()
        return [
            self._completion(row[prompt_length:].tolist(), stop, int(n), latency)
            for row, n in zip(output, prompt_tokens)
        ]

    def _encode(self, prompts: list[str], images: list[Any] | None) -> Any:
        if self.processor is None:
            inputs = self.tokenizer(prompts, return_tensors="pt", padding=True, add_special_tokens=False)
            return inputs.to(self.device)
        if images is not None:
            from PIL import Image

            pictures = [Image.fromarray(image, mode="RGB") for image in images]
            inputs = self.processor(text=prompts, images=pictures, return_tensors="pt", padding=True)
        else:
            inputs = self.processor(text=prompts, return_tensors="pt", padding=True)
        inputs = inputs.to(self.device)
        for key, value in inputs.items():  # pixel values in the model's dtype (bf16 on GPU)
            if value.is_floating_point():
                inputs[key] = value.to(self.model.dtype)
        return inputs

    def _generate_kwargs(self, options: Mapping[str, Any]) -> tuple[dict[str, Any], list[str], int | None]:
        """``generate`` arguments for these options, plus the stop strings and the seed."""
        merged = {**self.generation, **options}
        merged = {k: v for k, v in merged.items() if v is not None}
        stop = merged.pop("stop", None) or []
        stop = [stop] if isinstance(stop, str) else list(stop)
        seed = merged.pop("seed", None)
        max_tokens, max_new_tokens = merged.pop("max_tokens", None), merged.pop("max_new_tokens", None)
        max_new = max_tokens or max_new_tokens or self.max_new_tokens
        temperature = merged.pop("temperature", None)
        if temperature is not None:
            if temperature <= 0:
                merged["do_sample"] = False
            else:
                merged.setdefault("do_sample", True)
                merged["temperature"] = float(temperature)
        if merged.get("do_sample") is False:
            for name in ("temperature", "top_p", "top_k"):
                merged.pop(name, None)
        kwargs = {"max_new_tokens": int(max_new), "pad_token_id": self.tokenizer.pad_token_id, **merged}
        if stop:  # stop each sequence early; the text is cut at the stop string afterwards anyway
            kwargs.update(stop_strings=stop, tokenizer=self.tokenizer)
        return kwargs, stop, seed

    def _completion(self, ids: list[int], stop: list[str], prompt_tokens: int, latency: float) -> Completion:
        pad = self.tokenizer.pad_token_id
        end = len(ids)
        while end and ids[end - 1] == pad and pad not in self._stop_ids:  # padding after a stopped sequence
            end -= 1
        for j, token in enumerate(ids[:end]):
            if token in self._stop_ids:
                end = j + 1  # the end-of-turn token was generated too
                break
        text = cut_at_stop(self.tokenizer.decode(ids[:end], skip_special_tokens=True), stop)
        reasoning, text = split_think(text)
        return Completion(text, reasoning, prompt_tokens, end, latency)


# ---------------------------------------------------------------------- GGUF files


def gguf_cache_dir() -> Path:
    """Where converted GGUF models go: ``$LLM_ARENA_CACHE``, else ``$XDG_CACHE_HOME/llm-arena-env``, else
    ``~/.cache/llm-arena-env``."""
    if os.environ.get("LLM_ARENA_CACHE"):
        return Path(os.environ["LLM_ARENA_CACHE"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base).expanduser() / "llm-arena-env"


#: Bumped when the converted folder's content changes, so older copies are converted again (2: no
#: ``quantization_config`` in config.json, which made transformers' Trainer refuse the float copy).
CONVERSION_VERSION = 2


def converted_gguf(gguf_file: str | os.PathLike[str], cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """A folder holding ``gguf_file`` as an ordinary transformers checkpoint (float32 safetensors, tokenizer
    with the GGUF's chat template), converted on the first call and reused after.

    The folder is named by the file's name and content hash, so a changed file is converted again. A
    GGUF-loaded model refuses ``save_pretrained``, so the same architecture is built from its config and
    given its weights; the folder appears whole or not at all (written beside it, then renamed)."""
    path = Path(gguf_file).expanduser()
    if not path.is_file():
        raise FileNotFoundError(f"no GGUF file at {str(path)!r}")
    root = Path(cache_dir).expanduser() if cache_dir is not None else gguf_cache_dir()
    target = root / "gguf" / f"{path.stem}-{_file_hash(path)[:16]}-v{CONVERSION_VERSION}"
    if (target / "config.json").is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".converting-", dir=target.parent))
    try:
        _convert_gguf(path, scratch)
        try:
            os.rename(scratch, target)
        except OSError:  # another process converted it meanwhile: keep theirs
            if not (target / "config.json").is_file():
                raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return target


def _convert_gguf(path: Path, out: Path) -> None:
    import torch
    import transformers

    try:
        import gguf  # noqa: F401  (transformers needs it to read the file; say so before it fails deep inside)
    except ImportError:
        raise ImportError("loading a GGUF file needs the gguf package: pip install 'llm-arena-env[hf]'") from None
    folder, name = str(path.parent), path.name
    tokenizer = transformers.AutoTokenizer.from_pretrained(folder, gguf_file=name)
    loaded = transformers.AutoModelForCausalLM.from_pretrained(folder, gguf_file=name, dtype=torch.float32)
    config = loaded.config
    if hasattr(config, "quantization_config"):  # the weights are plain floats now; a quantized mark makes
        del config.quantization_config  # transformers' Trainer refuse to train the copy
    model = transformers.AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    model.load_state_dict(loaded.state_dict())
    model.generation_config = loaded.generation_config
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)


def _file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# ---------------------------------------------------------------------- helpers


def _resolve_device(device: str) -> str:
    import torch

    if device != "auto":
        return device
    if torch.cuda.is_available():
        return "cuda"
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        return "mps"
    return "cpu"


def _resolve_dtype(dtype: Any, device: Any) -> Any:
    """"auto": the checkpoint's dtype on accelerators, float32 on CPU (half precision is slow there)."""
    import torch

    if dtype == "auto":
        return torch.float32 if device.type == "cpu" else "auto"
    if isinstance(dtype, str):
        resolved = getattr(torch, dtype, None)
        if not isinstance(resolved, torch.dtype):
            raise ValueError(f"unknown dtype {dtype!r}; use 'auto', 'float32', 'bfloat16' or 'float16'")
        return resolved
    return dtype


def _is_vision_language(config: Any) -> bool:
    try:
        from transformers.models.auto.modeling_auto import MODEL_FOR_IMAGE_TEXT_TO_TEXT_MAPPING_NAMES as names
    except ImportError:  # older transformers
        return False
    return getattr(config, "model_type", None) in names


def _eos_ids(*values: Any) -> frozenset[int]:
    ids: set[int] = set()
    for value in values:
        if isinstance(value, int):
            ids.add(value)
        elif value is not None:
            ids.update(int(v) for v in value)
    return frozenset(ids)


def _options_key(options: Mapping[str, Any]) -> str:
    return json.dumps(dict(options), sort_keys=True, default=repr)


def _content_parts(messages: list[dict[str, Any]], *, with_image: bool) -> list[dict[str, Any]]:
    """Messages as content parts, the form processors' templates expect; the image leads the last user turn."""
    users = [i for i, m in enumerate(messages) if m["role"] == "user"]
    target = users[-1] if users else len(messages) - 1
    result = []
    for i, m in enumerate(messages):
        parts: list[dict[str, Any]] = [{"type": "text", "text": m["content"]}]
        if with_image and i == target:
            parts.insert(0, {"type": "image"})
        result.append({"role": m["role"], "content": parts})
    return result


def _fold_system(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The system messages' text put in front of the first user message, for templates without a system role."""
    system = [m for m in messages if m["role"] == "system"]
    rest = [dict(m) for m in messages if m["role"] != "system"]
    preamble = "\n\n".join(_text_of(m["content"]) for m in system)
    for m in rest:
        if m["role"] == "user":
            if isinstance(m["content"], str):
                m["content"] = f"{preamble}\n\n{m['content']}"
            else:
                m["content"] = [{"type": "text", "text": preamble + "\n\n"}, *m["content"]]
            break
    return rest


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    return "".join(p.get("text", "") for p in content)


@contextmanager
def _threads(count: int | None) -> Iterator[None]:
    """torch's intra-op thread count set to ``count`` for this block only."""
    if count is None:
        yield
        return
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(before)


@contextmanager
def seeded(seed: int | None, device: Any = None) -> Iterator[None]:
    """Sampling seeded for this block only (None: unseeded); torch's global generators are restored
    afterwards, on the CPU and on ``device`` where it is a CUDA device. Training's generation uses it too."""
    if seed is None:
        yield
        return
    import torch

    cuda = []
    if device is not None and getattr(device, "type", str(device)) == "cuda":
        cuda = [device.index if device.index is not None else torch.cuda.current_device()]
    with torch.random.fork_rng(devices=cuda):
        torch.manual_seed(seed)
        yield


__all__ = ["TransformersBackend", "converted_gguf", "gguf_cache_dir", "seeded"]
