"""Torch thread control for small, latency-bound work."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from toolpath.tools.extras import require


@contextmanager
def one_torch_thread(when: bool = True) -> Iterator[None]:
    """Run the block on one torch thread when `when` (small models, single queries).

    On a busy CPU the threads' barriers cost more than they save (measured here: 200 greedy
    answers of a tiny Llama 58 s with 2 threads vs 0.8 s with 1; one query embedding 290 ms
    vs 48 ms). The setting is process-wide and restored on exit.
    """
    torch = require("torch", "merge")

    before = torch.get_num_threads()
    if when and before > 1:
        torch.set_num_threads(1)
    try:
        yield
    finally:
        if torch.get_num_threads() != before:
            torch.set_num_threads(before)
