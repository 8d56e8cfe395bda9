"""Shared test set-up: tests marked `taskbench_data` skip, with the reason, when the
TaskBench data (not part of the project) cannot be found."""

from __future__ import annotations

import pytest

from tools.catalogs.taskbench import TaskBenchDataError, resolve_data_dir


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    try:
        resolve_data_dir()
        return
    except TaskBenchDataError as exc:
        skip = pytest.mark.skip(reason=f"TaskBench data not found: {exc}")
    for item in items:
        if "taskbench_data" in item.keywords:
            item.add_marker(skip)
