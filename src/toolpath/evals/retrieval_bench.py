"""`toolpath bench retrieval`: BM25, dense and hybrid retrieval measured side by side.

Two retrieval sets come from the TaskBench development data (every domain's data.jsonl):
- tools: query = a sample's user_request, relevant = the tools of its gold task_nodes,
  corpus = the domain's tool catalogue;
- demos: query = a sample's user_request, relevant = the other samples of the domain with
  exactly the same tool set, corpus = the domain's other requests (never the query itself).
Latency is per query over 10,000 synthetic tool descriptions (deterministic), and the dense
top-10 is checked against an exact float64 brute-force ranking.
"""

from __future__ import annotations

import json
import random
import statistics
import time
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer

from toolpath.evals.provenance import provenance
from toolpath.tools.catalogs.taskbench import DOMAINS, domain_dir, load_taskbench_catalog
from toolpath.tools.evaluation.metrics import mean_metrics
from toolpath.tools.retrieval import DemoRetriever, ToolRetriever
from toolpath.tools.spec import ToolSpec

METHODS = ("bm25", "dense", "hybrid")

_ACTIONS = (
    "convert",
    "summarize",
    "translate",
    "classify",
    "detect",
    "segment",
    "transcribe",
    "generate",
    "filter",
    "rank",
    "cluster",
    "compress",
    "validate",
    "extract",
    "merge",
    "split",
    "tag",
    "forecast",
    "score",
    "deduplicate",
    "anonymize",
    "caption",
    "resize",
    "align",
    "normalize",
    "index",
    "search",
    "schedule",
    "book",
    "track",
)
_OBJECTS = (
    "images",
    "audio clips",
    "invoices",
    "emails",
    "videos",
    "tables",
    "molecules",
    "contracts",
    "tweets",
    "medical notes",
    "weather reports",
    "flight tickets",
    "hotel rooms",
    "stock prices",
    "product reviews",
    "source code",
    "maps",
    "podcasts",
    "receipts",
    "news articles",
    "song lyrics",
    "satellite photos",
    "chat logs",
    "spreadsheets",
    "sensor readings",
    "recipes",
    "legal filings",
    "movie subtitles",
    "calendar events",
    "shipping labels",
    "patents",
    "résumés",
    "x-ray scans",
    "bank statements",
    "poems",
    "lecture slides",
    "road signs",
    "bird songs",
    "survey answers",
    "timetables",
)
_MODIFIERS = (
    "in bulk",
    "in real time",
    "with high accuracy",
    "on a budget",
    "for mobile devices",
    "in many languages",
    "offline",
    "with a human in the loop",
    "at low latency",
    "from noisy inputs",
    "with explanations",
    "into structured JSON",
    "step by step",
    "for accessibility",
    "securely",
    "incrementally",
    "with confidence scores",
    "for small teams",
    "at scale",
    "from scanned pages",
)
_TYPES = ("text", "image", "audio", "video", "dataset", "documents", "metrics")


def synthetic_tools(n: int = 10_000, seed: int = 0) -> list[ToolSpec]:
    """`n` distinct tool descriptions built deterministically from word lists."""
    rng = random.Random(seed)
    combos = [(a, o, m) for a in _ACTIONS for o in _OBJECTS for m in _MODIFIERS]
    chosen = rng.sample(combos, n)
    specs = []
    for i, (action, obj, modifier) in enumerate(chosen):
        doc = (
            f"{action.capitalize()} {obj} {modifier}. A service that can {action} "
            f"{obj} {modifier}, for teams working with {rng.choice(_OBJECTS)}."
        )
        specs.append(
            ToolSpec(
                name=f"{action}_{obj.replace(' ', '_')}_{i}",
                doc=doc,
                inputs=[rng.choice(_TYPES)],
                outputs=[rng.choice(_TYPES)],
            )
        )
    return specs


def load_samples(domain: str, data_dir: Path | None) -> list[dict[str, Any]]:
    path = domain_dir(domain, data_dir) / "data.jsonl"
    samples = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            tools = frozenset(node["task"] for node in record.get("task_nodes", []))
            if tools and record.get("user_request"):
                samples.append({"request": record["user_request"], "tools": tools})
    return samples


def _score(runs: list[list[Any]], qrels: list[Any]) -> dict[str, float]:
    metrics = mean_metrics(runs, qrels, ks=(5, 10))
    return {"recall_at_5": metrics["recall_at_5"], "ndcg_at_10": metrics["ndcg_at_10"]}


def tool_retrieval(domain_samples: dict[str, list[dict]], data_dir: Path | None) -> dict:
    results = {}
    for method in METHODS:
        runs, qrels = [], []
        for domain, samples in domain_samples.items():
            retriever = ToolRetriever(load_taskbench_catalog(domain, data_dir).tools, method)
            for sample in samples:
                runs.append([name for name, _ in retriever.search(sample["request"], 10)])
                qrels.append(sample["tools"])
        results[method] = _score(runs, qrels)
    results["queries"] = len(runs)
    return results


def demo_retrieval(domain_samples: dict[str, list[dict]], limit: int | None) -> dict:
    results = {}
    for method in METHODS:
        runs, qrels = [], []
        for samples in domain_samples.values():
            retriever = DemoRetriever([s["request"] for s in samples], method)
            for i, sample in enumerate(samples[:limit] if limit else samples):
                relevant = {
                    j
                    for j, other in enumerate(samples)
                    if j != i and other["tools"] == sample["tools"]
                }
                if not relevant:
                    continue
                hits = [j for j, _ in retriever.search(sample["request"], 11) if j != i]
                runs.append(hits[:10])
                qrels.append(relevant)
        results[method] = _score(runs, qrels)
    results["queries"] = len(runs)
    return results


def latency(queries: list[str], n_docs: int) -> dict[str, Any]:
    """Per-query p50 over `n_docs` synthetic tools, build times, and the brute-force check."""
    specs = synthetic_tools(n_docs)
    p50, build = {}, {}
    retrievers = {}
    for method in METHODS:
        start = time.perf_counter()
        retrievers[method] = ToolRetriever(specs, method)
        build[method] = time.perf_counter() - start
        timings = []
        for query in queries:
            start = time.perf_counter()
            retrievers[method].search(query, 10)
            timings.append((time.perf_counter() - start) * 1000)
        p50[method] = statistics.median(timings)
    dense = retrievers["dense"].index
    exact64 = np.asarray(dense.embeddings, dtype=np.float64)
    from toolpath.tools.retrieval.embedder import embed

    agreement = []
    for query in queries:
        exact = exact64 @ embed([query])[0].astype(np.float64)
        truth = {dense.ids[i] for i in np.argsort(-exact)[:10]}
        found = {doc_id for doc_id, _ in dense.search(query, 10)}
        agreement.append(len(truth & found) / 10)
    return {
        "p50_ms_per_query_10k": p50,
        "build_seconds_10k": build,
        "dense_exact_agreement_at_10": float(np.mean(agreement)),
        "latency_docs": n_docs,
        "latency_queries": len(queries),
        "note": "hybrid's build reuses the dense embeddings memoised in this process",
    }


def run_benchmark(
    data_dir: Path | None = None,
    domains: list[str] | None = None,
    limit: int | None = None,
    latency_docs: int = 10_000,
    latency_queries: int = 50,
) -> dict[str, Any]:
    domains = domains or list(DOMAINS)
    domain_samples = {d: load_samples(d, data_dir) for d in domains}
    limited = {d: s[:limit] if limit else s for d, s in domain_samples.items()}
    pool = [s["request"] for samples in limited.values() for s in samples]
    queries = random.Random(0).sample(pool, min(latency_queries, len(pool)))
    start = time.perf_counter()
    tools = tool_retrieval(limited, data_dir)
    demos = demo_retrieval(domain_samples, limit)
    report = {
        "tools": tools,
        "demos": demos,
        **latency(queries, latency_docs),
        "n_queries": {"tools": tools.pop("queries"), "demos": demos.pop("queries")},
        "domains": domains,
    }
    report["seconds"] = time.perf_counter() - start
    report["provenance"] = provenance()
    return report


def _table(report: dict[str, Any]) -> Any:
    from rich.table import Table

    n = report["latency_docs"]
    table = Table(title=f"Retrieval on TaskBench ({', '.join(report['domains'])})")
    for column in (
        "method",
        "tools R@5",
        "tools nDCG@10",
        "demos R@5",
        "demos nDCG@10",
        f"p50 ms/query @{n}",
        "latency ÷ bm25",
        f"build s @{n}",
    ):
        table.add_column(column, justify="left" if column == "method" else "right")
    base = report["p50_ms_per_query_10k"]["bm25"] or 1e-9
    for method in METHODS:
        tools, demos = report["tools"][method], report["demos"][method]
        ms = report["p50_ms_per_query_10k"][method]
        table.add_row(
            method,
            f"{tools['recall_at_5']:.3f}",
            f"{tools['ndcg_at_10']:.3f}",
            f"{demos['recall_at_5']:.3f}",
            f"{demos['ndcg_at_10']:.3f}",
            f"{ms:.1f}",
            f"{ms / base:.1f}x",
            f"{report['build_seconds_10k'][method]:.1f}",
        )
    return table


def register(app: typer.Typer, bench_app: typer.Typer) -> None:
    """Add `toolpath bench retrieval`."""

    @bench_app.command("retrieval")
    def bench_retrieval(
        json_output: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
        data_dir: Annotated[Path | None, typer.Option(help="TaskBench data directory.")] = None,
        domains: Annotated[str, typer.Option(help="Comma-separated domains.")] = ",".join(DOMAINS),
        limit: Annotated[int | None, typer.Option(help="Queries per domain (default all).")] = None,
        latency_docs: Annotated[int, typer.Option(help="Synthetic tools for latency.")] = 10_000,
        latency_queries: Annotated[int, typer.Option(help="Queries timed per method.")] = 50,
    ) -> None:
        """Recall@5 / nDCG@10 of BM25, dense and hybrid retrieval of tools and demonstrations
        on TaskBench, per-query latency over 10,000 tools, and a brute-force check."""
        chosen = [d.strip() for d in domains.split(",") if d.strip()]
        report = run_benchmark(data_dir, chosen, limit, latency_docs, latency_queries)
        if json_output:
            typer.echo(json.dumps(report, indent=2))
            return
        from rich.console import Console

        console = Console()
        console.print(_table(report))
        console.print(
            f"dense top-10 vs exact brute force: {report['dense_exact_agreement_at_10']:.3f} "
            f"agreement; {report['n_queries']['tools']} tool queries, "
            f"{report['n_queries']['demos']} demo queries; {report['seconds']:.0f} s"
        )
