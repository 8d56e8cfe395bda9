"""TaskBench reports (markdown + JSON) beside the published leaderboard rows."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from statistics import fmean, median
from typing import TYPE_CHECKING, Any

from toolpath.evals.provenance import provenance
from toolpath.evals.taskbench.loader import SPLITS
from toolpath.evals.taskbench.metrics import ALL

if TYPE_CHECKING:
    from toolpath.evals.taskbench.runner import RunResult

# TaskBench README leaderboard (n-F1 / e-F1 / v-F1, percent), as quoted in DESIGN.md.
# Measured by TaskBench's authors on the full public test sets, not on toolpath's slice.
PUBLISHED: dict[str, dict[str, tuple[float, float, float]]] = {
    "gpt-4": {
        "huggingface": (81.54, 54.70, 60.86),
        "multimedia": (90.90, 69.27, 72.31),
        "dailylifeapis": (96.91, 80.53, 71.14),
    },
    "gpt-3.5-turbo": {
        "huggingface": (69.49, 33.36, 36.32),
        "multimedia": (72.83, 44.02, 40.80),
        "dailylifeapis": (85.37, 60.67, 55.66),
    },
}
COLUMNS = ("n_f1", "e_f1", "t_f1", "v_f1", "ned", "rouge1", "rouge2")
HEADERS = ("n-F1", "e-F1", "t-F1", "v-F1", "NED", "R1", "R2")


def published_rows(domain: str) -> dict[str, dict[str, float]]:
    """The published rows for `domain`, as fractions (empty for an unknown domain)."""
    rows = {}
    for system, by_domain in PUBLISHED.items():
        if domain in by_domain:
            n, e, v = by_domain[domain]
            rows[system] = {"n_f1": n / 100, "e_f1": e / 100, "v_f1": v / 100}
    return rows


def planner_stats(records: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Time, attempts, tokens and failures of the planner over the selected records."""
    meta = [r.get("toolpath") or {} for r in records.values()]
    seconds = [m["seconds"] for m in meta if "seconds" in m]
    attempts = [m["attempts"] for m in meta if m.get("attempts")]
    return {
        "samples": len(records),
        "planner_failures": sum(bool(m.get("planner_failed")) for m in meta),
        "seconds_per_sample": round(fmean(seconds), 2) if seconds else None,
        "median_seconds_per_sample": round(median(seconds), 2) if seconds else None,
        "planning_seconds": round(sum(seconds), 1),
        "mean_attempts": round(fmean(attempts), 2) if attempts else None,
        "prompt_tokens": sum(m.get("prompt_tokens", 0) for m in meta),
        "completion_tokens": sum(m.get("completion_tokens", 0) for m in meta),
    }


def build_report(result: RunResult) -> dict[str, Any]:
    from toolpath.evals.taskbench.runner import config_json

    return {
        "domain": result.config.domain,
        "config": config_json(result.config),
        "selected": len(result.selected_ids),
        "planned_now": result.planned_now,
        "wall_seconds": round(result.wall_seconds, 1),
        "scores": result.scores.to_json(),
        "first_answer_scores": (
            result.first_answer_scores.to_json() if result.first_answer_scores else None
        ),
        "unparsable_ids": result.scores.unparsable_ids,
        "failures": result.failures,
        "repair_steps": result.repair_steps,
        "planner_replay": result.planner_replay,
        "provenance": provenance(),
        "predicted_by": result.predicted_by,
        "planner": planner_stats(result.records),
        "published": published_rows(result.config.domain),
    }


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.2f}"


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def scores_table(
    scores: dict[str, Any],
    published: dict[str, dict[str, float]],
    first_answer: dict[str, Any] | None = None,
) -> list[str]:
    """Headline (strict), reference, the model's first answers (strict) when known, and
    the published rows, over all samples."""
    lines = [
        _row(("system", *HEADERS, "samples")),
        _row(("---",) * (len(HEADERS) + 2)),
    ]
    views = [(scores["strict"], "toolpath (strict)"), (scores["reference"], "toolpath (reference)")]
    if first_answer:
        views.append((first_answer["strict"], "first answer, no repair/feedback (strict)"))
    for view, label in views:
        row = view[ALL]
        lines.append(_row((label, *(_pct(row[c]) for c in COLUMNS), str(row["samples"]))))
    for system, row in published.items():
        cells = [_pct(row.get(c)) for c in COLUMNS]
        lines.append(_row((f"{system} (published)", *cells, "full test set")))
    return lines


def split_table(scores: dict[str, Any], view: str = "strict") -> list[str]:
    lines = [_row(("split", *HEADERS, "samples")), _row(("---",) * (len(HEADERS) + 2))]
    for split in (ALL, *SPLITS):
        row = scores[view][split]
        lines.append(_row((split, *(_pct(row[c]) for c in COLUMNS), str(row["samples"]))))
    return lines


def failures_section(failures: dict[str, Any] | None) -> list[str]:
    """Each sample's failure class (the first that fits, in this order) and the tools
    most often missed or added."""
    if not failures:
        return []
    classes = failures["classes"]
    lines = [
        "## Where points are lost",
        "",
        _row(tuple(name.replace("_", " ") for name in classes)),
        _row(("---",) * len(classes)),
        _row(tuple(str(n) for n in classes.values())),
        "",
    ]
    for key, label in (("missed_tools", "most often missed"), ("added_tools", "most often added")):
        listed = ", ".join(f"{name} ({n})" for name, n in failures[key]) or "none"
        lines.append(f"- tools {label}: {listed}")
    return [*lines, ""]


def planner_replay_section(variants: dict[str, dict[str, Any]] | None) -> list[str]:
    """Direct and graph tool choice on the same first answers (offline, no LLM call)."""
    if not variants:
        return []
    lines = [
        "## Direct vs graph planner on the same first answers (offline replay, strict)",
        "",
        "The graph planner sends the model the same prompt, so its first answer is the",
        "same; what differs is who picks each step's tool. No feedback rounds here.",
        "",
        _row(("planner", *HEADERS, "samples")),
        _row(("---",) * (len(HEADERS) + 2)),
    ]
    for name, row in variants.items():
        lines.append(_row((name, *(_pct(row[c]) for c in COLUMNS), str(row["samples"]))))
    return [*lines, ""]


def repair_steps_section(variants: dict[str, dict[str, Any]] | None) -> list[str]:
    """The first answers re-repaired offline: all steps, and each step left out."""
    if not variants:
        return []
    lines = [
        "## Repair steps (the first answers repaired again offline, strict)",
        "",
        "No feedback here: what the repair alone makes of the model's first answers, and",
        "what is lost when one step is left out (a step that helps scores lower without it).",
        "",
        _row(("variant", *HEADERS, "samples")),
        _row(("---",) * (len(HEADERS) + 2)),
    ]
    for name, row in variants.items():
        lines.append(_row((name, *(_pct(row[c]) for c in COLUMNS), str(row["samples"]))))
    return [*lines, ""]


def _version(code: Any) -> str:
    """A recorded code version (a provenance `code` object) as one string."""
    if isinstance(code, dict):
        return str(code.get("version") or "unrecorded")
    return str(code or "unrecorded")


def _where(config: dict[str, Any]) -> str:
    if config.get("fold"):
        return (
            f"fold {config['fold']} of the demonstration pool (cross-validation; the other "
            "folds give the demonstrations and train the matcher)"
        )
    return f"the evaluation slice (first {config['eval_size']} of the stratified order)"


def render_markdown(report: dict[str, Any]) -> str:
    """The report as markdown: headline table, per-split table, planner statistics."""
    scores, planner, config = report["scores"], report["planner"], report["config"]
    settings = (
        f"planner `{config.get('planner', 'direct')}`, "
        f"llm `{config['llm']}`, {config['demos']} demonstrations"
        f" ({config['demo_method']}), repair {'on' if config['repair'] else 'off'},"
        f" max retries {config['max_retries']}"
    )
    lines = [
        f"# TaskBench: {report['domain']}",
        "",
        f"{report['selected']} samples of {_where(config)}; split `{config['split']}`, "
        f"offset {config['offset']}; {settings}. Scored by code "
        f"`{_version((report.get('provenance') or {}).get('code'))}`; predictions made "
        f"by `{_version(report.get('predicted_by'))}`.",
        "",
        "Scores in percent (NED: lower is better). `strict` scores an unparsable prediction "
        "as an empty plan (the headline); `reference` drops it, as TaskBench's evaluate.py "
        "does. `first answer` scores the model's first answers as they came, on the same "
        "samples: what the graph-aware repair and the feedback retries add. Published rows "
        "are TaskBench's leaderboard, measured on the full test sets.",
        "",
        *scores_table(scores, report["published"], report.get("first_answer_scores")),
        "",
        "## Per split (strict)",
        "",
        *split_table(scores),
        "",
        *failures_section(report.get("failures")),
        *planner_replay_section(report.get("planner_replay")),
        *repair_steps_section(report.get("repair_steps")),
        "## Planner",
        "",
        f"- unparsable predictions: {scores['unparsable']}",
        f"- planner failures (no valid plan after retries): {planner['planner_failures']}",
        f"- seconds per sample: {planner['seconds_per_sample']} mean,"
        f" {planner.get('median_seconds_per_sample')} median"
        f" (planning {planner['planning_seconds']} s; this invocation {report['wall_seconds']} s)",
        f"- mean attempts: {planner['mean_attempts']}",
        f"- tokens read / written: {planner['prompt_tokens']} / {planner['completion_tokens']}",
        "",
    ]
    return "\n".join(lines)


def write_report(out: Path, report: dict[str, Any]) -> None:
    from toolpath.tools.files import atomic_write_text

    atomic_write_text(out / "report.json", json.dumps(report, indent=2) + "\n")
    atomic_write_text(out / "report.md", render_markdown(report))


def combined_markdown(reports: Sequence[dict[str, Any]]) -> str:
    """One table across domains: toolpath (strict) beside the published rows."""
    headers = (
        "domain",
        "system",
        "n-F1",
        "e-F1",
        "t-F1",
        "v-F1",
        "parse failures",
        "samples",
        "s/sample",
    )
    lines = [_row(headers), _row(("---",) * len(headers))]
    f1s = ("n_f1", "e_f1", "t_f1", "v_f1")
    for report in reports:
        domain, row = report["domain"], report["scores"]["strict"][ALL]
        config = report["config"]
        label = f"toolpath ({config['demos']} demos, repair {'on' if config['repair'] else 'off'})"
        seconds = report["planner"]["seconds_per_sample"]
        lines.append(
            _row(
                (
                    domain,
                    label,
                    *(_pct(row[c]) for c in f1s),
                    str(report["scores"]["unparsable"]),
                    str(row["samples"]),
                    "–" if seconds is None else f"{seconds:.1f}",
                )
            )
        )
        first = report.get("first_answer_scores")
        if first:
            unparsable = str(first["unparsable"])
            cells = [_pct(first["strict"][ALL][c]) for c in f1s]
            label = "its first answers (no repair, no feedback)"
            lines.append(_row((domain, label, *cells, unparsable, str(row["samples"]), "–")))
        for system, published in report["published"].items():
            cells = [_pct(published.get(c)) for c in ("n_f1", "e_f1", "t_f1", "v_f1")]
            lines.append(_row((domain, f"{system} (published)", *cells, "–", "test set", "–")))
    return "\n".join(lines) + "\n"
