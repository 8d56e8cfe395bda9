"""Session 31: steps that name a catalogue tool ("... using Document Question Answering"),
on the huggingface and multimedia pool folds (no LLM call: the folds' first answers
replayed). Is the named tool in the label, and which tool does the graph planner end with
for that step: the named one, another the label has, or one it lacks?

    python reports/taskbench/folds/session31/named_tools.py > \
        reports/taskbench/folds/session31/named_tools.txt
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "session27"))
from error_analysis import folders, plan

from toolpath.evals.taskbench.choice_grid import _Fold
from toolpath.planners.alignment import node_tools
from toolpath.planners.plan import Plan
from toolpath.tools.catalogs.taskbench import load_taskbench_catalog

DOMAINS = ("huggingface", "multimedia")


def naming(tools: list[str]) -> re.Pattern[str]:
    """A tool named after a verb or preposition of use ("using the X", "with X")."""
    alternatives = "|".join(re.escape(name) for name in sorted(tools, key=len, reverse=True))
    verbs = r"using|use|with|via|by|through|apply|run"
    return re.compile(rf"\b(?:{verbs})\s+(?:the\s+|an?\s+)?({alternatives})\b", re.I)


def tally(domain: str) -> Counter[str]:
    catalog = load_taskbench_catalog(domain)
    names = {tool.name.lower(): tool.name for tool in catalog.tools}
    pattern, counts = naming(list(names.values())), Counter()
    for folder in folders(domain):
        fold = _Fold.read(domain, folder)
        chooser, by_id = fold.chooser(cues=fold.cues), fold.domain.by_id()
        for sample_id in fold.split.eval_ids:
            record = fold.records.get(sample_id)
            if record is None:
                continue
            seen: list[Plan] = []

            def recording(p: Plan, _chooser=chooser, _seen=seen):
                _seen.append(p)
                out = _chooser(p)
                _seen.append(out[0])
                return out

            if plan(fold, catalog, record, recording) is None or len(seen) < 2:
                continue
            before, after = seen[0], seen[1]
            if len(after.subtasks) < len(before.subtasks):  # stepless nodes dropped
                continue
            gold = set(node_tools(by_id[sample_id].task_nodes))
            for task, chosen in zip(before.subtasks, after.subtasks, strict=False):
                found = pattern.search(task.description or "")
                if found is None:
                    continue
                named, final = names[found.group(1).lower()], chosen.capability
                ends = "=named" if final == named else ("in" if final in gold else "out")
                counts[f"named {'in' if named in gold else 'out'}; final {ends}"] += 1
    return counts


if __name__ == "__main__":
    for domain in DOMAINS:
        print(domain, dict(sorted(tally(domain).items())), flush=True)
