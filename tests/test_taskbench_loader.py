"""The TaskBench loader and the leakage-free split, on the real development pool."""

from __future__ import annotations

from collections import Counter

import pytest

from toolpath.evals.taskbench.loader import (
    DOMAINS,
    TaskBenchDataError,
    load_domain,
    split_domain,
    stratified_order,
)
from toolpath.evals.taskbench.metrics import score_predictions, unscorable_label_ids


@pytest.mark.taskbench_data
@pytest.mark.parametrize("name", DOMAINS)
def test_split_is_disjoint_stratified_and_deterministic(name):
    domain = load_domain(name)
    split = split_domain(domain, eval_size=100)
    assert len(split.eval_ids) == 100
    assert not set(split.eval_ids) & set(split.demo_ids)
    unscorable = set(unscorable_label_ids(domain))
    assert set(split.eval_ids) | set(split.demo_ids) | unscorable == set(domain.by_id())
    assert split == split_domain(load_domain(name), eval_size=100)
    types = {s.id: s.type for s in domain.samples}
    pool = Counter(types[i] for i in types if i not in unscorable)
    chosen = Counter(types[i] for i in split.eval_ids)
    for kind, count in pool.items():
        assert abs(chosen[kind] - 100 * count / pool.total()) <= 1
    # every prefix is stratified too, so --limit keeps the mix
    first_ten = Counter(types[i] for i in split.eval_ids[:10])
    for kind, count in pool.items():
        assert abs(first_ten[kind] - 10 * count / pool.total()) <= 1


@pytest.mark.taskbench_data
def test_labels_the_reference_cannot_read_are_left_out():
    domain = load_domain("dailylifeapis")
    unscorable = unscorable_label_ids(domain)
    assert sorted(unscorable) == ["16887732", "26789625"]  # an argument with no `value`
    split = split_domain(domain)
    assert not set(unscorable) & (set(split.eval_ids) | set(split.demo_ids))


@pytest.mark.taskbench_data
@pytest.mark.parametrize("name", ["multimedia", "dailylifeapis"])
def test_labels_score_perfectly_against_themselves(name):
    domain = load_domain(name)
    scores = score_predictions(domain, {s.id: s.label for s in domain.samples})
    row = scores.reference["all"]
    assert scores.unparsable == 0
    assert (row["n_f1"], row["e_f1"], row["t_f1"], row["v_f1"]) == (1.0, 1.0, 1.0, 1.0)
    assert row["ned"] == 0.0
    assert row["rouge1"] == pytest.approx(1.0)
    if name == "dailylifeapis":  # no malformed argument in these labels
        assert scores.strict == scores.reference


def test_stratified_order_with_a_toy_domain():
    from toolpath.evals.taskbench.loader import TaskBenchDomain, TaskBenchSample

    samples = [
        TaskBenchSample(str(i), kind, "r", [], [], [], record={})
        for i, kind in enumerate(["single"] * 6 + ["chain"] * 3 + ["dag"] * 3)
    ]
    domain = TaskBenchDomain(name="toy", tools=[], samples=samples)
    order = stratified_order(domain)
    assert sorted(order, key=int) == [s.id for s in samples]
    kinds = {s.id: s.type for s in samples}
    assert Counter(kinds[i] for i in order[:4]) == {"single": 2, "chain": 1, "dag": 1}


def test_unknown_domain_is_a_clear_error(tmp_path):
    with pytest.raises(TaskBenchDataError, match="unknown TaskBench domain 'nope'"):
        load_domain("nope", tmp_path)
