"""Tiny random chat models built on the spot, so backend tests need no download.

``build_chat_model(dir)`` saves a 2-layer Llama with a byte-level BPE tokenizer (trained here with the
``tokenizers`` library) and a ChatML-style chat template; ``build_vision_model(dir)`` saves a tiny
Llava (CLIP vision tower + that Llama) with its processor. Both load through ``from_pretrained(dir)``.
Weights are random but seeded, so a model's greedy output is the same on every build.
"""

from __future__ import annotations

from pathlib import Path

CHAT_TEMPLATE = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n"
    "{% if m['content'] is string %}{{ m['content'] }}"
    "{% else %}{% for part in m['content'] %}"
    "{% if part['type'] == 'image' %}<image>{% else %}{{ part['text'] }}{% endif %}"
    "{% endfor %}{% endif %}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
SPECIAL_TOKENS = ["<|pad|>", "<|im_start|>", "<|im_end|>", "<image>"]
CORPUS = [
    "You are playing chess as White. Legal moves: e4 d4 Nf3 c4 g3 b3 f4 Nc3 a3 h3.",
    "You are playing tic-tac-toe as x. The board is ... / ... / ... Legal moves: x(0,0) o(1,1) x(2,2)",
    "Final Answer: e4. Final Answer: Nf3. Final Answer: x(1,1). I think the best move is to take the center.",
    "The quick brown fox jumps over the lazy dog. 0123456789 + - = / ( ) [ ] , ; : ! ? ' \" #",
    "Your action was rejected: illegal move. Please try again. Reply with one legal move.",
]
IMAGE_SIZE, PATCH_SIZE = 32, 8  # 16 image tokens per picture


def build_tokenizer():
    """A byte-level BPE tokenizer with pad/eos tokens and the chat template, as a fast HF tokenizer."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    core = Tokenizer(models.BPE())
    core.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    core.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=400, special_tokens=SPECIAL_TOKENS, initial_alphabet=pre_tokenizers.ByteLevel.alphabet()
    )
    core.train_from_iterator(CORPUS * 4, trainer=trainer)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=core, pad_token="<|pad|>", eos_token="<|im_end|>", bos_token="<|im_start|>"
    )
    tokenizer.chat_template = CHAT_TEMPLATE
    return tokenizer


def _llama_config(vocab_size: int, pad_id: int, eos_id: int, bos_id: int):
    from transformers import LlamaConfig

    return LlamaConfig(
        vocab_size=vocab_size,
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=4096,
        pad_token_id=pad_id,
        eos_token_id=eos_id,
        bos_token_id=bos_id,
        tie_word_embeddings=False,
    )


def _seeded_init(build, seed: int):
    import torch

    with torch.random.fork_rng(devices=[]):  # the global torch generator is left as it was
        torch.manual_seed(seed)
        return build()


def build_chat_model(directory: str | Path, *, seed: int = 0, with_template: bool = True) -> Path:
    """Save a tiny random Llama chat model and its tokenizer under ``directory``; return the path."""
    from transformers import LlamaForCausalLM

    directory = Path(directory)
    tokenizer = build_tokenizer()
    if not with_template:
        tokenizer.chat_template = None
    config = _llama_config(len(tokenizer), tokenizer.pad_token_id, tokenizer.eos_token_id, tokenizer.bos_token_id)
    model = _seeded_init(lambda: LlamaForCausalLM(config), seed)
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory


def build_vision_model(directory: str | Path, *, seed: int = 0) -> Path:
    """Save a tiny random Llava (CLIP vision tower + Llama) and its processor under ``directory``."""
    import transformers
    from transformers import CLIPVisionConfig, LlavaConfig, LlavaForConditionalGeneration, LlavaProcessor

    # The Pillow image processor where this transformers has one (the default one wants torchvision).
    image_processor_class = getattr(transformers, "CLIPImageProcessorPil", None) or transformers.CLIPImageProcessor

    directory = Path(directory)
    tokenizer = build_tokenizer()
    text_config = _llama_config(len(tokenizer), tokenizer.pad_token_id, tokenizer.eos_token_id, tokenizer.bos_token_id)
    vision_config = CLIPVisionConfig(
        hidden_size=32, intermediate_size=64, num_hidden_layers=1, num_attention_heads=4,
        image_size=IMAGE_SIZE, patch_size=PATCH_SIZE, projection_dim=32,
    )
    config = LlavaConfig(
        vision_config=vision_config,
        text_config=text_config,
        image_token_index=tokenizer.convert_tokens_to_ids("<image>"),
        vision_feature_select_strategy="default",
        vision_feature_layer=-1,
    )
    model = _seeded_init(lambda: LlavaForConditionalGeneration(config), seed)
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    image_processor = image_processor_class(
        size={"shortest_edge": IMAGE_SIZE}, crop_size={"height": IMAGE_SIZE, "width": IMAGE_SIZE}
    )
    processor = LlavaProcessor(
        image_processor=image_processor,
        tokenizer=tokenizer,
        patch_size=PATCH_SIZE,
        vision_feature_select_strategy="default",
        num_additional_image_tokens=1,  # CLIP's class token, which the "default" strategy drops again
        chat_template=CHAT_TEMPLATE,
        image_token="<image>",
    )
    model.save_pretrained(directory)
    processor.save_pretrained(directory)
    return directory
