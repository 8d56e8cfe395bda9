"""Evaluation tools: accuracy, perplexity, normalised accuracy, retrieval metrics, proxy evaluation.

torch and transformers load inside functions, so importing this package is fast.
Importing it registers the evaluation tools in the default registry.
"""

from toolpath.tools.evaluation import registered as registered
from toolpath.tools.evaluation.datasets import dataset_kind, read_jsonl
from toolpath.tools.evaluation.metrics import (
    mean_metrics,
    mrr,
    ndcg_at_k,
    normalized_accuracy,
    recall_at_k,
    wilson_interval,
)
from toolpath.tools.evaluation.model_eval import EvalResult, accuracy, evaluate_records, perplexity
from toolpath.tools.evaluation.proxy import ProxyDecision, decide, proxy_evaluate

__all__ = [
    "EvalResult",
    "ProxyDecision",
    "accuracy",
    "dataset_kind",
    "decide",
    "evaluate_records",
    "mean_metrics",
    "mrr",
    "ndcg_at_k",
    "normalized_accuracy",
    "perplexity",
    "proxy_evaluate",
    "read_jsonl",
    "recall_at_k",
    "wilson_interval",
]
