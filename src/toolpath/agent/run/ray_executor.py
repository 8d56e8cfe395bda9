"""Steps on a Ray cluster: each ready sub-task runs as one Ray task.

LangGraph stays the controller (its checkpoints, its waves); only `Executor.run` moves:
`RayExecutor.run` sends the step to a Ray task that asks for the resources its tools
declare (`ToolSpec.resources`: CPUs, GPUs, memory) and runs the same `Executor` there,
against the same artifact store. What crosses the wire is JSON: the sub-task, its path
step, the upstream outputs (artifact paths and small values) and the outcome, with the
artifact's path. Tensors never travel through Ray's object store; tools read and write
files under the store's root, which every node must see at the same path (a shared
filesystem; fsspec URLs are not supported).

A worker killed mid-step (SIGKILL, a lost node) is retried by Ray (`max_retries`); the
store writes into a temp folder and renames it into place only when the tool returned,
so a killed attempt leaves no partial artifact. The tool registry is shipped once per
executor (Ray's object store, by Ray's own serialisation) and cached in each worker.

`RAY_ADDRESS` points at an existing cluster (toolpath and the tools' code installed on
every node); without it a local Ray is started on the loopback with `TOOLPATH_RAY_CPUS`
CPUs (default: up to 4), its workers importing from the controller's `sys.path`.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
import uuid
from collections.abc import Mapping
from typing import Any

from toolpath.agent.run.artifacts import ArtifactStore, to_jsonable
from toolpath.agent.run.executor import Executor, StepOutcome
from toolpath.planners.plan import PathStep, SubTask
from toolpath.tools.extras import require
from toolpath.tools.registry import ToolRegistry
from toolpath.tools.spec import ToolResources
from toolpath.tools.workspace import Workspace

log = logging.getLogger(__name__)

RETRIES_ENV = "TOOLPATH_RAY_RETRIES"
CPUS_ENV = "TOOLPATH_RAY_CPUS"
_init_lock = threading.Lock()
_worker_registries: dict[str, ToolRegistry] = {}  # in each worker: token -> registry
_remote_functions: dict[Any, Any] = {}  # function -> its Ray remote function


def ensure_ray(num_cpus: int | None = None) -> Any:
    """Connect to $RAY_ADDRESS, or start a local Ray on the loopback; return the module."""
    ray = require("ray", "ray")
    with _init_lock:
        if ray.is_initialized():
            return ray
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # nothing leaves the machine
        address = os.environ.get("RAY_ADDRESS")
        if address:
            log.info("joining the Ray cluster at %s", address)
            ray.init(address=address, log_to_driver=False)
        else:
            cpus = num_cpus or int(os.environ.get(CPUS_ENV, 0)) or min(4, os.cpu_count() or 1)
            log.info("starting a local Ray on 127.0.0.1 with %d CPUs", cpus)
            _loopback_only(ray)
            ray.init(
                num_cpus=cpus,
                include_dashboard=False,
                log_to_driver=False,
                # local workers import what the controller imports (tools defined in scripts)
                runtime_env={"env_vars": {"PYTHONPATH": os.pathsep.join(_import_path())}},
            )
        return ray


def _loopback_only(ray: Any) -> None:
    """A local Ray listens on the loopback only: Ray treats a node as single-machine (its
    macOS/Windows mode, where every server binds 127.0.0.1) when told clusters are off;
    its own processes read the same switch from the environment."""
    os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"
    ray._private.ray_constants.ENABLE_RAY_CLUSTER = False


def _import_path() -> list[str]:
    return [entry for entry in sys.path if entry and os.path.isdir(entry)]


def default_retries() -> int:
    """How often Ray retries a task whose worker died: $TOOLPATH_RAY_RETRIES, else 3."""
    return int(os.environ.get(RETRIES_ENV, 3))


def step_resources(specs: list[ToolResources]) -> dict[str, Any]:
    """Ray task options for a chain of tools: the most any one of them needs."""
    cpus = max((r.cpus for r in specs), default=1.0)
    gpus = max((r.gpus for r in specs), default=0.0)
    memory = max((r.memory_gb for r in specs), default=0.0)
    options: dict[str, Any] = {"num_cpus": cpus, "num_gpus": gpus}
    if memory > 0:
        options["memory"] = int(memory * 2**30)
    return options


def _worker_registry(token: str, registry_box: list[Any]) -> ToolRegistry:
    """In a worker: the shipped registry, fetched (and its tools' modules imported) once."""
    registry = _worker_registries.get(token)
    if registry is None:
        import ray

        registry = ray.get(registry_box[0])
        _worker_registries[token] = registry
    return registry


def warm_worker(token: str, registry_box: list[Any]) -> int:
    """In a worker: load the registry before any step needs it; the worker's pid."""
    _worker_registry(token, registry_box)
    return os.getpid()


def run_step_payload(token: str, registry_box: list[Any], store_root: str, payload: str) -> str:
    """In a worker: run one step with the shipped registry; the outcome as JSON."""
    registry = _worker_registry(token, registry_box)
    data = json.loads(payload)
    roots = data["roots"]
    executor = Executor(registry, ArtifactStore(store_root))
    outcome = executor.run(
        SubTask.model_validate(data["subtask"]),
        PathStep.model_validate(data["step"]),
        {int(k): v for k, v in data["outputs"].items()},
        data["defaults"],
        None if roots is None else Workspace.of(roots),
        {int(k): v for k, v in data["producers"].items()},
    )
    return outcome.model_dump_json()


def remote_function(function: Any = run_step_payload) -> Any:
    """`function` (importable by the workers) as a Ray remote function, made once."""
    if function not in _remote_functions:
        ray = require("ray", "ray")
        _remote_functions[function] = ray.remote(function)
    return _remote_functions[function]


class RayExecutor(Executor):
    """Runs each step as a Ray task with its tools' resources; same outcomes as local."""

    def __init__(
        self, registry: ToolRegistry, store: ArtifactStore, *, max_retries: int | None = None
    ) -> None:
        super().__init__(registry, store)
        self.max_retries = max_retries if max_retries is not None else default_retries()
        self.token = uuid.uuid4().hex
        self._registry_ref: Any = None

    @property
    def ray(self) -> Any:
        """Ray, connected on the first step (`runs list` and `show` never start it)."""
        return ensure_ray()

    def _registry_box(self) -> list[Any]:
        if self._registry_ref is None:
            try:
                self._registry_ref = self.ray.put(self.registry)
            except Exception as exc:  # e.g. MCP tools hold live sessions
                raise RuntimeError(
                    f"this catalogue's tools cannot be sent to Ray workers ({exc}); "
                    "run it with --executor local"
                ) from exc
        return [self._registry_ref]

    def warm_up(self) -> int:
        """Load the registry, and with it the tools' imports, in a worker per CPU of the
        cluster (spread over its nodes), so that no step pays a worker's first import;
        the number of workers warmed."""
        slots = max(int(self.ray.cluster_resources().get("CPU", 1)), 1)
        warm = remote_function(warm_worker).options(num_cpus=1, scheduling_strategy="SPREAD")
        pids = self.ray.get([warm.remote(self.token, self._registry_box()) for _ in range(slots)])
        log.info("warmed %d Ray workers for %d CPUs", len(set(pids)), slots)
        return len(set(pids))

    def run(
        self,
        task: SubTask,
        step: PathStep,
        outputs: dict[int, Any],
        defaults: dict[str, Any] | None = None,
        workspace: Workspace | None = None,
        producers: Mapping[int, str] | None = None,
    ) -> StepOutcome:
        """Execute the step in a Ray task; a lost worker is retried by Ray, a tool's own
        failure comes back as a failed outcome (as with the local executor)."""
        payload = json.dumps(
            {
                "subtask": task.model_dump(mode="json"),
                "step": step.model_dump(mode="json"),
                "outputs": {str(k): to_jsonable(v) for k, v in outputs.items()},
                "defaults": to_jsonable(defaults or {}),
                "roots": None if workspace is None else [str(r) for r in workspace.roots],
                "producers": {str(k): v for k, v in (producers or {}).items()},
            }
        )
        specs = [self.registry.get(n).resources for n in step.tools if n in self.registry]
        options = step_resources(specs) | {"max_retries": self.max_retries}
        ref = (
            remote_function()
            .options(**options)
            .remote(self.token, self._registry_box(), str(self.store.root), payload)
        )
        return StepOutcome.model_validate_json(self.ray.get(ref))
