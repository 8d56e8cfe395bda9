"""The workspace policy: tools touch only paths under the allowed roots."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from test_agent_tools import ToyEvaluator, build_registry, make_zoo, merge_plan, merge_task
from toolpath.agent.run import AgentRunner
from toolpath.agent.run.task import parse_task_yaml
from toolpath.tools.library import library_registry
from toolpath.tools.spec import ToolArgumentError
from toolpath.tools.workspace import ROOTS_ENV, PathPolicyError, Workspace, default_roots


@pytest.fixture()
def places(tmp_path: Path) -> dict[str, Path]:
    root, outside = tmp_path / "root", tmp_path / "outside"
    (root / "data").mkdir(parents=True)
    outside.mkdir()
    (outside / "secret.txt").write_text("not yours")
    (root / "link").symlink_to(outside, target_is_directory=True)
    return {"root": root, "outside": outside}


def test_check_resolves_and_names_the_path_and_the_rule(places) -> None:
    root, outside = places["root"], places["outside"]
    workspace = Workspace.of([root])
    assert workspace.check(root / "data" / "new" / "out") == root / "data" / "new" / "out"
    bad = {
        "outside": outside / "secret.txt",
        "symlink": root / "link" / "secret.txt",
        "dotdot": root / "data" / ".." / ".." / "outside" / "secret.txt",
        "absolute": Path("/etc/passwd"),
    }
    for case, path in bad.items():
        with pytest.raises(PathPolicyError, match="outside the allowed roots") as info:
            workspace.check(path)
        message = str(info.value)
        assert str(path) in message and "roots:" in message, case
        assert isinstance(info.value, ToolArgumentError)
        assert ("resolves to" in message) == (case in ("symlink", "dotdot")), case


def test_library_tools_declare_their_path_parameters() -> None:
    registry = library_registry()
    assert registry.get("build_index").paths == ["index_dir", "paths"]
    assert set(registry.get("merge_ties").paths) == {"base", "models", "out"}
    assert registry.get("evaluate_model").paths == ["dataset", "model_dir"]
    assert registry.get("normalize_accuracy").paths == []
    workspace = Workspace.of([Path.cwd()])
    workspace.check_arguments(
        registry.get("retrieve_tools"), {"catalog": "taskbench:dailylifeapis"}
    )
    with pytest.raises(PathPolicyError, match="tool 'build_index': argument 'index_dir'"):
        workspace.check_arguments(
            registry.get("build_index"), {"paths": ["docs"], "index_dir": "/etc/toolpath-index"}
        )


def test_default_roots_take_the_environment(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv(ROOTS_ENV, f"{tmp_path / 'a'}:{tmp_path / 'b'}")
    workspace = Workspace.of(default_roots(tmp_path / "home"))
    for allowed in ("home/artifacts/x", "a/model", "b"):
        assert workspace.allows(tmp_path / allowed)
    assert workspace.allows(Path.cwd() / "examples")
    assert not workspace.allows(tmp_path / "c")


def _runner(tmp_path: Path, zoo: Path) -> AgentRunner:
    home = tmp_path / "home"
    return AgentRunner(
        registry=build_registry(zoo),
        home=home,
        evaluator=ToyEvaluator(),
        workspace=Workspace.of([home]),  # the test's folders are not roots unless added
    )


def _task_text(zoo: Path, **extra) -> str:
    data = merge_task(zoo, ["addition", "reversal"], alpha=0.0, **extra)
    data.setdefault("plan", merge_plan(["addition", "reversal"]).model_dump())
    return yaml.safe_dump(data)


def test_a_root_added_in_the_task_file(tmp_path) -> None:
    zoo = tmp_path / "zoo"
    make_zoo(zoo)
    runner = _runner(tmp_path, zoo)
    with pytest.raises(PathPolicyError, match=r"check 'addition'.*zoo/addition"):
        runner.start(parse_task_yaml(_task_text(zoo)))
    summary = runner.start(parse_task_yaml(_task_text(zoo, roots=[str(zoo)])))
    assert summary.status == "succeeded", summary.reason


def test_a_step_naming_a_path_outside_fails_on_its_arguments(tmp_path) -> None:
    zoo, other = tmp_path / "zoo", tmp_path / "other"
    make_zoo(zoo)
    shutil.copytree(zoo / "addition", other / "addition")
    (zoo / "link").symlink_to(other, target_is_directory=True)
    runner = _runner(tmp_path, zoo)
    escapes = [str(zoo / ".." / "other" / "addition" / "model"), str(zoo / "link" / "addition")]
    for escape in escapes:
        plan = merge_plan(["addition", "reversal"])
        plan.subtasks[2].arguments[0].value = ["<node-0>", "<node-1>", escape]
        task = parse_task_yaml(_task_text(zoo, roots=[str(zoo)], plan=plan.model_dump()))
        before = {s.name: runner.estimates.quality(s, "merge_models") for s in runner.registry}
        summary = runner.start(task)
        assert summary.status != "succeeded"
        merges = [s for s in summary.steps if s.subtask == 2]
        assert merges and not any(s.ok for s in merges)
        assert all("outside the allowed roots" in (s.reason or "") for s in merges), merges
        after = {s.name: runner.estimates.quality(s, "merge_models") for s in runner.registry}
        assert after == before  # an argument error says nothing about the merge's quality
    assert (other / "addition" / "model" / "model.safetensors").is_file()


def test_a_root_added_in_the_config_file(tmp_path, monkeypatch) -> None:
    from toolpath.agent.llm.settings import ConfigFileError

    config = tmp_path / "config.toml"
    config.write_text(f'[workspace]\nroots = ["{tmp_path / "models"}"]\n')
    monkeypatch.setenv("TOOLPATH_CONFIG", str(config))
    monkeypatch.delenv(ROOTS_ENV)
    runner = AgentRunner(registry=build_registry(tmp_path), home=tmp_path / "home")
    assert runner.workspace.allows(tmp_path / "models" / "base")
    assert not runner.workspace.allows(tmp_path / "elsewhere")
    runner.close()
    config.write_text('[workspace]\nroots = "/"\n')
    with pytest.raises(ConfigFileError, match="roots is a list of paths"):
        AgentRunner(registry=build_registry(tmp_path), home=tmp_path / "home2")


def test_every_cache_lives_under_one_root_that_the_workspace_allows(tmp_path, monkeypatch):
    from toolpath.agent.llm.gguf import default_cache_dir
    from toolpath.planners.matcher import matcher_cache_dir
    from toolpath.tools.files import cache_root
    from toolpath.tools.hashing import hash_cache_path
    from toolpath.tools.workspace import Workspace, default_roots
    from toolpath.tools.zoo import default_zoo_dir

    for env in ("TOOLPATH_CACHE_DIR", "TOOLPATH_MODEL_CACHE", "TOOLPATH_ZOO_DIR"):
        monkeypatch.delenv(env, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    (tmp_path / "cwd").mkdir()
    monkeypatch.chdir(tmp_path / "cwd")  # the cache must be allowed as a cache, not as cwd
    root = tmp_path / "xdg" / "toolpath"
    assert cache_root() == root
    for folder in (default_cache_dir(), default_zoo_dir(), matcher_cache_dir()):
        assert folder.parent == root
    assert hash_cache_path().parent == root
    workspace = Workspace.of(default_roots(tmp_path / "home"))
    workspace.check(default_zoo_dir() / "base" / "model.safetensors")  # no PathPolicyError
