"""What a built zoo holds: `ZooManifest`, written as `zoo.json` at the zoo's root."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from toolpath.tools.files import atomic_write_json, cache_root

MANIFEST_NAME = "zoo.json"
ZOO_DIR_ENV = "TOOLPATH_ZOO_DIR"

ModelKind = Literal["base", "expert", "lora"]


class ZooModel(BaseModel):
    """One model of the zoo: a full model directory (base, expert) or a LoRA adapter."""

    name: str
    kind: ModelKind
    task: str | None = None
    path: Path
    base: str | None = Field(None, description="name of the model it was trained from")
    parameters: int = Field(0, description="trainable parameters")
    train_steps: int = 0
    train_seconds: float = 0.0
    accuracy: dict[str, float] = Field(default_factory=dict, description="task -> accuracy")


class ZooManifest(BaseModel):
    """The zoo: its models, held-out eval sets and how it was built."""

    root: Path
    mini: bool = False
    seed: int = 0
    fingerprint: str
    tasks: dict[str, str] = Field(default_factory=dict, description="task -> description")
    eval_sets: dict[str, Path] = Field(default_factory=dict, description="task -> JSONL file")
    models: list[ZooModel] = Field(default_factory=list)
    build_seconds: float = 0.0

    @property
    def base(self) -> ZooModel:
        return next(m for m in self.models if m.kind == "base")

    @property
    def experts(self) -> dict[str, ZooModel]:
        return {m.task: m for m in self.models if m.kind == "expert" and m.task}

    @property
    def loras(self) -> dict[str, ZooModel]:
        return {m.task: m for m in self.models if m.kind == "lora" and m.task}

    def model(self, name: str) -> ZooModel:
        """The model called `name`, or a clear error listing the zoo's models."""
        for model in self.models:
            if model.name == name:
                return model
        names = ", ".join(m.name for m in self.models)
        raise KeyError(f"no model {name!r} in the zoo at {self.root}; it has: {names}")

    def write(self) -> Path:
        """Write `zoo.json` atomically (paths relative to the root)."""
        data = self.model_dump(mode="json")
        data["root"] = "."
        for model in data["models"]:
            model["path"] = os.path.relpath(model["path"], self.root)
        data["eval_sets"] = {
            task: os.path.relpath(path, self.root) for task, path in data["eval_sets"].items()
        }
        return atomic_write_json(self.root / MANIFEST_NAME, data)


def default_zoo_dir() -> Path:
    """$TOOLPATH_ZOO_DIR, else `toolpath/zoo` in the user's cache directory."""
    if os.environ.get(ZOO_DIR_ENV):
        return Path(os.environ[ZOO_DIR_ENV]).expanduser()
    return cache_root() / "zoo"


def load_zoo(directory: Path | str | None = None) -> ZooManifest:
    """Read the zoo built at `directory` (default: `default_zoo_dir()`)."""
    root = Path(directory).expanduser() if directory is not None else default_zoo_dir()
    path = root / MANIFEST_NAME
    if not path.is_file():
        raise FileNotFoundError(
            f"no zoo at {root} (missing {MANIFEST_NAME}); run `toolpath zoo build`"
        )
    data = json.loads(path.read_text(encoding="utf-8"))
    data["root"] = root
    for model in data["models"]:
        model["path"] = root / model["path"]
    data["eval_sets"] = {task: root / rel for task, rel in data["eval_sets"].items()}
    return ZooManifest.model_validate(data)
