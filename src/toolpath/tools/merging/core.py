"""`merge_models` (on disk, streaming through mergekit) and `merge_state_dicts` (in memory).

On-disk merges run mergekit's `run_merge` in-process on a configuration built from the
toolpath parameters (methods.py), into a temporary directory beside `out` that is renamed
into place only when complete. A `merge_card.json` records the method, the inputs by
content hash, the resolved parameters and the toolpath/mergekit versions.

In-memory merges call mergekit's `merge_state_dicts` (mergekit >= 0.1.5 ships it in
`mergekit.merge_methods`) with the same method objects, so both paths share the kernels.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from toolpath.tools.extras import require
from toolpath.tools.files import atomic_dir
from toolpath.tools.merging.hashing import fast_algorithm, model_digest
from toolpath.tools.merging.method_registry import MERGE_METHODS, MERGEKIT
from toolpath.tools.merging.methods import (
    DEFAULT_SHARD_SIZE,
    check_inputs,
    check_method,
    mergekit_name,
    split_params,
)
from toolpath.tools.merging.preflight import PreflightError, preflight

CARD_NAME = "merge_card.json"


@dataclass
class MergeResult:
    """A finished on-disk merge."""

    out: Path
    method: str
    seconds: float
    params: dict[str, Any] = field(default_factory=dict)
    card: dict[str, Any] = field(default_factory=dict)


def package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "unknown"


def check_output(out: Path, inputs: list[Path]) -> None:
    """Refuse an output that is, contains or lies inside an input, or is foreign data."""
    target = out.resolve()
    for model in inputs:
        source = model.resolve()
        if target == source or source in target.parents or target in source.parents:
            raise PreflightError(f"output {out} would overwrite input {model}")
    if target.exists():
        if not target.is_dir():
            raise PreflightError(f"output {out} exists and is a file")
        if any(target.iterdir()) and not (target / CARD_NAME).is_file():
            raise PreflightError(
                f"output {out} exists and is not a toolpath merge output; refusing to overwrite"
            )


atomic_directory = atomic_dir  # the name merging/lora.py imports


class Hasher(threading.Thread):
    """Hashes the input models (BLAKE3, else sha256) in the background during the merge."""

    def __init__(self, models: list[Path], algorithm: str | None = None) -> None:
        super().__init__(daemon=True)
        self.models = models
        self.algorithm = algorithm or fast_algorithm()
        self.digests: dict[Path, str] = {}
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            for model in self.models:
                self.digests[model] = model_digest(model, self.algorithm)
        except BaseException as exc:
            self.error = exc

    def result(self) -> dict[Path, str]:
        self.join()
        if self.error is not None:
            raise self.error
        return self.digests


def mergekit_config(
    method: str, models: list[Path], base: Path | None, params: dict[str, Any] | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The mergekit configuration dict for a merge, and the toolpath options."""
    per_model, shared, options = split_params(method, len(models), params)
    config: dict[str, Any] = {
        "merge_method": mergekit_name(method, options),
        "models": [
            {"model": str(path), **({"parameters": p} if p else {})}
            for path, p in zip(models, per_model, strict=True)
        ],
    }
    if base is not None and MERGE_METHODS[method].needs_base:
        config["base_model"] = str(base)
    if shared:
        config["parameters"] = shared
    if options.get("dtype"):
        config["dtype"] = options["dtype"]
    return config, options


def run_mergekit(
    method: str,
    models: list[Path],
    out: Path,
    base: Path | None,
    params: dict[str, Any] | None,
    progress: bool,
) -> dict[str, Any]:
    """Run mergekit's on-disk merge into `out`; return the configuration it ran."""
    require("mergekit", "merge")
    from mergekit.config import MergeConfiguration
    from mergekit.merge import MergeOptions, run_merge

    config, options = mergekit_config(method, models, base, params)
    merge_options = MergeOptions(
        quiet=not progress,
        random_seed=options.get("seed"),
        out_shard_size=options.get("shard_size", DEFAULT_SHARD_SIZE),
        copy_tokenizer=True,
        write_model_card=True,
        safe_serialization=True,
    )
    run_merge(MergeConfiguration.model_validate(config), str(out), options=merge_options)
    return config


def build_card(
    method: str,
    models: list[Path],
    base: Path | None,
    params: dict[str, Any],
    digests: dict[Path, str],
    seconds: float,
    extra: dict[str, Any] | None = None,
    algorithm: str = "sha256",
) -> dict[str, Any]:
    """The model card; inputs by content hash, keyed by the hash's name ("blake3", ...)."""
    role = "base" if MERGE_METHODS[method].needs_base else "base (checked, not merged)"
    entries = [{"role": role, "path": str(base), algorithm: digests[base]}] if base else []
    entries += [{"role": "model", "path": str(m), algorithm: digests[m]} for m in models]
    return {
        "method": method,
        "inputs": entries,
        "params": params,
        "seconds": round(seconds, 3),
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "toolpath_version": package_version("toolpath"),
        "mergekit_version": package_version("mergekit"),
        **(extra or {}),
    }


LocalMerge = Callable[[list[Path], Path, Path | None, dict[str, Any], bool], dict[str, Any]]


def local_merge(method: str) -> LocalMerge:
    """The on-disk implementation of a method written here (its registry entry's `on_disk`)."""
    entry = MERGE_METHODS[method]
    return entry.implementation(entry.on_disk)


def merge_models(
    method: str,
    models: list[Path],
    out: Path,
    *,
    base: Path | None = None,
    params: dict | None = None,
    progress: bool = False,
) -> MergeResult:
    """Merge Hugging Face model directories (safetensors) into `out`, atomically.

    Runs the pre-flight checks first; `params` are described in tools/merging/methods.py.
    """
    check_method(method)
    models = [Path(m) for m in models]
    base = Path(base) if base is not None else None
    out = Path(out)
    check_inputs(method, len(models), base is not None)
    inputs = ([base] if base is not None else []) + models
    preflight(models, base)
    check_output(out, inputs)
    params = dict(params or {})
    hasher = Hasher(inputs)
    hasher.start()
    start = time.perf_counter()
    with atomic_dir(out) as tmp:
        if not MERGE_METHODS[method].local:
            extra = {"mergekit_config": run_mergekit(method, models, tmp, base, params, progress)}
        else:
            extra = local_merge(method)(models, tmp, base, params, progress)
        seconds = time.perf_counter() - start
        digests = hasher.result()
        card = build_card(method, models, base, params, digests, seconds, extra, hasher.algorithm)
        (tmp / CARD_NAME).write_text(json.dumps(card, indent=2, default=str))
    return MergeResult(out=out, method=method, seconds=seconds, params=params, card=card)


def merge_state_dicts(
    method: str,
    state_dicts: list[dict],
    *,
    base: dict | None = None,
    params: dict | None = None,
) -> dict:
    """Merge in-memory state dicts with the same methods and parameters as merge_models.

    Fast (no disk), for candidate search. `adamerging` needs `params["module"]` (an
    nn.Module of the architecture) and `params["inputs"]` (token ids); see adamerging.py.
    """
    check_method(method)
    check_inputs(method, len(state_dicts), base is not None)
    params = dict(params or {})
    entry = MERGE_METHODS[method]
    if entry.in_memory != MERGEKIT:
        return entry.implementation(entry.in_memory)(state_dicts, base, params)
    return run_mergekit_in_memory(method, state_dicts, base, params)


def run_mergekit_in_memory(
    method: str, state_dicts: list[dict], base: dict | None, params: dict[str, Any]
) -> dict:
    torch = require("torch", "merge")
    merge_methods = require("mergekit.merge_methods", "merge")

    per_model, shared, options = split_params(method, len(state_dicts), params)
    inputs: dict[str, Any] = {}
    use_base = base is not None and MERGE_METHODS[method].needs_base
    if use_base:
        inputs["base"] = base
    names = [f"model{i}" for i in range(len(state_dicts))]
    inputs.update(zip(names, state_dicts, strict=True))
    parameters = dict(shared)
    for key in {k for entry in per_model for k in entry}:
        parameters[key] = {name: entry[key] for name, entry in zip(names, per_model, strict=True)}
    dtype = getattr(torch, options["dtype"]) if options.get("dtype") else None
    if options.get("seed") is not None:
        torch.manual_seed(options["seed"])
    with torch.no_grad():
        return merge_methods.merge_state_dicts(
            inputs,
            merge_methods.get(mergekit_name(method, options)),
            parameters=parameters,
            base="base" if use_base else None,
            dtype=dtype,
            out_dtype=dtype,
        )
