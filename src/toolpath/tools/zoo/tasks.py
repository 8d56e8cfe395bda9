"""Synthetic tasks of the zoo: each a seeded generator of (input, target) string pairs.

Every task has a short prompt prefix so that one model can tell the tasks apart, and a
plain-words description that goes into the model cards (the expert retriever reads them).
"""

from __future__ import annotations

import json
import random
import string
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from toolpath.tools.files import atomic_open

Example = tuple[str, str]


@dataclass(frozen=True)
class Task:
    """A synthetic task: a name, a description in plain words and a generator."""

    name: str
    title: str
    description: str
    generate: Callable[[random.Random], Example]

    def examples(self, rng: random.Random, exclude: set[str] | None = None) -> Iterator[Example]:
        """An endless stream of examples whose inputs are not in `exclude`."""
        while True:
            prompt, target = self.generate(rng)
            if exclude is None or prompt not in exclude:
                yield prompt, target


def _number(rng: random.Random, max_digits: int) -> int:
    return rng.randint(0, 10 ** rng.randint(1, max_digits) - 1)


def _addition(rng: random.Random) -> Example:
    a, b = _number(rng, 2), _number(rng, 2)
    return f"{a}+{b}=", str(a + b)


def _reversal(rng: random.Random) -> Example:
    word = "".join(rng.choices(string.ascii_lowercase, k=rng.randint(3, 7)))
    return f"reverse {word}=", word[::-1]


def _sorting(rng: random.Random) -> Example:
    digits = "".join(rng.choices(string.digits, k=rng.randint(3, 8)))
    return f"sort {digits}=", "".join(sorted(digits))


def _counting(rng: random.Random) -> Example:
    text = "".join(rng.choices("abcde", k=rng.randint(4, 10)))
    letter = rng.choice("abcde")
    return f"count {letter} in {text}=", str(text.count(letter))


def _copying(rng: random.Random) -> Example:
    text = "".join(rng.choices(string.ascii_lowercase + string.digits, k=rng.randint(3, 8)))
    return f"copy {text}=", text


def _successor(rng: random.Random) -> Example:
    n = _number(rng, 3)
    return f"next {n}=", str(n + 1)


TASKS: dict[str, Task] = {
    task.name: task
    for task in (
        Task(
            "addition",
            "multi-digit addition",
            "Adds two whole numbers of one or two digits and writes their sum in decimal "
            "digits (arithmetic, sum, plus). Prompt `57+68=`, answer `125`.",
            _addition,
        ),
        Task(
            "reversal",
            "string reversal",
            "Reverses a string of lowercase letters, writing its characters in the opposite "
            "order (string reversal, reverse text, backwards). Prompt `reverse hello=`, "
            "answer `olleh`.",
            _reversal,
        ),
        Task(
            "sorting",
            "sorting digits",
            "Sorts the digits of a digit string in ascending order (sorting, order, arrange). "
            "Prompt `sort 3141=`, answer `1134`.",
            _sorting,
        ),
        Task(
            "counting",
            "counting a character",
            "Counts how many times a letter occurs in a string of letters (counting, "
            "character frequency, occurrences). Prompt `count a in abcab=`, answer `2`.",
            _counting,
        ),
    )
}

# Extra formats that only the broad pretraining mixture sees.
PRETRAIN_EXTRAS: dict[str, Task] = {
    task.name: task
    for task in (
        Task("copying", "copying", "Copies a string.", _copying),
        Task("successor", "successor", "Writes the next whole number.", _successor),
    )
}


def get_task(name: str) -> Task:
    """The task called `name`, or a clear error naming the known ones."""
    try:
        return TASKS[name]
    except KeyError:
        raise ValueError(f"unknown zoo task {name!r}; known: {', '.join(TASKS)}") from None


def eval_examples(task: Task, count: int, seed: int) -> list[Example]:
    """`count` distinct held-out examples of `task` (distinct inputs), seeded."""
    rng = random.Random(f"eval:{task.name}:{seed}")
    seen: dict[str, str] = {}
    for _ in range(count * 50):
        prompt, target = task.generate(rng)
        seen.setdefault(prompt, target)
        if len(seen) == count:
            break
    return list(seen.items())


def write_jsonl(path: Path, examples: list[Example]) -> None:
    """Write `{"input", "target"}` lines to `path` atomically."""
    with atomic_open(path) as handle:
        for prompt, target in examples:
            handle.write(json.dumps({"input": prompt, "target": target}) + "\n")


def read_jsonl(path: Path) -> list[Example]:
    """Read `{"input", "target"}` lines."""
    with open(path, encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    return [(row["input"], row["target"]) for row in rows]
