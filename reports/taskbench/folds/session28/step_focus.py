"""Session 28: the step matcher on a step cut to what it does (measured, left out).

The matcher keys on every word of a step, so a step that names where its input came from
is matched to that tool: "Generate an audio of the classification result" to Audio
Classification (p 0.93), "Generate a detailed description based on the translated result"
to Translation. Here each step is also matched with such phrases cut ("of the ... result",
"based on the ... output", "from step 2"), and the two log-probabilities mixed (alpha: the
weight of the whole step; 0 = the cut step only). No LLM call: the pool folds' first
answers replayed with the default graph planner.

    python reports/taskbench/folds/session28/step_focus.py > \
        reports/taskbench/folds/session28/step_focus.txt
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "session27"))
from error_analysis import folders

from toolpath.evals.taskbench.choice_grid import _Fold
from toolpath.planners.graph_planner import GraphToolChooser

_RESULT = (
    r"(?:result|results|output|outputs|answer|text|description|summary|transcription"
    r"|information|info)"
)
_SOURCE = re.compile(
    r"\s*\b(?:based on|according to|of|from|using the output of|on)\s+(?:the\s+)?"
    r"(?:[\w-]+\s+){0,3}?" + _RESULT + r"\b(?:\s+(?:of|from)\s+(?:step\s*\d+|the previous step))?"
    r"|\s*\b(?:from|of|in)\s+(?:step\s*\d+|the previous step)\b",
    re.IGNORECASE,
)


def cut(step: str) -> str:
    """The step without the phrases that say where its input came from."""
    out = _SOURCE.sub("", step)
    return out if len(out.split()) >= 2 else step


class CutSteps:
    """A matcher whose log-probabilities mix the whole step's and the cut step's."""

    def __init__(self, matcher: Any, alpha: float) -> None:
        self.matcher, self.alpha, self.names = matcher, alpha, matcher.names

    def log_probs(self, steps: list[str]) -> np.ndarray:
        whole = self.matcher.log_probs(steps)
        return self.alpha * whole + (1 - self.alpha) * self.matcher.log_probs(
            [cut(s) for s in steps]
        )


def main() -> None:
    for domain in ("huggingface", "multimedia", "dailylifeapis"):
        totals: dict[str, dict[str, float]] = {}
        for folder in folders(domain):
            fold = _Fold.read(domain, folder)
            m, g, c = fold.matcher, fold.graph, fold.cues
            choosers: dict[str, GraphToolChooser | None] = {
                "default": GraphToolChooser(m, g, cues=c),
                "cut steps (alpha 0)": GraphToolChooser(CutSteps(m, 0.0), g, cues=c),
                "mixed (alpha 0.5)": GraphToolChooser(CutSteps(m, 0.5), g, cues=c),
            }
            for name, row in fold.replay(choosers).items():
                scores = {k: round(100 * row[k], 1) for k in ("n_f1", "e_f1", "v_f1")}
                print(domain, folder.name, name, scores)
                total = totals.setdefault(name, {"n_f1": 0, "e_f1": 0, "v_f1": 0, "n": 0})
                for k in ("n_f1", "e_f1", "v_f1"):
                    total[k] += row[k] * row["samples"]
                total["n"] += row["samples"]
        for name, t in totals.items():
            pooled = {k: round(100 * t[k] / t["n"], 2) for k in ("n_f1", "e_f1", "v_f1")}
            print(domain, "POOLED", name, pooled, "samples", int(t["n"]))


if __name__ == "__main__":
    main()
