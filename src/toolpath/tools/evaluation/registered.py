"""The evaluation tools the agent can call (registered in the default registry).

Cost priors are rough measurements on 2 CPU cores for tiny models (a few million
parameters): loading ~1 s, greedy generation ~50-200 records/s in batches of 32.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from toolpath.tools import resources as rt
from toolpath.tools.evaluation.metrics import mean_metrics, normalized_accuracy
from toolpath.tools.evaluation.model_eval import EvalResult, accuracy, perplexity
from toolpath.tools.evaluation.proxy import ProxyDecision, proxy_evaluate
from toolpath.tools.registry import tool
from toolpath.tools.spec import CostPrior


def _numbers(*names: str, extra: bool = False) -> dict[str, Any]:
    """Output schema of an object of numbers (`extra`: more number fields may appear)."""
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {name: {"type": "number"} for name in names},
        "required": list(names),
    }
    if extra:
        schema["additionalProperties"] = {"type": "number"}
    return schema


# Metrics flow on whole: a downstream step (normalize_accuracy, a check) reads their fields.


@tool(
    capabilities=["evaluate_model"],
    inputs=[rt.MODEL, rt.DATASET],
    outputs=[rt.METRICS],
    cost=CostPrior(seconds=3.0, per_unit=0.02, unit="records"),
    quality=0.95,
    output_schema=EvalResult.model_json_schema(),
)
def evaluate_model(
    model_dir: str,
    dataset: str,
    limit: int | None = None,
    batch_size: int = 32,
    max_new_tokens: int = 16,
) -> dict[str, Any]:
    """Accuracy of a local model on a labelled JSONL set: a causal LM answers each 'input' greedily
    and must reproduce 'target' exactly (after stripping); a sequence classifier must predict
    each 'text''s 'label'. Returns accuracy, n, correct and seconds.
    """
    return accuracy(
        Path(model_dir),
        Path(dataset),
        limit=limit,
        batch_size=batch_size,
        max_new_tokens=max_new_tokens,
    ).model_dump()


@tool(
    name="proxy_evaluate",
    capabilities=["evaluate_model", "proxy_evaluate"],
    inputs=[rt.MODEL, rt.DATASET],
    outputs=[rt.METRICS],
    cost=CostPrior(seconds=3.0, per_unit=0.02, unit="records sampled"),
    quality=0.9,
    output_schema=ProxyDecision.model_json_schema(),
)
def proxy_evaluate_tool(
    model_dir: str, dataset: str, threshold: float, sample: int = 50, seed: int = 0
) -> dict[str, Any]:
    """Cheap check of a model against an accuracy threshold: evaluate a random subset of a labelled
    JSONL set, compute a 95% Wilson interval, and decide 'pass' (clearly above), 'fail' (clearly
    below) or 'full' (run the full set).
    """
    return proxy_evaluate(
        Path(model_dir), Path(dataset), threshold, sample=sample, seed=seed
    ).model_dump()


@tool(
    capabilities=["evaluate_perplexity", "evaluate_model"],
    inputs=[rt.MODEL, rt.DATASET],
    outputs=[rt.METRICS],
    cost=CostPrior(seconds=3.0, per_unit=0.01, unit="records"),
    quality=0.95,
    output_schema=_numbers("perplexity"),
)
def evaluate_perplexity(model_dir: str, dataset: str) -> dict[str, float]:
    """Perplexity of a local causal LM on a JSONL set (each record's 'text', or 'input' followed by
    'target'); lower is better.
    """
    return {"perplexity": perplexity(Path(model_dir), Path(dataset))}


@tool(
    capabilities=["normalize_accuracy"],
    inputs=[rt.METRICS],
    outputs=[rt.METRICS],
    cost=CostPrior(seconds=0.01),
    quality=0.99,
    output_schema={
        "type": "object",
        "properties": {
            "normalized": {"type": "object", "additionalProperties": {"type": "number"}},
            "mean": {"type": "number"},
        },
        "required": ["normalized", "mean"],
    },
)
def normalize_accuracy(
    accuracy: dict[str, float], expert_accuracy: dict[str, float]
) -> dict[str, Any]:
    """Normalise a (merged) model's per-task accuracy by each task's own expert's accuracy (1.0 =
    as good as the expert) and give their mean.
    """
    normalised = normalized_accuracy(accuracy, expert_accuracy)
    mean = sum(normalised.values()) / len(normalised) if normalised else 0.0
    return {"normalized": normalised, "mean": mean}


@tool(
    capabilities=["evaluate_retrieval"],
    inputs=[rt.INDEX, rt.DATASET],
    outputs=[rt.METRICS],
    cost=CostPrior(seconds=8.0, per_unit=0.03, unit="queries"),
    quality=0.95,
    output_schema=_numbers("n", extra=True),
)
def evaluate_retrieval(index_dir: str, queries: str, k: int = 10) -> dict[str, float]:
    """Score a saved index on a JSONL set of {'query', 'relevant': [document ids]}: recall@k,
    nDCG@k (k and 5) and MRR, averaged over queries.
    """
    from toolpath.tools.retrieval.indexes import load_index

    index = load_index(index_dir)
    runs, qrels = [], []
    for i, line in enumerate(Path(queries).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        record = json.loads(line)
        if not isinstance(record, dict) or "query" not in record or "relevant" not in record:
            raise ValueError(f"{queries!r} line {i}: needs 'query' and 'relevant'")
        runs.append([doc_id for doc_id, _ in index.search(str(record["query"]), k)])
        qrels.append(set(map(str, record["relevant"])))
    return {"n": float(len(runs)), **mean_metrics(runs, qrels, ks=sorted({5, k}))}
