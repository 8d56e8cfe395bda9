"""Small real tools, a real evaluator and a rule-based planner for the agent's tests.

The "models" are directories with a config.json and a safetensors tensor; merging
averages or picks tensors for real; the evaluator scores a model on a JSONL set of
target vectors. Also runnable as a script (the crash test runs a run in a subprocess).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

from toolpath.planners.plan import Argument, Plan, SubTask
from toolpath.tools.registry import ToolRegistry, tool
from toolpath.tools.spec import CostPrior

SKILLS = {"addition": [1.0, 0.0, 0.0, 0.0], "reversal": [0.0, 1.0, 0.0, 0.0]}


def write_model(out: Path, vector: list[float]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "config.json").write_text(json.dumps({"model_type": "toy"}))
    save_file({"w": torch.tensor(vector)}, str(out / "model.safetensors"))


def make_zoo(root: Path) -> dict[str, Path]:
    """Two experts and one eval set per skill."""
    paths = {}
    for skill, vector in SKILLS.items():
        write_model(root / skill / "model", vector)
        rows = [{"target": vector}] * 4
        (root / skill / "eval.jsonl").write_text("\n".join(json.dumps(r) for r in rows))
        paths[skill] = root / skill
    return paths


def _log(event: str) -> None:
    log = os.environ.get("TOOLPATH_TEST_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(event + "\n")


class ToyEvaluator:
    """Accuracy = mean over rows of max(0, cosine(model, target)), computed on tensors."""

    def accuracy(self, model_dir: str, dataset: str) -> float:
        weights = load_file(str(Path(model_dir) / "model.safetensors"))["w"]
        rows = [json.loads(line) for line in Path(dataset).read_text().splitlines() if line]
        scores = [
            max(
                0.0,
                float(torch.nn.functional.cosine_similarity(weights, torch.tensor(r["target"]), 0)),
            )
            for r in rows
        ]
        return sum(scores) / len(scores)

    def proxy(self, model_dir: str, dataset: str, threshold: float) -> tuple[str, None]:
        return "full", None


def build_registry(zoo: Path, *, slow_merge: float = 0.0) -> ToolRegistry:
    registry = ToolRegistry()

    @tool(
        capabilities=["retrieve_experts"],
        outputs=["model"],
        cost=0.5,
        quality=0.95,
        registry=registry,
    )
    def find_expert(task: str) -> list[tuple[str, float]]:
        """Find the expert model for a skill."""
        _log(f"find_expert {task}")
        folder = zoo / task / "model"
        if not folder.is_dir():
            raise FileNotFoundError(f"no expert for {task!r}")
        return [(str(folder), 1.0)]

    @tool(
        capabilities=["merge_models"],
        inputs=["model"],
        outputs=["model"],
        cost=1.0,
        quality=0.9,
        registry=registry,
    )
    def merge_first(models: list[str], out: str) -> dict:
        """Cheap merge: keep the first model's weights (loses the other skills)."""
        _log("merge_first")
        weights = load_file(str(Path(models[0]) / "model.safetensors"))["w"]
        write_model(Path(out), weights.tolist())
        return {"path": out}

    @tool(
        capabilities=["merge_models"],
        inputs=["model"],
        outputs=["model"],
        cost=CostPrior(seconds=4.0),
        quality=0.85,
        registry=registry,
    )
    def merge_sum(models: list[str], out: str) -> dict:
        """Stronger merge: sum task vectors so every skill is kept."""
        _log("merge_sum start")
        tensors = [load_file(str(Path(m) / "model.safetensors"))["w"] for m in models]
        total = torch.stack(tensors).sum(0)
        Path(out).mkdir(parents=True, exist_ok=True)
        (Path(out) / "config.json").write_text(json.dumps({"model_type": "toy"}))
        if slow_merge:
            partial = Path(out) / "model.safetensors"
            partial.write_bytes(b"partial")  # what a crash mid-write would leave
            time.sleep(slow_merge)
        save_file({"w": total}, str(Path(out) / "model.safetensors"))
        _log("merge_sum end")
        return {"path": out}

    @tool(
        capabilities=["describe"], inputs=["model"], outputs=["text"], cost=0.2, registry=registry
    )
    def describe_model(model: str) -> str:
        """Describe a model in one line."""
        return f"model at {Path(model).name}"

    return registry


def merge_plan(skills: list[str]) -> Plan:
    """Retrieve one expert per skill, then merge them."""
    subtasks = [
        SubTask(id=i, capability="retrieve_experts", arguments=[Argument(name="task", value=s)])
        for i, s in enumerate(skills)
    ]
    refs = [f"<node-{i}>" for i in range(len(skills))]
    subtasks.append(
        SubTask(
            id=len(skills),
            capability="merge_models",
            arguments=[Argument(name="models", value=refs)],
        )
    )
    return Plan(request="merge", subtasks=subtasks)


def merge_task(zoo: Path, skills: list[str], **extra) -> dict:
    checks = [
        {
            "name": skill,
            "metric": "normalized_accuracy",
            "dataset": str(zoo / skill / "eval.jsonl"),
            "reference": str(zoo / skill / "model"),
            "threshold": 0.6,
        }
        for skill in skills
    ]
    return {"request": f"merge {' and '.join(skills)}", "checks": checks, **extra}


def _main() -> None:
    """`python test_agent_tools.py HOME ZOO [resume RUN_ID]`: run (or resume) a merge task."""
    from toolpath.agent.run import AgentRunner, TaskSpec

    home, zoo = Path(sys.argv[1]), Path(sys.argv[2])
    registry = build_registry(zoo, slow_merge=float(os.environ.get("SLOW_MERGE", "0")))
    runner = AgentRunner(registry=registry, home=home, evaluator=ToyEvaluator())
    if len(sys.argv) > 3 and sys.argv[3] == "resume":
        summary = runner.resume(sys.argv[4])
    else:
        data = merge_task(zoo, ["addition", "reversal"], alpha=0.0)
        data["plan"] = merge_plan(["addition", "reversal"]).model_dump()
        data["limits"] = {"max_replans": 3}
        run_id = os.environ.get("TOOLPATH_TEST_RUN_ID", "crash-run")
        summary = runner.start(TaskSpec.model_validate(data), run_id=run_id)
    print(json.dumps(summary.public()))


if __name__ == "__main__":
    _main()
