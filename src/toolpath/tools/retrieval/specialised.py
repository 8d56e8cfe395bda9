"""Retrieval of tools (from large catalogues), of solved examples, and of experts by model card.

Model cards, tool docs and requests are data: they are embedded and matched, never
followed as instructions.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from toolpath.tools.retrieval.corpus import chunk_text
from toolpath.tools.retrieval.indexes import Index, IndexFormatError, load_index, make_index
from toolpath.tools.spec import ToolSpec

CARD_NAME = "README.md"
_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


def tool_text(spec: ToolSpec) -> str:
    """What a tool is matched on: its name, doc, resource types and parameter names."""
    parts = [f"{spec.name}. {spec.doc}"]
    if spec.inputs:
        parts.append("Inputs: " + ", ".join(spec.inputs) + ".")
    if spec.outputs:
        parts.append("Outputs: " + ", ".join(spec.outputs) + ".")
    capabilities = [c for c in spec.capabilities if c != spec.name]
    if capabilities:
        parts.append("Capabilities: " + ", ".join(c.replace("_", " ") for c in capabilities) + ".")
    properties = spec.parameters.get("properties", {})
    named = [
        f"{name} ({prop.get('description', '')})".replace(" ()", "")
        for name, prop in properties.items()
        if name != "arguments" and isinstance(prop, dict)
    ]
    if named:
        parts.append("Parameters: " + "; ".join(named) + ".")
    return " ".join(parts)


class ToolRetriever:
    """The tools of a catalogue that best match a request.

    With `index_dir`, the index is loaded from there when it holds exactly these tools
    (same texts, same method) and is built and saved there otherwise, so a catalogue of
    10,000 tools is embedded once.
    """

    def __init__(
        self, specs: list[ToolSpec], method: str = "hybrid", *, index_dir: Path | None = None
    ) -> None:
        names = [spec.name for spec in specs]
        if len(set(names)) != len(names):
            duplicates = sorted({n for n in names if names.count(n) > 1})
            raise ValueError(f"ToolRetriever: duplicate tool names {duplicates[:5]}")
        texts = [tool_text(spec) for spec in specs]
        self.method = method
        self.index = _cached_index(index_dir, method, names, texts) if index_dir else None
        if self.index is None:
            self.index = make_index(method)
            self.index.add(texts, names)
            if index_dir is not None:
                self.index.save(index_dir)

    def __len__(self) -> int:
        return len(self.index)

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        """(tool name, score) pairs, best first."""
        return self.index.search(query, k)


def _cached_index(folder: Path, method: str, ids: list[str], texts: list[str]) -> Index | None:
    if not (Path(folder) / "manifest.json").is_file():
        return None
    try:
        index = load_index(folder)
    except (IndexFormatError, OSError, ValueError):
        return None
    if index.kind != method or index.ids != ids or index.docs != texts:
        return None
    return index


class DemoRetriever:
    """Solved examples (by their requests) most similar to a new request, for few-shot prompts."""

    def __init__(self, requests: list[str], method: str = "hybrid") -> None:
        self.method = method
        self.index = make_index(method)
        self.index.add(list(requests), [str(i) for i in range(len(requests))])

    def __len__(self) -> int:
        return len(self.index)

    def search(self, query: str, k: int) -> list[tuple[int, float]]:
        """(position in `requests`, score) pairs, best first."""
        return [(int(doc_id), score) for doc_id, score in self.index.search(query, k)]


def _front_matter_text(block: str) -> str:
    """YAML front matter as plain `key: values` lines (tags, datasets, base_model, ...)."""
    import yaml

    try:
        data = yaml.safe_load(block)
    except yaml.YAMLError:
        return block
    if not isinstance(data, dict):
        return ""
    lines = []
    for key, value in data.items():
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value if not isinstance(v, dict | list))
        elif isinstance(value, dict):
            continue  # model-index and similar nested blocks: numbers, little meaning
        if value not in ("", None):
            lines.append(f"{str(key).replace('_', ' ')}: {value}")
    return "\n".join(lines)


def _config_text(model_dir: Path) -> str:
    """A fallback description from config.json / adapter_config.json when there is no card."""
    fields: list[str] = [model_dir.name.replace("-", " ").replace("_", " ")]
    for name, keys in (
        ("config.json", ("model_type", "architectures")),
        ("adapter_config.json", ("peft_type", "task_type", "base_model_name_or_path")),
    ):
        path = model_dir / name
        if not path.is_file():
            continue
        try:
            config: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError):
            continue
        fields.extend(f"{key}: {config[key]}" for key in keys if config.get(key))
    return "\n".join(fields)


def model_card_text(model_dir: Path) -> str:
    """The text an expert is matched on: its README.md card (front matter flattened)."""
    card = Path(model_dir) / CARD_NAME
    if not card.is_file():
        return _config_text(Path(model_dir))
    text = _HTML_COMMENT.sub(" ", card.read_text(encoding="utf-8", errors="replace"))
    match = _FRONT_MATTER.match(text)
    if match:
        text = _front_matter_text(match.group(1)) + "\n\n" + text[match.end() :]
    return f"{Path(model_dir).name}\n\n{text}"


class ExpertRetriever:
    """Experts or adapters whose model cards best match a task (LoraRetriever-style).

    Each card is cut into chunks short enough for the embedder (~120 words); an expert
    ranks by its best-matching chunk.
    """

    def __init__(self, model_dirs: list[Path], method: str = "hybrid") -> None:
        self.model_dirs = [Path(p) for p in model_dirs]
        for path in self.model_dirs:
            if not path.is_dir():
                raise FileNotFoundError(f"expert directory {str(path)!r} does not exist")
        self.index = make_index(method)
        texts, ids = [], []
        for i, path in enumerate(self.model_dirs):
            for j, chunk in enumerate(chunk_text(model_card_text(path), 120, 30) or [path.name]):
                texts.append(chunk)
                ids.append(f"{i}#{j}")
        self.index.add(texts, ids)

    def search(self, task: str, k: int) -> list[tuple[Path, float]]:
        """(model directory, score of its best chunk) pairs, best first."""
        if k < 1:
            raise ValueError(f"search(): k must be at least 1, got {k}")
        if not self.model_dirs:
            return []
        best: dict[int, float] = {}
        for doc_id, score in self.index.search(task, len(self.index)):
            expert = int(doc_id.split("#", 1)[0])
            best.setdefault(expert, score)
            if len(best) == k:
                break
        return [(self.model_dirs[i], score) for i, score in best.items()]
