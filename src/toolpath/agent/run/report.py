"""A self-contained HTML page of a run: plan graph, chosen paths, verdicts, replans, metrics.

No scripts, no external assets: inline CSS and an inline SVG of the plan DAG (layered by
topological generation). Every value is HTML-escaped: tool outputs are shown, never run.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

import networkx as nx

from toolpath.agent.events import RunEvent
from toolpath.agent.run.state import RunSummary
from toolpath.planners.plan import Plan
from toolpath.tools.files import atomic_write_text

_CSS = """
body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222}
h1{font-size:1.5em} h2{font-size:1.15em;margin-top:1.6em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.5em 0;font-size:.9em}
td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left;vertical-align:top}
th{background:#f3f3f3} .ok{color:#080;font-weight:600} .bad{color:#b00;font-weight:600}
.status{display:inline-block;padding:.2em .7em;border-radius:.3em;color:#fff}
.succeeded{background:#2a8a2a} .failed{background:#b22} .stopped{background:#c80}
.running,.paused{background:#888} code{font-size:.85em;word-break:break-all}
.events td{font-size:.85em}
"""
_BOX_W, _BOX_H, _GAP_X, _GAP_Y = 170, 46, 40, 36


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def plan_svg(plan: Plan, tools: dict[int, str], failed: set[int]) -> str:
    """The plan DAG as SVG: one row per topological generation, arrows for edges."""
    graph = plan.graph()
    if graph.number_of_nodes() == 0:
        return "<p>(empty plan)</p>"
    layers = [sorted(layer) for layer in nx.topological_generations(graph)]
    width = max(len(layer) for layer in layers) * (_BOX_W + _GAP_X) + _GAP_X
    height = len(layers) * (_BOX_H + _GAP_Y) + _GAP_Y
    where: dict[int, tuple[float, float]] = {}
    for row, layer in enumerate(layers):
        offset = (width - len(layer) * (_BOX_W + _GAP_X) + _GAP_X) / 2
        for col, node in enumerate(layer):
            where[node] = (offset + col * (_BOX_W + _GAP_X), _GAP_Y + row * (_BOX_H + _GAP_Y))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}">',
        '<defs><marker id="a" markerWidth="8" markerHeight="8" refX="7" refY="4" '
        'orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#666"/></marker></defs>',
    ]
    for src, dst in sorted(graph.edges()):
        (x1, y1), (x2, y2) = where[src], where[dst]
        parts.append(
            f'<line x1="{x1 + _BOX_W / 2:.0f}" y1="{y1 + _BOX_H:.0f}" x2="{x2 + _BOX_W / 2:.0f}" '
            f'y2="{y2:.0f}" stroke="#666" marker-end="url(#a)"/>'
        )
    for task in plan.subtasks:
        x, y = where[task.id]
        colour = "#fde2e2" if task.id in failed and task.id not in tools else "#e6f2e6"
        colour = colour if task.id in tools or task.id in failed else "#eef"
        parts.append(
            f'<rect x="{x:.0f}" y="{y:.0f}" width="{_BOX_W}" height="{_BOX_H}" rx="6" '
            f'fill="{colour}" stroke="#888"/>'
            f'<text x="{x + 8:.0f}" y="{y + 18:.0f}" font-size="12" font-weight="600">'
            f"{task.id}: {_e(task.capability[:22])}</text>"
            f'<text x="{x + 8:.0f}" y="{y + 36:.0f}" font-size="11" fill="#444">'
            f"{_e(tools.get(task.id, '')[:26])}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _table(headers: list[str], rows: list[list[str]], cls: str = "") -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="{cls}"><tr>{head}</tr>{body}</table>'


def _paths_html(events: list[RunEvent]) -> str:
    chunks = []
    for number, event in enumerate((e for e in events if e.kind == "path_chosen"), start=1):
        path = event.path
        rows = [
            [
                _e(s.subtask),
                _e(s.capability),
                _e(" -> ".join(s.tools)),
                f"{s.expected_cost:.2f}",
                f"{s.expected_quality:.3f}",
            ]
            for s in path.steps
        ]
        chunks.append(
            f"<p>path {number}: expected cost {path.expected_cost:.2f}s, expected quality "
            f"{path.expected_quality:.3f}, alpha {path.alpha:g}, {event.expanded} states "
            "expanded</p>"
            + _table(["sub-task", "capability", "tools", "exp. cost s", "exp. quality"], rows)
        )
    return "".join(chunks) or "<p>no path was chosen</p>"


def _event_row(event: RunEvent) -> list[str]:
    data = event.model_dump(mode="json", exclude={"run_id", "at", "kind", "plan", "path"})
    text = json.dumps(data, default=str)
    return [_e(event.kind), f"<code>{_e(text[:300])}</code>"]


def render_report(summary: RunSummary, events: list[RunEvent]) -> str:
    """The report as one HTML string."""
    plans = [e for e in events if e.kind == "plan_made"]
    plan = (
        Plan.model_validate(summary.plan) if summary.plan else (plans[-1].plan if plans else None)
    )
    ok_tools = {s.subtask: s.tool for s in summary.steps if s.ok}
    failed = {s.subtask for s in summary.steps if not s.ok}
    step_rows = [
        [
            _e(s.subtask),
            _e(s.capability),
            _e(" -> ".join(s.tools)),
            '<span class="ok">pass</span>' if s.ok else '<span class="bad">FAIL</span>',
            _e(s.reason),
            f"{s.seconds:.2f}" + (" (cached)" if s.cached else "") + f" + {s.verify_seconds:.2f}",
            "" if s.expected_cost is None else f"{s.expected_cost:.2f}",
        ]
        for s in summary.steps
    ]
    replans = [e for e in events if e.kind == "replanned"]
    replan_rows = [
        [
            _e(e.reason),
            _e(", ".join(f"{t}@{s}" for t, s in e.forbidden)),
            _e("" if e.redecomposed is None else e.redecomposed),
        ]
        for e in replans
    ]
    metrics = (summary.result or {}).get("metrics") or {}
    metric_rows = [[_e(k), f"{v:.4f}"] for k, v in metrics.items()]
    outputs = (summary.result or {}).get("outputs") or {}
    request = plan.request if plan is not None else ""
    sections = [
        f"<h1>toolpath run {_e(summary.run_id)}</h1>",
        f'<p><span class="status {_e(summary.status)}">{_e(summary.status)}</span> '
        f"{_e(summary.reason)}</p>",
        f"<p>request: <b>{_e(request)}</b></p>",
        f"<p>cost {summary.cost:.2f}s &middot; {len(summary.steps)} steps &middot; "
        f"{summary.replans} replans &middot; {summary.redecompositions} re-decompositions</p>",
        "<h2>Plan</h2>",
        plan_svg(plan, ok_tools, failed) if plan is not None else "<p>no plan</p>",
        "<h2>Chosen paths</h2>",
        _paths_html(events),
        "<h2>Steps and verdicts</h2>",
        _table(
            ["sub-task", "capability", "tools", "verdict", "reason", "run + check s", "exp. cost"],
            step_rows,
        ),
        "<h2>Replans</h2>",
        _table(["why", "forbidden", "re-decomposed"], replan_rows) if replans else "<p>none</p>",
        "<h2>Result</h2>",
        _table(["metric", "value"], metric_rows) if metric_rows else "<p>no metrics</p>",
        _table(
            ["sub-task", "output"], [[_e(k), f"<code>{_e(v)}</code>"] for k, v in outputs.items()]
        ),
        "".join(f"<p><i>note: {_e(n)}</i></p>" for n in summary.notes),
        "<h2>Events</h2>",
        _table(["event", "data"], [_event_row(e) for e in events], "events"),
    ]
    body = "\n".join(sections)
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        f"<title>toolpath run {_e(summary.run_id)}</title><style>{_CSS}</style></head>"
        f"<body>{body}</body></html>"
    )


def write_report(path: str | Path, summary: RunSummary, events: list[RunEvent]) -> Path:
    """Write the report atomically."""
    return atomic_write_text(path, render_report(summary, events))
