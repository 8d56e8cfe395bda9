"""Every run of the blind function-call sets, one table, read from the committed reports.

Usage: python reports/functions/blind_runs.py > reports/functions/blind_runs.md

A set's first run is its blind measurement; later runs came after code changes (some after
its failures were read: see docs/history/function-calls.md for which).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SETS = ["heldout", "fresh", *(f"fresh{n}" for n in range(2, 29))]
RUNS = ["", "second-run", "third-run"]
CATEGORIES = ["simple", "multiple", "parallel", "parallel_multiple", "irrelevance"]
TOOLPATH = "toolpath tags-free"


def _cell(summary: dict, category: str, system: str) -> str:
    row = summary.get(category, {})
    return str(row[system]) if system in row else "-"


def _seconds(rows: list[dict], system: str) -> str:
    times = [r["systems"][system]["seconds"] for r in rows if system in r["systems"]]
    return f"{sum(times) / len(times):.1f}" if times else "-"


def _line(name: str, run: str, report: dict) -> str:
    summary = report["summary"]
    commit = report["provenance"]["code"]["git_commit"][:7]
    cells = [f"{_cell(summary, c, TOOLPATH)} / {_cell(summary, c, 'direct')}" for c in CATEGORIES]
    total = summary["all"]
    share = 100 * total[TOOLPATH] / total["questions"]
    direct = total.get("direct", "-")
    return (
        f"| {name} | {run or 'first (blind)'} | {commit} | "
        + " | ".join(cells)
        + f" | {total[TOOLPATH]} / {direct} of {total['questions']} ({share:.0f}%)"
        + f" | {_seconds(report['rows'], TOOLPATH)} / {_seconds(report['rows'], 'direct')} |"
    )


def main() -> None:
    header = ["set", "run", "code", *CATEGORIES, "all", "s / question"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    blind_right = blind_direct = blind_questions = 0
    for name in SETS:
        for run in RUNS:
            path = HERE / name / run / "functions.json"
            if not path.exists():
                continue
            report = json.loads(path.read_text())
            lines.append(_line(name, run, report))
            if not run:
                total = report["summary"]["all"]
                blind_right += total[TOOLPATH]
                blind_direct += total.get("direct", 0)
                blind_questions += total["questions"]
    lines.append("")
    lines.append(
        f"Cells: toolpath / the model asked directly. First (blind) runs pooled: toolpath "
        f"{blind_right} of {blind_questions} ({100 * blind_right / blind_questions:.0f}%), "
        f"direct {blind_direct} ({100 * blind_direct / blind_questions:.0f}%)."
    )
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
