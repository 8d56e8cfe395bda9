"""`toolpath bench merge`: toolpath's merges against mergekit's own CLI, and the cost table.

Inputs are Llama-style models of a few hundred million parameters built locally
(tools/merging/synthetic.py: random base, experts = base + seeded task vectors, bf16).

1. Overhead: the same linear merge run side by side as `mergekit-yaml` (mergekit's CLI)
   and as a toolpath merge (`python -m evals.merge_bench child ...`: pre-flight, content
   hashes with an empty hash cache, mergekit's run_merge, the model card), alternating,
   `--repeats` times each; ratios of the median wall times and of the peak RSS of the
   processes (os.wait4).
2. TIES: mergekit's CLI (sort-based top-k) against toolpath's exact partial-selection
   TIES on the same inputs; speedup of the wall time, and the outputs compared tensor by
   tensor: every differing element must sit where some expert's |delta| equals its top-k
   threshold (a tie that either selection may break either way).
3. Cost table: every method merged in this process on the same models (imports paid
   once), seconds per billion parameters; AdaMerging and the LoRA tools on a smaller
   model (they load the whole model and run forward passes), scaled linearly.
   Written to tools/merging/cost_table.json (unless --no-write), which the merge tools'
   CostPrior reads; `fixed_seconds` is the wall time of a toolpath merge of a tiny model
   in a fresh process (start-up and imports).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from toolpath.evals.provenance import provenance
from toolpath.tools.files import atomic_write_json
from toolpath.tools.merging.priors import COST_TABLE

log = logging.getLogger(__name__)
BENCH_SHAPE = {"hidden_size": 1024, "layers": 14, "intermediate_size": 4096}
SMALL_SHAPE = {"hidden_size": 256, "layers": 4, "intermediate_size": 704}
QUICK_SHAPE = {"hidden_size": 64, "layers": 2, "intermediate_size": 128}
DEFAULT_WORKDIR = Path(tempfile.gettempdir()) / "toolpath-merge-bench"


def build_models(root: Path, shape: dict[str, int], experts: int = 2) -> tuple[Path, list[Path]]:
    """Build (or reuse) a bf16 model family under root."""
    from toolpath.tools.merging.synthetic import build_family

    marker = root / "family.json"
    paths = [root / "base"] + [root / f"expert{i}" for i in range(experts)]
    built = all((p / "model.safetensors").is_file() for p in paths)
    if built and marker.is_file() and json.loads(marker.read_text()) == shape:
        return paths[0], paths[1:]
    build_family(root, experts, dtype="bfloat16", delta_scale=0.01, seed=7, **shape)
    marker.write_text(json.dumps(shape))
    return paths[0], paths[1:]


def parameter_count(model: Path) -> int:
    from toolpath.tools.merging.preflight import model_tensors

    total = 0
    for info in model_tensors(model).values():
        count = 1
        for size in info.shape:
            count *= size
        total += count
    return total


def run_measured(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Run a process; return (wall seconds, peak RSS in MiB)."""
    start = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    stderr = process.stderr.read() if process.stderr else ""
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{command[0]} failed ({process.returncode}): {stderr[-2000:]}")
    return wall, usage.ru_maxrss / 1024


def mergekit_cli(config: dict[str, Any], out: Path, work: Path) -> tuple[float, float]:
    import yaml

    config_file = work / f"{out.name}.yml"
    config_file.write_text(yaml.safe_dump(config))
    shutil.rmtree(out, ignore_errors=True)
    cli = Path(sys.executable).with_name("mergekit-yaml")
    return run_measured([str(cli), str(config_file), str(out), "--out-shard-size", "1B"])


def toolpath_child(
    method: str, models: list[Path], base: Path | None, out: Path, params: dict, cache: Path
) -> tuple[float, float]:
    shutil.rmtree(out, ignore_errors=True)
    spec = {
        "method": method,
        "models": [str(m) for m in models],
        "base": str(base) if base else None,
        "out": str(out),
        "params": params,
    }
    env = {**os.environ, "TOOLPATH_CACHE_DIR": str(cache), "HF_HUB_OFFLINE": "1"}
    command = [sys.executable, "-m", "toolpath.evals.merge_bench", "child", json.dumps(spec)]
    return run_measured(command, env)


def child_main(spec_json: str) -> None:
    """Entry of the measured toolpath process."""
    from toolpath.tools.merging import merge_models

    spec = json.loads(spec_json)
    merge_models(
        spec["method"],
        [Path(m) for m in spec["models"]],
        Path(spec["out"]),
        base=Path(spec["base"]) if spec["base"] else None,
        params=spec["params"],
    )


def side_by_side(
    method: str,
    base: Path,
    experts: list[Path],
    params: dict,
    work: Path,
    repeats: int,
    warm: bool = False,
) -> dict[str, Any]:
    """Alternate mergekit's CLI and toolpath on one merge; timings and peak RSS.

    toolpath runs with an empty hash cache (inputs hashed: the first merge of a model);
    with `warm`, also with a filled one (the steady state of merging a zoo repeatedly).
    """
    from toolpath.tools.merging.core import mergekit_config

    config, _ = mergekit_config(method, experts, base, {**params, "implementation": "mergekit"})
    times: dict[str, list[float]] = {"mergekit": [], "cold": [], "warm": []}
    rss: dict[str, list[float]] = {"mergekit": [], "cold": [], "warm": []}
    warm_cache = work / f"hashcache-warm-{method}"
    for index in range(repeats):
        runs = [("mergekit", None), ("cold", None)] + ([("warm", warm_cache)] if warm else [])
        for side, cache in runs:
            if side == "mergekit":
                wall, peak = mergekit_cli(config, work / f"mk_{method}", work)
            else:
                cache = cache or Path(tempfile.mkdtemp(prefix="hashcache-", dir=work))
                if side == "warm" and index == 0:  # fill the cache once, untimed
                    toolpath_child(method, experts, base, work / f"tp_{method}", params, cache)
                wall, peak = toolpath_child(
                    method, experts, base, work / f"tp_{method}", params, cache
                )
            times[side].append(wall)
            rss[side].append(peak)
        line = ", ".join(f"{side} {values[-1]:.1f} s" for side, values in times.items() if values)
        log.info("%s run %d: %s", method, index + 1, line)
    reference = statistics.median(times["mergekit"])
    result = {
        "method": method,
        "mergekit_cli_seconds": times["mergekit"],
        "toolpath_seconds": times["cold"],
        "mergekit_cli_peak_rss_mib": rss["mergekit"],
        "toolpath_peak_rss_mib": rss["cold"],
        "time_ratio": statistics.median(times["cold"]) / reference,
        "rss_ratio": max(rss["cold"]) / max(rss["mergekit"]),
    }
    if warm:
        result.update(
            toolpath_warm_hash_cache_seconds=times["warm"],
            toolpath_warm_hash_cache_peak_rss_mib=rss["warm"],
            time_ratio_warm_hash_cache=statistics.median(times["warm"]) / reference,
        )
    return result


def compare_ties_outputs(
    base: Path, experts: list[Path], ours: Path, theirs: Path, density: float
) -> dict[str, Any]:
    """Tensor-by-tensor comparison; differences must all be top-k threshold ties."""
    import torch
    from safetensors import safe_open

    from toolpath.tools.merging.fast_ties import topk_magnitude_mask

    handles = [safe_open(str(p / "model.safetensors"), "pt") for p in (base, *experts)]
    mine = safe_open(str(ours / "model.safetensors"), "pt")
    reference = safe_open(str(theirs / "model.safetensors"), "pt")
    total = differing = unexplained = 0
    max_diff = 0.0
    for name in reference.keys():  # noqa: SIM118 (safe_open has keys(), not __iter__)
        a, b = mine.get_tensor(name), reference.get_tensor(name)
        diff = a.float() != b.float()
        total += a.numel()
        count = int(diff.sum())
        if not count:
            continue
        differing += count
        max_diff = max(max_diff, float((a.float() - b.float()).abs().max()))
        theta0 = handles[0].get_tensor(name)
        at_threshold = torch.zeros_like(diff)
        for handle in handles[1:]:
            delta = handle.get_tensor(name) - theta0
            mask = topk_magnitude_mask(delta, density)
            magnitude = delta.abs().float()
            threshold = magnitude[mask].min()
            at_threshold |= magnitude == threshold
        unexplained += int((diff & ~at_threshold).sum())
    return {
        "elements": total,
        "differing_elements": differing,
        "differing_fraction": differing / total,
        "max_abs_diff": max_diff,
        "differences_not_at_threshold_ties": unexplained,
        "equal_up_to_threshold_ties": unexplained == 0,
    }


def cost_table(
    base: Path, experts: list[Path], small: tuple[Path, list[Path]], work: Path
) -> tuple[dict[str, float], dict[str, int]]:
    """Seconds per billion parameters per method, measured in this process."""
    from toolpath.tools.merging import merge_models
    from toolpath.tools.merging.method_registry import MERGE_METHODS
    from toolpath.tools.merging.synthetic import corpus_texts

    billions = parameter_count(base) / 1e9
    small_base, small_experts = small
    small_billions = parameter_count(small_base) / 1e9
    table: dict[str, float] = {}
    measured_on: dict[str, int] = {}
    # untimed warm-up: imports (torch, transformers, mergekit) and page cache, paid once
    merge_models("linear", small_experts, work / "cost_warmup", params={})
    for method, entry in MERGE_METHODS.items():
        models, on, size = experts, base, billions
        params: dict[str, Any] = {"seed": 0}
        if entry.models[1] is not None:
            models = experts[: entry.models[1]]
        if method == "metrics_weighted":
            params = {"scores": [0.7, 0.5]}
        elif method == "adamerging":
            models, on, size = small_experts, small_base, small_billions
            params = {"texts": corpus_texts(1)}
        result = merge_models(method, models, work / f"cost_{method}", base=on, params=params)
        table[method] = round(result.seconds / size, 2)
        measured_on[method] = round(size * 1e9)
        log.info("cost %s: %.1f s", method, result.seconds)
        shutil.rmtree(work / f"cost_{method}", ignore_errors=True)
    table.update(lora_costs(small_base, work, small_billions))
    measured_on.update(
        {k: round(small_billions * 1e9) for k in ("compose_adapters", "lorahub", "apply_adapter")}
    )
    return table, measured_on


def lora_costs(base: Path, work: Path, billions: float) -> dict[str, float]:
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    from toolpath.tools.merging.lora import apply_adapter, combine_adapters, lorahub_search

    adapters = []
    for index in range(2):
        torch.manual_seed(index)
        model = AutoModelForCausalLM.from_pretrained(
            str(base), local_files_only=True, use_safetensors=True
        )
        config = LoraConfig(r=8, target_modules=["q_proj", "v_proj"], init_lora_weights=False)
        path = work / f"lora{index}"
        shutil.rmtree(path, ignore_errors=True)
        get_peft_model(model, config).save_pretrained(str(path))
        adapters.append(path)
    timings = {}
    start = time.perf_counter()
    combine_adapters(base, adapters, work / "lora_combined")
    timings["compose_adapters"] = time.perf_counter() - start
    start = time.perf_counter()
    examples = [{"input": "model merging", "output": "combines weights"}] * 4
    lorahub_search(base, adapters, examples, work / "lora_hub")
    timings["lorahub"] = time.perf_counter() - start
    start = time.perf_counter()
    apply_adapter(base, adapters[0], work / "lora_applied")
    timings["apply_adapter"] = time.perf_counter() - start
    return {name: round(seconds / billions, 2) for name, seconds in timings.items()}


def fixed_seconds(work: Path) -> float:
    """Wall time of a fresh-process toolpath merge of a tiny model (start-up, imports)."""
    from toolpath.tools.merging.synthetic import build_family

    _, experts = build_family(work / "tiny", 2, hidden_size=32, layers=2)
    cache = Path(tempfile.mkdtemp(prefix="hashcache-", dir=work))
    wall, _ = toolpath_child("linear", experts, None, work / "tiny_out", {}, cache)
    return round(wall, 2)


def write_cost_table(report: dict[str, Any]) -> None:
    data = {
        "unit": "seconds per billion parameters of the output model",
        "cost_table": report["cost_table"],
        "fixed_seconds": report["fixed_seconds"],
        "measured_on_params": report["cost_measured_on_params"],
        "measured": report["measured"],
        "machine": report["machine"],
        "command": "toolpath bench merge --json",
        "provenance": report["provenance"],
    }
    atomic_write_json(COST_TABLE, data)


def run_bench(
    workdir: Path, repeats: int, ties_repeats: int, quick: bool = False
) -> dict[str, Any]:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    workdir.mkdir(parents=True, exist_ok=True)
    shape = QUICK_SHAPE if quick else BENCH_SHAPE
    base, experts = build_models(workdir / "models", shape)
    small = build_models(workdir / "small", QUICK_SHAPE if quick else SMALL_SHAPE)
    params = parameter_count(base)
    log.info("bench models: %.0fM parameters, bf16", params / 1e6)
    runs = workdir / "runs"
    runs.mkdir(exist_ok=True)
    overhead = side_by_side("linear", base, experts, {}, runs, repeats, warm=True)
    ties = side_by_side("ties", base, experts, {"density": 0.5}, runs, ties_repeats)
    ties["comparison"] = compare_ties_outputs(
        base, experts, runs / "tp_ties", runs / "mk_ties", 0.5
    )
    os.environ["TOOLPATH_CACHE_DIR"] = str(runs / "hashcache-costs")
    table, measured_on = cost_table(base, experts, small, runs)
    return {
        "machine": f"{os.cpu_count()} CPU cores, torch threads {torch_threads()}",
        "measured": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "model": {"parameters": params, "dtype": "bfloat16", **shape},
        "overhead_ratio_vs_mergekit": round(overhead["time_ratio"], 3),
        "overhead_ratio_vs_mergekit_warm_hash_cache": round(
            overhead["time_ratio_warm_hash_cache"], 3
        ),
        "peak_rss_ratio_vs_mergekit": round(overhead["rss_ratio"], 3),
        "ties_speedup_vs_mergekit": round(1 / ties["time_ratio"], 3),
        "overhead": overhead,
        "ties": ties,
        "cost_table": table,
        "cost_measured_on_params": measured_on,
        "fixed_seconds": fixed_seconds(runs),
        "provenance": provenance(),
    }


def torch_threads() -> int:
    import torch

    return torch.get_num_threads()


def print_table(report: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    summary = Table(title=f"merge bench ({report['model']['parameters'] / 1e6:.0f}M params)")
    summary.add_column("measure")
    summary.add_column("value", justify="right")
    for key in (
        "overhead_ratio_vs_mergekit",
        "overhead_ratio_vs_mergekit_warm_hash_cache",
        "peak_rss_ratio_vs_mergekit",
        "ties_speedup_vs_mergekit",
        "fixed_seconds",
    ):
        summary.add_row(key, f"{report[key]:g}")
    summary.add_row(
        "TIES equal up to threshold ties",
        str(report["ties"]["comparison"]["equal_up_to_threshold_ties"]),
    )
    console.print(summary)
    costs = Table(title="cost table (seconds per billion parameters)")
    costs.add_column("method")
    costs.add_column("s / B params", justify="right")
    for method, value in report["cost_table"].items():
        costs.add_row(method, f"{value:g}")
    console.print(costs)


def merge_bench_command(
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
    workdir: Annotated[
        Path, typer.Option("--workdir", help="where models and outputs go (reused)")
    ] = DEFAULT_WORKDIR,
    repeats: Annotated[int, typer.Option("--repeats", min=1, help="runs per side")] = 3,
    ties_repeats: Annotated[
        int, typer.Option("--ties-repeats", min=1, help="TIES runs per side (median of 3)")
    ] = 3,
    write: Annotated[
        bool, typer.Option("--write/--no-write", help="update tools/merging/cost_table.json")
    ] = True,
    quick: Annotated[
        bool, typer.Option("--quick", help="tiny models, one run per side, no write (smoke test)")
    ] = False,
) -> None:
    """Benchmark merges against mergekit's CLI and measure the per-method cost table."""
    if quick:
        repeats, ties_repeats, write = 1, 1, False
    report = run_bench(workdir, repeats, ties_repeats, quick)
    if write:
        write_cost_table(report)
    if as_json:
        typer.echo(json.dumps(report, indent=2))
    else:
        print_table(report)


def register(app: typer.Typer, bench_app: typer.Typer) -> None:
    bench_app.command("merge")(merge_bench_command)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "child":
        child_main(sys.argv[2])
    else:
        raise SystemExit("usage: python -m evals.merge_bench child SPEC_JSON")
