"""Benchmarks of toolpath itself: TaskBench, search, merge, retrieval and agent suites."""
