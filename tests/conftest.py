"""Shared test set-up: tests marked `taskbench_data` skip, with the reason, when the
TaskBench data (not part of the project) cannot be found; hypothesis is derandomized
when `CI` is set, so CI passes or fails the same way every time; `ray_cluster` is a
local 2-CPU Ray for the modules that use it."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis import settings

from toolpath.tools.catalogs.taskbench import TaskBenchDataError, resolve_data_dir
from toolpath.tools.workspace import ROOTS_ENV

settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("dev", print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture(autouse=True, scope="session")
def _tmp_paths_are_a_workspace_root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Tests keep their models and files under pytest's temporary folder, so that folder
    is a root of the workspace policy (tools/workspace.py) for the whole session."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(ROOTS_ENV, str(tmp_path_factory.getbasetemp()))
        yield


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    try:
        resolve_data_dir()
        return
    except TaskBenchDataError as exc:
        skip = pytest.mark.skip(reason=f"TaskBench data not found: {exc}")
    for item in items:
        if "taskbench_data" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="module")
def ray_cluster() -> Iterator[None]:
    """A local Ray on the loopback with 2 CPUs for the module's tests (seconds to start)."""
    ray = pytest.importorskip("ray")
    from toolpath.agent.run.ray_executor import ensure_ray

    if os.environ.get("RAY_ADDRESS"):
        pytest.skip("RAY_ADDRESS is set: these tests start their own local cluster")
    ensure_ray(num_cpus=2)
    yield
    ray.shutdown()
