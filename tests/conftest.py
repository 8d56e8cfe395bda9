"""Shared test set-up: tests marked `taskbench_data` skip, with the reason, when the
TaskBench data (not part of the project) cannot be found; hypothesis is derandomized
when `CI` is set, so CI passes or fails the same way every time."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

from toolpath.tools.catalogs.taskbench import TaskBenchDataError, resolve_data_dir

settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("dev", print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    try:
        resolve_data_dir()
        return
    except TaskBenchDataError as exc:
        skip = pytest.mark.skip(reason=f"TaskBench data not found: {exc}")
    for item in items:
        if "taskbench_data" in item.keywords:
            item.add_marker(skip)
