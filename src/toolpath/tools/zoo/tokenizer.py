"""A character-level tokenizer, saved as a Hugging Face fast tokenizer.

Every character of the zoo's alphabet is one token; the tokenizer adds `<bos>` in front
of each text (so prompts at evaluation time look like prompts in training), and decodes
by concatenating characters.
"""

from __future__ import annotations

import string
from pathlib import Path
from typing import Any

PAD, BOS, EOS, UNK = "<pad>", "<bos>", "<eos>", "<unk>"
SPECIALS = (PAD, BOS, EOS, UNK)
ALPHABET = string.digits + string.ascii_lowercase + " +-=?:.,"


def vocabulary() -> dict[str, int]:
    """Token -> id: the special tokens first, then one id per character."""
    tokens = [*SPECIALS, *ALPHABET]
    return {token: index for index, token in enumerate(tokens)}


def build_tokenizer() -> Any:
    """A `PreTrainedTokenizerFast` over single characters."""
    from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    vocab = vocabulary()
    core = Tokenizer(models.WordLevel(vocab=vocab, unk_token=UNK))
    core.pre_tokenizer = pre_tokenizers.Split(Regex("."), behavior="isolated")
    core.decoder = decoders.Fuse()
    core.post_processor = processors.TemplateProcessing(
        single=f"{BOS} $A", pair=f"{BOS} $A $B", special_tokens=[(BOS, vocab[BOS])]
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=core,
        bos_token=BOS,
        eos_token=EOS,
        pad_token=PAD,
        unk_token=UNK,
        padding_side="left",
        model_max_length=64,
        clean_up_tokenization_spaces=False,
    )


def save_tokenizer(tokenizer: Any, directory: Path) -> None:
    """Save the tokenizer files into a model directory."""
    tokenizer.save_pretrained(str(directory))
