"""Load one TaskBench domain (tools + labelled samples) and split it without leakage.

The samples in `<data-dir>/<domain>/data.jsonl` are the development pool. `split_domain`
orders that pool deterministically, stratified by type (single / chain / dag): each type's
samples are sorted by a salted SHA-256 of their id, then interleaved so that every prefix of
the order holds the types in the pool's proportions (largest deficit first). The first
`eval_size` samples of that order are the evaluation slice; all the others form the
demonstration pool. The planner's solved examples come only from the demonstration pool, so
neither the sample being scored nor any other evaluation sample can ever be shown to it.
Samples whose label the reference scorer cannot read (two dailylifeapis labels have an
argument without a `value`) are left out of both.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolpath.tools.catalogs.taskbench import DOMAINS, TaskBenchDataError, domain_dir
from toolpath.tools.jsonl import iter_jsonl

SPLITS = ("single", "chain", "dag")
SPLIT_SALT = "toolpath-taskbench-split-v1"
DEFAULT_EVAL_SIZE = 100
RESOURCE, TEMPORAL = "resource", "temporal"

__all__ = [
    "DEFAULT_EVAL_SIZE",
    "DOMAINS",
    "RESOURCE",
    "SPLITS",
    "TEMPORAL",
    "DomainSplit",
    "TaskBenchDataError",
    "TaskBenchDomain",
    "TaskBenchSample",
    "load_domain",
    "split_domain",
]


@dataclass(frozen=True)
class TaskBenchSample:
    """One labelled sample, as TaskBench's `data.json` stores it (`record` keeps it whole)."""

    id: str
    type: str
    user_request: str
    task_steps: list[str]
    task_nodes: list[dict[str, Any]]
    task_links: list[dict[str, Any]]
    record: dict[str, Any] = field(repr=False, compare=False)

    @property
    def label(self) -> dict[str, Any]:
        """The labelled plan in the prediction format."""
        return {
            "task_steps": self.task_steps,
            "task_nodes": self.task_nodes,
            "task_links": self.task_links,
        }


@dataclass(frozen=True)
class TaskBenchDomain:
    """A domain's tool list (`tool_desc.json` nodes, in file order) and its samples."""

    name: str
    tools: list[dict[str, Any]]
    samples: list[TaskBenchSample]
    path: Path | None = None

    @property
    def mode(self) -> str:
        """`resource` when tools declare input/output types, else `temporal` (dailylifeapis)."""
        return RESOURCE if self.tools and "input-type" in self.tools[0] else TEMPORAL

    @property
    def tool_names(self) -> list[str]:
        return [tool["id"] for tool in self.tools]

    def tool_index(self) -> dict[str, int]:
        """Tool name -> 1-based index in the tool list (the reference's `tool_map`)."""
        return {name: i + 1 for i, name in enumerate(self.tool_names)}

    def output_types(self) -> dict[str, str]:
        """Tool name -> its first output type, `none` when it has none (resource mode)."""
        return {
            tool["id"]: (tool.get("output-type") or ["none"])[0]
            for tool in self.tools
            if "output-type" in tool
        }

    def by_id(self) -> dict[str, TaskBenchSample]:
        return {sample.id: sample for sample in self.samples}


@dataclass(frozen=True)
class DomainSplit:
    """The evaluation slice (stratified order) and the disjoint demonstration pool."""

    eval_ids: list[str]
    demo_ids: list[str]

    def __post_init__(self) -> None:
        overlap = set(self.eval_ids) & set(self.demo_ids)
        if overlap:
            raise ValueError(f"evaluation and demonstration pools overlap on {sorted(overlap)}")

    def pool_fold(self, fold: int, folds: int) -> DomainSplit:
        """Cross-validation inside the demonstration pool: fold `fold` of `folds` (every
        `folds`-th id of the stratified pool order) is scored, the other folds are the
        demonstrations. The evaluation slice takes no part."""
        if folds < 2 or not 0 <= fold < folds:
            raise ValueError(f"fold must be K/N with N >= 2 and 0 <= K < N; got {fold}/{folds}")
        held = self.demo_ids[fold::folds]
        rest = [i for i in self.demo_ids if i not in set(held)]
        return DomainSplit(eval_ids=held, demo_ids=rest)


def _sample_from_record(record: Any, path: Path, line_no: int) -> TaskBenchSample:
    where = f"{str(path)!r} line {line_no}"
    if not isinstance(record, dict):
        raise TaskBenchDataError(f"{where}: expected a JSON object")
    missing = [
        key
        for key in ("id", "type", "user_request", "task_steps", "task_nodes")
        if key not in record
    ]
    if missing:
        raise TaskBenchDataError(f"{where}: missing {', '.join(missing)}")
    return TaskBenchSample(
        id=str(record["id"]),
        type=str(record["type"]),
        user_request=str(record["user_request"]),
        task_steps=list(record["task_steps"]),
        task_nodes=list(record["task_nodes"]),
        task_links=list(record.get("task_links") or []),
        record=record,
    )


def read_samples(path: Path) -> list[TaskBenchSample]:
    """Read a TaskBench `data.jsonl` (one labelled sample a line)."""
    if not path.is_file():
        raise TaskBenchDataError(f"missing samples file {str(path)!r}")
    try:
        return [_sample_from_record(record, path, n) for n, record in iter_jsonl(path)]
    except ValueError as exc:
        raise TaskBenchDataError(str(exc)) from exc


def load_domain(domain: str, data_dir: str | Path | None = None) -> TaskBenchDomain:
    """Load a domain's tool list and labelled samples from the TaskBench data directory."""
    folder = domain_dir(domain, data_dir)
    tools_path = folder / "tool_desc.json"
    if not tools_path.is_file():
        raise TaskBenchDataError(f"missing file {str(tools_path)!r}")
    try:
        tools = json.loads(tools_path.read_text(encoding="utf-8"))["nodes"]
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise TaskBenchDataError(f"{str(tools_path)!r}: expected {{'nodes': [...]}}") from exc
    return TaskBenchDomain(
        name=domain, tools=list(tools), samples=read_samples(folder / "data.jsonl"), path=folder
    )


def _hash_key(domain: str, sample_id: str) -> str:
    return hashlib.sha256(f"{SPLIT_SALT}:{domain}:{sample_id}".encode()).hexdigest()


def stratified_order(domain: TaskBenchDomain, exclude: set[str] | None = None) -> list[str]:
    """The domain's sample ids (less `exclude`), ordered so every prefix is stratified by type."""
    by_type: dict[str, list[str]] = {}
    for sample in domain.samples:
        if not exclude or sample.id not in exclude:
            by_type.setdefault(sample.type, []).append(sample.id)
    for ids in by_type.values():
        ids.sort(key=lambda sample_id: _hash_key(domain.name, sample_id))
    total = sum(len(ids) for ids in by_type.values())
    share = {kind: len(ids) / total for kind, ids in by_type.items()}
    taken: Counter[str] = Counter()
    order: list[str] = []
    for position in range(1, total + 1):
        open_types = [kind for kind, ids in by_type.items() if taken[kind] < len(ids)]
        kind = max(open_types, key=lambda k: (share[k] * position - taken[k], share[k], k))
        order.append(by_type[kind][taken[kind]])
        taken[kind] += 1
    return order


def split_domain(domain: TaskBenchDomain, eval_size: int = DEFAULT_EVAL_SIZE) -> DomainSplit:
    """The first `eval_size` ids of the stratified order, and the rest as demonstrations."""
    if eval_size < 1:
        raise ValueError(f"eval_size must be at least 1, got {eval_size}")
    from toolpath.evals.taskbench.metrics import unscorable_label_ids

    order = stratified_order(domain, exclude=set(unscorable_label_ids(domain)))
    if eval_size >= len(order):
        raise ValueError(
            f"eval_size {eval_size} leaves no demonstration pool: domain {domain.name!r} "
            f"has {len(order)} samples"
        )
    return DomainSplit(eval_ids=order[:eval_size], demo_ids=order[eval_size:])
