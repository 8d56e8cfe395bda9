"""Pre-flight checks run before any merge: cheap (headers only), and precise when they fail.

They read `config.json`, the safetensors headers (names, shapes, dtypes; no tensor data)
and the tokenizer files, and raise `PreflightError` naming the offending file or tensor.
Pickle checkpoints (`*.bin`, `*.pt`, ...) are refused, never opened.
"""

from __future__ import annotations

import hashlib
import json
import struct
from dataclasses import dataclass
from pathlib import Path

PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".ckpt", ".pkl")
TOKENIZER_FILES = ("tokenizer.json", "tokenizer.model", "vocab.json", "merges.txt")


class PreflightError(ValueError):
    """Inputs that cannot be merged; the message names the offending tensor or file."""


@dataclass(frozen=True)
class TensorInfo:
    shape: tuple[int, ...]
    dtype: str
    file: Path


def weight_files(model: Path) -> list[Path]:
    """The safetensors files of a model directory; refuses pickle-only checkpoints."""
    index = model / "model.safetensors.index.json"
    if index.is_file():
        shards = sorted(set(json.loads(index.read_text())["weight_map"].values()))
        missing = [name for name in shards if not (model / name).is_file()]
        if missing:
            raise PreflightError(f"{index} names shard {missing[0]}, which does not exist")
        return [model / name for name in shards]
    files = sorted(model.glob("*.safetensors"))
    if files:
        return files
    pickles = sorted(p.name for p in model.iterdir() if p.suffix in PICKLE_SUFFIXES)
    if pickles:
        raise PreflightError(
            f"{model / pickles[0]} is a pickle checkpoint; toolpath loads safetensors only "
            "(convert it with safetensors first)"
        )
    raise PreflightError(f"no *.safetensors weights in {model}")


def read_header(file: Path) -> dict[str, TensorInfo]:
    """Tensor names, shapes and dtypes from a safetensors header (no tensor data read)."""
    try:
        with file.open("rb") as handle:
            (length,) = struct.unpack("<Q", handle.read(8))
            if length > 100_000_000:
                raise PreflightError(f"{file}: safetensors header of {length} bytes is implausible")
            header = json.loads(handle.read(length))
    except (struct.error, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise PreflightError(f"{file} is not a valid safetensors file ({exc})") from None
    header.pop("__metadata__", None)
    return {
        name: TensorInfo(tuple(entry["shape"]), entry["dtype"], file)
        for name, entry in header.items()
    }


def model_tensors(model: Path) -> dict[str, TensorInfo]:
    """All tensors of a model directory, by name."""
    tensors: dict[str, TensorInfo] = {}
    for file in weight_files(model):
        tensors.update(read_header(file))
    return tensors


def read_config(model: Path) -> dict:
    """The model's config.json as a dict."""
    path = model / "config.json"
    if not path.is_file():
        raise PreflightError(f"{path} is missing: not a Hugging Face model directory")
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise PreflightError(f"{path} is not valid JSON ({exc})") from None


def architecture_of(config: dict) -> tuple[str | None, tuple[str, ...]]:
    return config.get("model_type"), tuple(config.get("architectures") or ())


def tokenizer_fingerprint(model: Path) -> tuple[str, str] | None:
    """(file name, sha256) of the model's main tokenizer file, or None if it has none."""
    for name in TOKENIZER_FILES:
        path = model / name
        if path.is_file():
            if name == "tokenizer.json":
                vocab = json.loads(path.read_text()).get("model", {}).get("vocab")
                data = json.dumps(vocab, sort_keys=True).encode()
            else:
                data = path.read_bytes()
            return name, hashlib.sha256(data).hexdigest()
    return None


def check_directory(model: Path, role: str) -> None:
    if not model.exists():
        raise PreflightError(f"{role} model directory not found: {model}")
    if not model.is_dir():
        raise PreflightError(f"{role} model {model} is a file; pass its directory")


def compare_tensors(
    reference: Path, ref_tensors: dict[str, TensorInfo], other: Path, tensors: dict[str, TensorInfo]
) -> None:
    for name, info in ref_tensors.items():
        if name not in tensors:
            raise PreflightError(f"tensor {name!r} of {reference} is missing from {other}")
        if tensors[name].shape != info.shape:
            raise PreflightError(
                f"tensor {name!r} has shape {list(tensors[name].shape)} in "
                f"{tensors[name].file} but {list(info.shape)} in {info.file}"
            )
    extra = sorted(set(tensors) - set(ref_tensors))
    if extra:
        raise PreflightError(f"tensor {extra[0]!r} of {other} is not in {reference}")


def compare_configs(reference: Path, ref_config: dict, other: Path, config: dict) -> None:
    if architecture_of(config) != architecture_of(ref_config):
        raise PreflightError(
            f"architecture mismatch: {other / 'config.json'} is {architecture_of(config)} "
            f"but {reference / 'config.json'} is {architecture_of(ref_config)}"
        )
    if config.get("vocab_size") != ref_config.get("vocab_size"):
        raise PreflightError(
            f"vocabulary size {config.get('vocab_size')} in {other / 'config.json'} differs "
            f"from {ref_config.get('vocab_size')} in {reference / 'config.json'}"
        )


def compare_tokenizers(reference: Path, other: Path) -> None:
    ref_print, print_ = tokenizer_fingerprint(reference), tokenizer_fingerprint(other)
    if ref_print is None or print_ is None:
        return
    if ref_print != print_:
        raise PreflightError(
            f"tokenizer {other / print_[0]} differs from {reference / ref_print[0]} "
            "(different vocabulary): the models do not share token ids"
        )


def preflight(models: list[Path], base: Path | None) -> None:
    """Check that `models` (and `base`) can be merged; raise PreflightError if not.

    Checks: each is a directory with config.json and safetensors weights (no pickles),
    same architecture and vocabulary size, same tensor names and shapes, same tokenizer
    vocabulary (when both ship one).
    """
    if not models:
        raise PreflightError("no input models given")
    inputs = [Path(base)] if base is not None else []
    inputs += [Path(m) for m in models]
    resolved = [p.resolve() for p in inputs]
    for index, path in enumerate(inputs):
        check_directory(path, "base" if base is not None and index == 0 else "input")
    duplicates = {p for p in resolved if resolved.count(p) > 1}
    if duplicates:
        raise PreflightError(f"model {sorted(duplicates)[0]} is given more than once")
    reference = inputs[0]
    ref_config = read_config(reference)
    ref_tensors = model_tensors(reference)
    for other in inputs[1:]:
        compare_configs(reference, ref_config, other, read_config(other))
        compare_tensors(reference, ref_tensors, other, model_tensors(other))
        compare_tokenizers(reference, other)
