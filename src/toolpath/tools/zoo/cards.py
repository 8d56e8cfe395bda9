"""Model cards (README.md) for zoo models, in the Hugging Face style: YAML front matter,
then plain words on what the model does and how well it does it."""

from __future__ import annotations

from toolpath.tools.zoo.manifest import ZooModel
from toolpath.tools.zoo.tasks import TASKS


def _front_matter(model: ZooModel) -> str:
    library = "peft" if model.kind == "lora" else "transformers"
    tags = ["toolpath-zoo", model.kind, *([model.task] if model.task else [])]
    lines = ["---", "license: apache-2.0", f"library_name: {library}"]
    if model.base:
        lines.append(f"base_model: {model.base}")
    lines.append("tags:")
    lines += [f"- {tag}" for tag in tags]
    if model.task:
        lines.append(f"task: {model.task}")
    lines.append("accuracy:")
    lines += [f"  {task}: {value:.4f}" for task, value in sorted(model.accuracy.items())]
    lines.append("---")
    return "\n".join(lines)


def _accuracy_lines(model: ZooModel) -> list[str]:
    rows = ["| task | accuracy |", "|---|---|"]
    rows += [f"| {task} | {value:.1%} |" for task, value in sorted(model.accuracy.items())]
    return rows


def _summary(model: ZooModel) -> str:
    if model.kind == "base":
        names = ", ".join(task.title for task in TASKS.values())
        return (
            "A small general character-level language model, pretrained briefly on a broad "
            f"mixture of synthetic text ({names}, copying, counting on). It knows the "
            "formats of all tasks but masters none; it is the common base of the zoo's "
            "experts."
        )
    task = TASKS[model.task or ""]
    how = "a LoRA adapter on the base model" if model.kind == "lora" else "a full fine-tune"
    return (
        f"An expert model for {task.title} ({how}, trained from `{model.base}` on this task "
        f"only). {task.description}"
    )


def model_card(model: ZooModel) -> str:
    """The README.md text of a zoo model."""
    title = f"toolpath zoo {model.kind}: {model.name}"
    own = model.accuracy.get(model.task or "")
    headline = (
        [f"Accuracy on its own task ({model.task}, held-out set, exact match): {own:.1%}."]
        if own is not None
        else []
    )
    body = [
        _front_matter(model),
        "",
        f"# {title}",
        "",
        _summary(model),
        "",
        *headline,
        "",
        "## Evaluation",
        "",
        "Greedy generation; an answer counts when the stripped completion equals the "
        "target exactly. Held-out sets are in the zoo's `eval/` directory.",
        "",
        *_accuracy_lines(model),
        "",
        "## Training",
        "",
        f"{model.train_steps} steps, {model.parameters:,} trainable parameters, "
        f"{model.train_seconds:.0f} s on CPU. Built offline and deterministically by "
        "`toolpath zoo build`.",
        "",
    ]
    return "\n".join(body)
