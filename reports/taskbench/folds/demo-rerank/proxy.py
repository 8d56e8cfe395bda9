"""Offline look that chose the re-ranking's constants (session 16): on the 24 first
samples of each pool fold, how much of the two chosen demonstrations' tools the label has
(precision), how much of the label they cover (recall) and how often the first has the
label's exact tool set, for BM25 alone and for re-rankings (weight, floor). No LLM call.

    cd reports/taskbench/folds/demo-rerank && python proxy.py > proxy.txt
"""

from collections import Counter

from toolpath.evals.taskbench.graph_planning import pool_matcher
from toolpath.evals.taskbench.loader import load_domain, split_domain
from toolpath.planners.alignment import node_tools
from toolpath.planners.demonstrations import CANDIDATES, SupportRanking
from toolpath.tools.catalogs.taskbench import load_taskbench_catalog
from toolpath.tools.retrieval import DemoRetriever

SETTINGS = [(0.0, 0.05), (1.0, 0.02), (1.0, 0.05), (1.0, 0.1), (2.0, 0.05)]  # (weight, floor)


def main() -> None:
    for name in ("huggingface", "multimedia", "dailylifeapis"):
        domain = load_domain(name)
        by_id = domain.by_id()
        tools = load_taskbench_catalog(name).tools
        stats = {setting: Counter() for setting in SETTINGS}
        for fold in range(5):
            split = split_domain(domain).pool_fold(fold, 5)
            matcher = pool_matcher(domain, split, tools)
            pool = [by_id[i] for i in split.demo_ids]
            retriever = DemoRetriever([s.user_request for s in pool], "bm25")
            for sample_id in split.eval_ids[:24]:
                sample = by_id[sample_id]
                gold = set(node_tools(sample.task_nodes))
                found = [
                    (pool[i], score)
                    for i, score in retriever.search(sample.user_request, CANDIDATES)
                    if pool[i].user_request.strip() != sample.user_request.strip()
                ]
                found_tools = [node_tools(s.task_nodes) for s, _ in found]
                for setting in SETTINGS:
                    ranking = SupportRanking(matcher, *setting)
                    order = ranking.order(
                        sample.user_request, found_tools, [score for _, score in found]
                    )
                    ranked = [found[position] for position in order[:2]]
                    shown = set().union(*(node_tools(s.task_nodes) for s, _ in ranked))
                    row = stats[setting]
                    row["shown"] += len(shown)
                    row["shown_in_label"] += len(shown & gold)
                    row["label"] += len(gold)
                    row["label_shown"] += len(gold & shown)
                    row["first_exact"] += set(node_tools(ranked[0][0].task_nodes)) == gold
                    row["samples"] += 1
        for (weight, floor), row in stats.items():
            print(
                f"{name:14s} weight {weight} floor {floor}: precision "
                f"{row['shown_in_label'] / row['shown']:.3f} recall "
                f"{row['label_shown'] / row['label']:.3f} first exact "
                f"{row['first_exact']}/{row['samples']}"
            )


if __name__ == "__main__":
    main()
