"""How much each scored set shares with its demonstrations: the share of scored samples
whose gold tool set (and whose whole gold graph: tools and links) some demonstration has.
TaskBench draws several requests from one tool sub-graph, so a fold can be easier than the
evaluation slice only by holding more such twins; this measures it for the slice (against
the whole pool) and for each pool fold (against the other folds). No LLM call.

    python -m toolpath.evals.taskbench.overlap --domain huggingface --folds 5 --json
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from typing import Any

from toolpath.evals.provenance import provenance
from toolpath.evals.taskbench.loader import (
    DomainSplit,
    TaskBenchSample,
    load_domain,
    split_domain,
)

DOMAINS = ("huggingface", "multimedia", "dailylifeapis")


def tool_set(sample: TaskBenchSample) -> tuple[str, ...]:
    return tuple(sorted(node["task"] for node in sample.task_nodes))


def gold_graph(sample: TaskBenchSample) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    links = sorted((link["source"], link["target"]) for link in sample.task_links)
    return tool_set(sample), tuple(links)


def shared(split: DomainSplit, samples: dict[str, TaskBenchSample]) -> dict[str, float | int]:
    """Percent of `split.eval_ids` whose tool set / gold graph a demonstration has."""
    sets = Counter(tool_set(samples[i]) for i in split.demo_ids)
    graphs = Counter(gold_graph(samples[i]) for i in split.demo_ids)
    scored = split.eval_ids
    return {
        "scored": len(scored),
        "same_tool_set": round(
            100 * sum(tool_set(samples[i]) in sets for i in scored) / len(scored), 1
        ),
        "same_graph": round(
            100 * sum(gold_graph(samples[i]) in graphs for i in scored) / len(scored), 1
        ),
    }


def domain_overlap(name: str, folds: int) -> dict[str, Any]:
    """The slice's overlap with the pool, and each pool fold's with the other folds."""
    domain = load_domain(name)
    samples, split = domain.by_id(), split_domain(domain)
    per_fold = [shared(split.pool_fold(k, folds), samples) for k in range(folds)]
    return {
        "slice": shared(split, samples),
        "folds": per_fold,
        "folds_mean_same_tool_set": round(sum(f["same_tool_set"] for f in per_fold) / folds, 1),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--domain", action="append", choices=DOMAINS, help="default: all three")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="one line instead of indented")
    args = parser.parse_args(argv)
    out: dict[str, Any] = {d: domain_overlap(d, args.folds) for d in args.domain or DOMAINS}
    out["provenance"] = provenance(argv)
    sys.stdout.write(json.dumps(out, indent=None if args.json else 1) + "\n")


if __name__ == "__main__":
    main()
