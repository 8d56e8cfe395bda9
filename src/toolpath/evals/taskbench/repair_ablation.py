"""What each repair step adds: the model's first answers (kept in the predictions file)
are repaired again offline, with every step, then with each step left out, and scored.
No LLM call is made, so this runs in seconds on a finished run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from toolpath.evals.taskbench.loader import TaskBenchDomain
from toolpath.evals.taskbench.metrics import ALL, score_predictions
from toolpath.planners.decomposer import PlanRepairer, plan_from_taskbench, plan_to_taskbench

AS_ANSWERED = "first answer as it came"
ALL_STEPS = "every repair step (no feedback)"


def json_object(raw: str | None) -> dict[str, Any] | None:
    """The model's answer as a JSON object, or None when it is not one."""
    try:
        answer = json.loads(raw or "")
    except (json.JSONDecodeError, TypeError):
        return None
    return answer if isinstance(answer, dict) else None


def _repaired(
    answer: dict[str, Any] | None,
    request: str,
    repairer: PlanRepairer,
    style: str,
    skip: tuple[str, ...],
) -> dict[str, Any] | None:
    if answer is None:
        return None
    answer, _ = repairer.repair_answer(answer, skip=skip)
    try:
        plan = plan_from_taskbench(answer, request, style)
    except (ValueError, TypeError, AttributeError):
        return answer  # what the planner could not read is scored as the model wrote it
    repaired, _ = repairer.repair(plan, fix_edges=True, skip=skip)
    return plan_to_taskbench(repaired, style)


def repair_ablation(
    domain: TaskBenchDomain,
    records: dict[str, dict[str, Any]],
    ids: list[str],
    data_dir: str | Path | None = None,
) -> dict[str, dict[str, Any]] | None:
    """Strict scores over all samples per variant: the first answers as they came, with
    every repair step, and with each step left out. None when a first answer is missing."""
    from toolpath.planners.graph import ToolGraph
    from toolpath.tools.catalogs.taskbench import load_taskbench_catalog

    raws = {i: (records[i].get("toolpath") or {}).get("first_raw") for i in ids}
    if not ids or any(raw is None for raw in raws.values()):
        return None
    catalog = load_taskbench_catalog(domain.name, data_dir)
    repairer = PlanRepairer(catalog.names(), ToolGraph.from_catalog(catalog))
    answers = {i: json_object(raw) for i, raw in raws.items()}
    requests = {i: str(records[i].get("user_request", "")) for i in ids}

    def scored(predictions: dict[str, Any]) -> dict[str, Any]:
        return score_predictions(domain, predictions, ids).strict[ALL]

    def repaired_all(skip: tuple[str, ...]) -> dict[str, Any]:
        style = catalog.argument_style
        return {i: _repaired(answers[i], requests[i], repairer, style, skip) for i in ids}

    variants = {AS_ANSWERED: scored(answers), ALL_STEPS: scored(repaired_all(()))}
    for step in (*PlanRepairer.ANSWER_STEPS, *PlanRepairer.STEPS):
        variants[f"without {step.replace('_', ' ')}"] = scored(repaired_all((step,)))
    return variants
