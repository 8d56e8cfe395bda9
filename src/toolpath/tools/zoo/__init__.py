"""The model zoo: small models the project builds offline for its merge, retrieval and
evaluation tools (a base, full-fine-tuned experts, LoRA experts, held-out eval sets).

Nothing heavy is imported here; torch and transformers load when a zoo is built.
"""

from toolpath.tools.zoo.build import FULL_RECIPE, MINI_RECIPE, Recipe, build_zoo
from toolpath.tools.zoo.manifest import (
    ZOO_DIR_ENV,
    ZooManifest,
    ZooModel,
    default_zoo_dir,
    load_zoo,
)
from toolpath.tools.zoo.tasks import TASKS, Task, get_task

__all__ = [
    "FULL_RECIPE",
    "MINI_RECIPE",
    "TASKS",
    "ZOO_DIR_ENV",
    "Recipe",
    "Task",
    "ZooManifest",
    "ZooModel",
    "build_zoo",
    "default_zoo_dir",
    "get_task",
    "load_zoo",
]
