"""`build_zoo`: the zoo's recipe, run stage by stage with caching and progress bars.

Stages: held-out eval sets; the base model (pretrained on a broad mixture of synthetic
tasks); one full fine-tune per task from the base; one LoRA adapter per task on the
base; evaluation of every model on every task (with tools.evaluation); model cards;
`zoo.json`. The manifest is rewritten after each model, so an interrupted build resumes
where it stopped, and a finished build with the same recipe is a no-op.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from toolpath.tools.files import atomic_dir, atomic_write_text, check_replaceable
from toolpath.tools.zoo.cards import model_card
from toolpath.tools.zoo.manifest import (
    MANIFEST_NAME,
    ZooManifest,
    ZooModel,
    default_zoo_dir,
    load_zoo,
)
from toolpath.tools.zoo.tasks import PRETRAIN_EXTRAS, TASKS, eval_examples, write_jsonl
from toolpath.tools.zoo.training import ModelSize, Schedule

RECIPE_VERSION = 1
EVAL_DIR = "eval"


@dataclass(frozen=True)
class Recipe:
    """Everything that decides what the zoo contains (its hash is the cache key)."""

    size: ModelSize
    pretrain: Schedule
    expert: Schedule
    lora: Schedule
    lora_rank: int
    eval_count: int
    tasks: tuple[str, ...] = tuple(TASKS)
    pretrain_task_weight: float = 1.0
    eval_batch_size: int = 100
    version: int = RECIPE_VERSION
    extras: tuple[str, ...] = field(default_factory=lambda: tuple(PRETRAIN_EXTRAS))

    def fingerprint(self, seed: int) -> str:
        text = json.dumps({"recipe": asdict(self), "seed": seed}, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


FULL_RECIPE = Recipe(
    size=ModelSize(),
    # A base that knows every task a little, and experts that stay near it (a low rate
    # and few steps): task vectors small enough for merging to be meaningful.
    pretrain=Schedule(steps=800, learning_rate=2e-3, warmup_steps=40),
    expert=Schedule(steps=200, learning_rate=3e-4, warmup_steps=20),
    lora=Schedule(steps=150, learning_rate=3e-3, warmup_steps=15),
    lora_rank=8,
    eval_count=200,
)
MINI_RECIPE = Recipe(
    size=ModelSize(hidden_size=32, intermediate_size=64, layers=2, heads=2, max_positions=64),
    pretrain=Schedule(steps=60, batch_size=32, learning_rate=3e-3, warmup_steps=5),
    expert=Schedule(steps=200, batch_size=32, learning_rate=3e-3, warmup_steps=5),
    lora=Schedule(steps=15, batch_size=32, learning_rate=3e-3, warmup_steps=2),
    lora_rank=4,
    eval_count=24,
)


class _Progress:
    """Rich progress bars, or nothing when progress is off."""

    def __init__(self, enabled: bool) -> None:
        self.bars: Any = None
        if enabled:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
            )

            self.bars = Progress(
                TextColumn("{task.description:<22}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("{task.fields[info]}"),
            )

    def __enter__(self) -> _Progress:
        if self.bars is not None:
            self.bars.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bars is not None:
            self.bars.__exit__(*exc)

    def stage(self, description: str, total: int) -> Callable[[int, str], None]:
        """A bar for one stage; the returned callback advances it to `done` with `info`."""
        if self.bars is None:
            return lambda done, info: None
        task_id = self.bars.add_task(description, total=total, info="")
        return lambda done, info: self.bars.update(task_id, completed=done, info=info)


def _listed_models(root: Path) -> set[str]:
    """Names of the model directories the zoo.json at `root` lists (written by an earlier
    build, perhaps before atomic_dir marked what it creates)."""
    try:
        listed = json.loads((root / MANIFEST_NAME).read_text(encoding="utf-8"))
        return {Path(m["path"]).name for m in listed["models"]}
    except (OSError, ValueError, KeyError, TypeError):
        return set()


def _save_full_model(model: Any, tokenizer: Any, target: Path, legacy: set[str]) -> None:
    with atomic_dir(target, legacy=lambda p: p.name in legacy) as tmp:
        model.generation_config.eos_token_id = tokenizer.eos_token_id
        model.generation_config.pad_token_id = tokenizer.pad_token_id
        model.generation_config.bos_token_id = tokenizer.bos_token_id
        model.save_pretrained(str(tmp), safe_serialization=True)
        tokenizer.save_pretrained(str(tmp))


def _save_adapter(
    model: Any, tokenizer: Any, base_dir: Path, target: Path, legacy: set[str]
) -> None:
    model.peft_config["default"].base_model_name_or_path = str(base_dir.resolve())
    with atomic_dir(target, legacy=lambda p: p.name in legacy) as tmp:
        model.save_pretrained(str(tmp), safe_serialization=True)
        tokenizer.save_pretrained(str(tmp))


def _load_full_model(path: Path) -> Any:
    import torch
    from transformers import AutoModelForCausalLM

    return AutoModelForCausalLM.from_pretrained(
        str(path), local_files_only=True, use_safetensors=True, dtype=torch.float32
    )


def _trainable(model: Any) -> int:
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def _write_card(model: ZooModel) -> None:
    atomic_write_text(model.path / "README.md", model_card(model))


class ZooBuilder:
    """Runs a recipe into a directory, reusing what a previous run with it left there."""

    def __init__(self, root: Path, recipe: Recipe, seed: int, mini: bool, progress: bool):
        self.root, self.recipe, self.seed = root, recipe, seed
        self.progress = _Progress(progress)
        self.legacy = _listed_models(root)  # before this build rewrites zoo.json
        self.manifest = self._resume(mini)
        self.tokenizer: Any = None
        self.exclude: set[str] = set()

    def _resume(self, mini: bool) -> ZooManifest:
        fingerprint = self.recipe.fingerprint(self.seed)
        if (self.root / MANIFEST_NAME).is_file():
            try:
                old = load_zoo(self.root)
            except (ValueError, KeyError):
                old = None
            if old is not None and old.fingerprint == fingerprint:
                old.models = [m for m in old.models if _complete(m)]
                return old
        tasks = {name: TASKS[name].description for name in self.recipe.tasks}
        return ZooManifest(
            root=self.root, mini=mini, seed=self.seed, fingerprint=fingerprint, tasks=tasks
        )

    def cached(self, name: str) -> ZooModel | None:
        return next((m for m in self.manifest.models if m.name == name), None)

    def record(self, model: ZooModel) -> None:
        self.manifest.models = [m for m in self.manifest.models if m.name != model.name]
        self.manifest.models.append(model)
        self.manifest.write()

    def check_targets(self) -> None:
        """Refuse, before any training, a model directory this zoo did not write."""
        names = ["base"] + [f"{kind}-{t}" for kind in ("expert", "lora") for t in self.recipe.tasks]
        for name in names:
            if not self.cached(name):
                check_replaceable(self.root / name, lambda p: p.name in self.legacy)

    def run(self) -> ZooManifest:
        import torch
        from transformers.utils import logging as hf_logging

        from toolpath.tools.zoo.tokenizer import build_tokenizer

        self.check_targets()
        start = time.perf_counter()
        self.tokenizer = build_tokenizer()
        hf_logging.disable_progress_bar()
        threads = torch.get_num_threads()
        # One thread: deterministic on any machine, and for models this small faster than
        # two threads, which stall badly when other processes share the cores.
        torch.set_num_threads(1)
        try:
            self._run_stages()
        finally:
            torch.set_num_threads(threads)
        for model in self.manifest.models:
            _write_card(model)
        self.manifest.build_seconds = round(
            self.manifest.build_seconds + time.perf_counter() - start, 2
        )
        self.manifest.write()
        return self.manifest

    def _run_stages(self) -> None:
        with self.progress:
            self.write_eval_sets()
            self.build_base()
            for task in self.recipe.tasks:
                self.build_expert(task)
            for task in self.recipe.tasks:
                self.build_lora(task)
            self.evaluate_all()

    def write_eval_sets(self) -> None:
        for name in self.recipe.tasks:
            examples = eval_examples(TASKS[name], self.recipe.eval_count, self.seed)
            path = self.root / EVAL_DIR / f"{name}.jsonl"
            write_jsonl(path, examples)  # rewritten: a stale set from another recipe must go
            self.manifest.eval_sets[name] = path
            self.exclude.update(prompt for prompt, _ in examples)

    def _train(self, model: Any, stream: Iterator, schedule: Schedule, label: str, **kw) -> float:
        from toolpath.tools.zoo.training import train

        update = self.progress.stage(label, schedule.steps)
        start = time.perf_counter()
        train(
            model,
            self.tokenizer,
            stream,
            schedule,
            on_step=lambda step, loss: update(step + 1, f"loss {loss:.3f}"),
            **kw,
        )
        return round(time.perf_counter() - start, 2)

    def build_base(self) -> None:
        if self.cached("base"):
            return
        from toolpath.tools.zoo.training import mixture_stream, new_model

        model = new_model(self.recipe.size, self.tokenizer, self.seed)
        tasks = [TASKS[name] for name in self.recipe.tasks]
        extras = [PRETRAIN_EXTRAS[name] for name in self.recipe.extras]
        weights = [self.recipe.pretrain_task_weight] * len(tasks) + [1.0] * len(extras)
        rng = random.Random(f"pretrain:{self.seed}")
        stream = mixture_stream(tasks + extras, rng, self.exclude, weights)
        seconds = self._train(
            model, stream, self.recipe.pretrain, "pretrain base", label_prompt=True
        )
        path = self.root / "base"
        _save_full_model(model, self.tokenizer, path, self.legacy)
        self.record(
            ZooModel(
                name="base",
                kind="base",
                path=path,
                parameters=_trainable(model),
                train_steps=self.recipe.pretrain.steps,
                train_seconds=seconds,
            )
        )

    def _task_stream(self, stage: str, task: str) -> Iterator:
        rng = random.Random(f"{stage}:{task}:{self.seed}")
        return TASKS[task].examples(rng, self.exclude)

    def build_expert(self, task: str) -> None:
        name = f"expert-{task}"
        if self.cached(name):
            return
        import torch

        torch.manual_seed(self.seed)
        model = _load_full_model(self.manifest.base.path)
        stream = self._task_stream("expert", task)
        seconds = self._train(model, stream, self.recipe.expert, f"expert {task}")
        path = self.root / name
        _save_full_model(model, self.tokenizer, path, self.legacy)
        self.record(
            ZooModel(
                name=name,
                kind="expert",
                task=task,
                path=path,
                base="base",
                parameters=_trainable(model),
                train_steps=self.recipe.expert.steps,
                train_seconds=seconds,
            )
        )

    def build_lora(self, task: str) -> None:
        name = f"lora-{task}"
        if self.cached(name):
            return
        from toolpath.tools.zoo.training import lora_model

        base_dir = self.manifest.base.path
        model = lora_model(_load_full_model(base_dir), self.recipe.lora_rank, self.seed)
        stream = self._task_stream("lora", task)
        seconds = self._train(model, stream, self.recipe.lora, f"lora {task}")
        path = self.root / name
        _save_adapter(model, self.tokenizer, base_dir, path, self.legacy)
        self.record(
            ZooModel(
                name=name,
                kind="lora",
                task=task,
                path=path,
                base="base",
                parameters=_trainable(model),
                train_steps=self.recipe.lora.steps,
                train_seconds=seconds,
            )
        )

    def evaluate_all(self) -> None:
        from toolpath.tools.evaluation import accuracy

        pending = [m for m in self.manifest.models if set(m.accuracy) != set(self.recipe.tasks)]
        update = self.progress.stage("evaluate", len(pending) * len(self.recipe.tasks))
        done = 0
        for model in pending:
            for task in self.recipe.tasks:
                result = accuracy(
                    model.path,
                    self.manifest.eval_sets[task],
                    batch_size=self.recipe.eval_batch_size,
                    max_new_tokens=8,
                )
                model.accuracy[task] = round(result.accuracy, 4)
                done += 1
                update(done, f"{model.name} {task} {result.accuracy:.0%}")
            self.record(model)


def _complete(model: ZooModel) -> bool:
    weights = ("model.safetensors", "adapter_model.safetensors")
    return model.path.is_dir() and any((model.path / w).is_file() for w in weights)


def build_zoo(
    dir: Path | str | None = None, *, mini: bool = False, progress: bool = True, seed: int = 0
) -> ZooManifest:
    """Build (or reuse) the zoo in `dir` (default: `default_zoo_dir()`) and return its manifest.

    Deterministic for a seed, offline, cached: a second call with the same recipe returns
    the existing zoo without training. `mini=True` builds a tiny zoo in seconds (tests).
    """
    root = Path(dir).expanduser() if dir is not None else default_zoo_dir()
    if root.exists() and not root.is_dir():
        raise NotADirectoryError(f"zoo directory {str(root)!r} is a file")
    root.mkdir(parents=True, exist_ok=True)
    recipe = MINI_RECIPE if mini else FULL_RECIPE
    builder = ZooBuilder(root.resolve(), recipe, seed, mini, progress)
    if _finished(builder.manifest, recipe):
        return builder.manifest
    return builder.run()


def _finished(manifest: ZooManifest, recipe: Recipe) -> bool:
    expected = 1 + 2 * len(recipe.tasks)
    evaluated = all(set(m.accuracy) == set(recipe.tasks) for m in manifest.models)
    return len(manifest.models) == expected and evaluated and manifest.build_seconds > 0
