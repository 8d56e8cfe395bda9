"""Plan TaskBench samples with toolpath's decomposer; resumable, with progress and a report.

Output folder (`--out`):
- `predictions.jsonl`: TaskBench's prediction format, one line per planned sample:
  `{"id", "user_request", "type", "result": {task_steps, task_nodes, task_links} | null,
  "toolpath": {seconds, attempts, tokens, errors, demo_ids, planner_failed, raw, first_raw}}`
  (`first_raw`: the model's first answer, before repair and feedback).
  TaskBench's own `evaluate.py` reads `id` and `result` and ignores the rest.
- `run.json`: the settings the predictions were made with (a resume must match them).
- `report.md`, `report.json`: the scores beside the published leaderboard rows.

A line is appended (and flushed to disk) as soon as a sample is planned, so an interrupted
run resumes where it stopped; a torn last line is dropped on resume.

With `workers` > 1 the samples are planned at once, worker i with the i-th chat model
(mod their number: one per OpenAI-compatible endpoint of `base_urls`); the records and
the scores follow the selected ids, so they are those of one worker whatever the order in
which samples finish.
"""

from __future__ import annotations

import itertools
import json
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from toolpath.evals.progress import progress_bar
from toolpath.evals.provenance import RUN_FILE, claim_run_folder
from toolpath.evals.taskbench.failures import failure_breakdown
from toolpath.evals.taskbench.graph_planning import replay_first_answers
from toolpath.evals.taskbench.loader import (
    DEFAULT_EVAL_SIZE,
    SPLITS,
    DomainSplit,
    TaskBenchDomain,
    TaskBenchSample,
    load_domain,
    split_domain,
)
from toolpath.evals.taskbench.metrics import ALL, TaskBenchScores, score_predictions
from toolpath.evals.taskbench.repair_ablation import json_object, repair_ablation
from toolpath.planners.llm import ChatModel
from toolpath.tools.files import atomic_open
from toolpath.tools.jsonl import append_jsonl

PREDICTIONS_FILE = "predictions.jsonl"
DEMO_METHODS = ("bm25", "dense", "hybrid")
SUPPORT, NO_RERANK = "support", "none"
DEMO_RERANKS = (SUPPORT, NO_RERANK)
# Settings that change what the planner produces: a resumed run must not mix them.
PLANNER_SETTINGS = (
    "llm",
    "planner",
    "demos",
    "demo_method",
    "demo_rerank",
    "repair",
    "max_retries",
    "eval_size",
    "fold",
)
PLANNERS = ("graph", "direct")
# Runs made before a setting existed were made with its old behaviour.
LEGACY_SETTINGS = {"planner": "direct", "fold": None, "demo_rerank": NO_RERANK}

log = logging.getLogger(__name__)


@dataclass
class RunConfig:
    """What to plan and how."""

    domain: str
    out: Path
    split: str = ALL
    limit: int | None = None
    offset: int = 0
    llm: str = "embedded"
    demos: int = 0
    demo_method: str = "bm25"
    demo_rerank: str = NO_RERANK  # support: re-ranked by the request's support for their tools
    repair: bool = True
    max_retries: int = 2
    eval_size: int = DEFAULT_EVAL_SIZE
    data_dir: Path | None = None
    planner: str = "direct"
    fold: str | None = None  # "K/N": score fold K of the demonstration pool, not the slice
    workers: int = 1  # samples planned at once (each with its own decomposer)
    base_urls: list[str] | None = None  # --llm openai endpoints: worker i uses the i-th (mod)

    def fold_numbers(self) -> tuple[int, int] | None:
        """(K, N) of `fold`, or None when the evaluation slice is scored."""
        if self.fold is None:
            return None
        try:
            k, n = (int(part) for part in self.fold.split("/"))
        except ValueError as exc:
            raise ValueError(f"--fold must look like K/N (e.g. 0/5); got {self.fold!r}") from exc
        return k, n

    def validate(self) -> None:
        if self.split not in (ALL, *SPLITS):
            raise ValueError(f"--split must be one of all, {', '.join(SPLITS)}; got {self.split!r}")
        if self.limit is not None and self.limit < 1:
            raise ValueError(f"--limit must be at least 1, got {self.limit}")
        if self.offset < 0:
            raise ValueError(f"--offset must be 0 or more, got {self.offset}")
        if self.demos < 0:
            raise ValueError(f"--demos must be 0 or more, got {self.demos}")
        if self.max_retries < 0:
            raise ValueError(f"--max-retries must be 0 or more, got {self.max_retries}")
        if self.planner not in PLANNERS:
            raise ValueError(f"--planner must be graph or direct; got {self.planner!r}")
        if self.fold_numbers() is not None:
            k, n = self.fold_numbers()  # type: ignore[misc]
            if n < 2 or not 0 <= k < n:
                raise ValueError(f"--fold must be K/N with N >= 2 and 0 <= K < N; got {self.fold}")
        if self.workers < 1:
            raise ValueError(f"--workers must be at least 1, got {self.workers}")
        if self.base_urls and self.llm != "openai":
            raise ValueError(f"--base-url is for --llm openai, not {self.llm!r}")
        if self.demo_method not in DEMO_METHODS:
            raise ValueError(
                f"--demo-retrieval must be one of {', '.join(DEMO_METHODS)}; "
                f"got {self.demo_method!r}"
            )
        if self.demo_rerank not in DEMO_RERANKS:
            raise ValueError(f"--demo-rerank must be support or none; got {self.demo_rerank!r}")

    def planner_settings(self) -> dict[str, Any]:
        return {key: getattr(self, key) for key in PLANNER_SETTINGS}


@dataclass
class RunResult:
    """What a run planned and how it scored on the selected samples."""

    config: RunConfig
    selected_ids: list[str]
    planned_now: int
    records: dict[str, dict[str, Any]]
    scores: TaskBenchScores
    wall_seconds: float
    report: dict[str, Any] = field(default_factory=dict)
    first_answer_scores: TaskBenchScores | None = None
    failures: dict[str, Any] = field(default_factory=dict)
    repair_steps: dict[str, dict[str, Any]] | None = None
    planner_replay: dict[str, dict[str, Any]] | None = None
    predicted_by: dict[str, Any] | None = None  # code version that wrote run.json


def first_answer_scores(
    domain: TaskBenchDomain, records: dict[str, dict[str, Any]], ids: list[str]
) -> TaskBenchScores | None:
    """Scores of the model's first answers as they came (no repair, no feedback), on the
    same samples: what repair and retries add. None when a record lacks its first answer."""
    answers = {i: (r.get("toolpath") or {}).get("first_raw") for i, r in records.items()}
    if not ids or any(answers.get(i) is None for i in ids):
        return None
    return score_predictions(domain, {i: json_object(answers[i]) for i in ids}, ids)


def select_samples(split: DomainSplit, domain: TaskBenchDomain, config: RunConfig) -> list[str]:
    """The evaluation slice, filtered by type, then `offset` and `limit` applied."""
    types = {sample.id: sample.type for sample in domain.samples}
    ids = [i for i in split.eval_ids if config.split == ALL or types[i] == config.split]
    ids = ids[config.offset :]
    return ids if config.limit is None else ids[: config.limit]


def read_records(path: Path) -> dict[str, dict[str, Any]]:
    """Prediction lines by id; a torn or invalid line is dropped (and the file rewritten)."""
    if not path.is_file():
        return {}
    records: dict[str, dict[str, Any]] = {}
    kept, dropped = [], 0
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
            records[str(record["id"])] = record
            kept.append(line)
        except (json.JSONDecodeError, KeyError, TypeError):
            dropped += 1
    if dropped:
        with atomic_open(path, fsync=True) as handle:
            handle.write("".join(f"{line}\n" for line in kept))
    return records


def check_run_settings(out: Path, config: RunConfig) -> None:
    """Refuse to mix predictions made with other planner settings; record ours."""
    wanted = {"domain": config.domain, **config.planner_settings()}
    claim_run_folder(out, wanted, recorded_defaults=LEGACY_SETTINGS)


def demo_selector(
    domain: TaskBenchDomain, split: DomainSplit, config: RunConfig, used: list[str]
) -> Callable[[str, int], list[Any]]:
    """Retrieve solved examples from the demonstration pool only (never the eval slice),
    re-ranked by the request's support for their tools unless `demo_rerank` is none."""
    from toolpath.planners.decomposer import Example
    from toolpath.planners.demonstrations import SupportRanking
    from toolpath.planners.demonstrations import demo_selector as pool_selector

    by_id = domain.by_id()
    pool = [by_id[i] for i in split.demo_ids]
    evaluation = set(split.eval_ids)

    def record(chosen: list[int]) -> None:
        ids = [pool[index].id for index in chosen]
        leaked = [i for i in ids if i in evaluation]
        if leaked:
            raise RuntimeError(f"demonstration leak: {leaked} are in the evaluation slice")
        used[:] = ids

    ranking = None
    if config.demo_rerank == SUPPORT:
        from toolpath.evals.taskbench.graph_planning import pool_matcher
        from toolpath.tools.catalogs.taskbench import load_taskbench_catalog

        tools = load_taskbench_catalog(config.domain, config.data_dir).tools
        ranking = SupportRanking(pool_matcher(domain, split, tools))
    examples = [
        Example(
            request=s.user_request,
            task_steps=s.task_steps,
            task_nodes=s.task_nodes,
            task_links=s.task_links,
        )
        for s in pool
    ]
    return pool_selector(examples, config.demo_method, ranking, on_choice=record)


def build_decomposer(
    llm: ChatModel, domain: TaskBenchDomain, split: DomainSplit, config: RunConfig, used: list[str]
) -> Any:
    from toolpath.planners.decomposer import Decomposer
    from toolpath.planners.graph import ToolGraph
    from toolpath.tools.catalogs.taskbench import load_taskbench_catalog

    catalog = load_taskbench_catalog(config.domain, config.data_dir)
    selector = None
    if config.demos > 0:
        selector = demo_selector(domain, split, config, used)
    chooser = None
    if config.planner == "graph":
        from toolpath.evals.taskbench.graph_planning import graph_chooser

        chooser = graph_chooser(domain, split, config.data_dir)
    return Decomposer(
        llm,
        catalog,
        graph=ToolGraph.from_catalog(catalog),
        demo_selector=selector,
        k_demos=config.demos,
        max_retries=config.max_retries,
        repair=config.repair,
        tool_chooser=chooser,
    )


def plan_sample(decomposer: Any, sample: TaskBenchSample, used: list[str]) -> dict[str, Any]:
    """One prediction line for `sample` (never raises for a planner failure)."""
    from toolpath.planners.decomposer import DecompositionError

    used.clear()
    started = time.perf_counter()
    meta: dict[str, Any] = {"planner_failed": False}
    try:
        decomposition = decomposer.decompose(sample.user_request)
        result: dict[str, Any] | None = decomposition.taskbench
        meta.update(
            attempts=decomposition.attempts,
            errors=decomposition.notes,
            first_raw=decomposition.first_raw,
        )
        usage = decomposition.usage
    except DecompositionError as exc:
        result = json_object(exc.raw)
        meta.update(
            planner_failed=True,
            attempts=exc.attempts,
            errors=exc.notes,
            raw=exc.raw,
            first_raw=exc.first_raw,
        )
        usage = exc.usage
    except Exception as exc:  # the backend failed: record it, keep going
        result, usage = None, None
        meta.update(planner_failed=True, attempts=0, errors=[f"{type(exc).__name__}: {exc}"])
    meta["seconds"] = round(time.perf_counter() - started, 3)
    if usage is not None:
        meta.update(prompt_tokens=usage.prompt_tokens, completion_tokens=usage.completion_tokens)
    meta["demo_ids"] = list(used)
    return {
        "id": sample.id,
        "user_request": sample.user_request,
        "type": sample.type,
        "result": result,
        "toolpath": meta,
    }


def run_taskbench(
    config: RunConfig,
    llm: ChatModel | Sequence[ChatModel] | None = None,
    *,
    show_progress: bool = True,
    domain: TaskBenchDomain | None = None,
) -> RunResult:
    """Plan the selected samples not yet in `config.out`, then score and report them.
    `llm`: the chat model, or one per worker slot (default: `config`'s backend, one per
    endpoint)."""
    from toolpath.evals.taskbench.report import build_report, write_report

    config.validate()
    started = time.perf_counter()
    domain = domain or load_domain(config.domain, config.data_dir)
    split = split_domain(domain, config.eval_size)
    if (fold := config.fold_numbers()) is not None:
        split = split.pool_fold(*fold)
    selected = select_samples(split, domain, config)
    config.out.mkdir(parents=True, exist_ok=True)
    check_run_settings(config.out, config)
    path = config.out / PREDICTIONS_FILE
    records = read_records(path)
    todo = [i for i in selected if i not in records]
    planned = 0
    if todo:
        llms = _chat_models(config, llm)
        planned = plan_samples(llms, domain, split, config, todo, records, show_progress)
    chosen = {i: records[i] for i in selected}
    predictions = {i: r.get("result") for i, r in chosen.items()}
    scores = score_predictions(domain, predictions, selected)
    wall = time.perf_counter() - started
    result = RunResult(config, selected, planned, chosen, scores, wall)
    result.predicted_by = json.loads((config.out / RUN_FILE).read_text()).get("code")
    result.first_answer_scores = first_answer_scores(domain, chosen, selected)
    result.failures = failure_breakdown(domain, predictions, selected)
    result.repair_steps = repair_ablation(domain, chosen, selected, config.data_dir)
    result.planner_replay = replay_first_answers(domain, chosen, selected, split, config.data_dir)
    result.report = build_report(result)
    write_report(config.out, result.report)
    return result


def _chat_models(config: RunConfig, llm: ChatModel | Sequence[ChatModel] | None) -> list[ChatModel]:
    """The chat models the workers take in turn: those given, else the configured backend's
    (one per OpenAI-compatible endpoint)."""
    if llm is None:
        from toolpath.agent.llm import get_backends

        return get_backends(config.llm, base_urls=config.base_urls)
    return list(llm) if isinstance(llm, Sequence) else [llm]


def plan_samples(
    llms: list[ChatModel],
    domain: TaskBenchDomain,
    split: DomainSplit,
    config: RunConfig,
    todo: list[str],
    records: dict[str, dict[str, Any]],
    show_progress: bool,
) -> int:
    """Plan `todo` with `config.workers` decomposers at once, worker i asking `llms[i % n]`,
    each record appended to the predictions file as it comes (any order: scores follow the
    selected ids, not the file); the number planned."""
    from concurrent.futures import ThreadPoolExecutor, as_completed

    by_id, lock, local = domain.by_id(), threading.Lock(), threading.local()
    path, failures, numbers = config.out / PREDICTIONS_FILE, 0, itertools.count()

    def plan_one(sample_id: str) -> dict[str, Any]:
        if not hasattr(local, "decomposer"):  # one per worker: `used` is its own
            with lock:
                worker = next(numbers)
            llm = llms[worker % len(llms)]
            where = getattr(llm, "base_url", None) or type(llm).__name__
            log.info("worker %d plans with %s", worker, where)
            local.used = []
            local.decomposer = build_decomposer(llm, domain, split, config, local.used)
        return plan_sample(local.decomposer, by_id[sample_id], local.used)

    with (
        progress_bar(len(todo), show_progress) as advance,
        ThreadPoolExecutor(max_workers=config.workers) as pool,
    ):
        futures = {pool.submit(plan_one, sample_id): sample_id for sample_id in todo}
        for future in as_completed(futures):
            sample_id, record = futures[future], future.result()
            with lock:
                append_jsonl(path, record)
                records[sample_id] = record
                failures += record["toolpath"]["planner_failed"]
            advance(f"{failures} planner failures")
    return len(todo)


def config_json(config: RunConfig) -> dict[str, Any]:
    data = asdict(config)
    data["out"] = str(config.out)
    data["data_dir"] = None if config.data_dir is None else str(config.data_dir)
    return data
