"""Resource types: the typed values that flow between tools.

A resource type is a short name. The built-in ones below (lowercase) cover the tool
library; foreign catalogues (TaskBench, OpenAI function lists) bring their own names and
keep their spelling, e.g. TaskBench multimedia's "Image".
"""

from __future__ import annotations

import re

MODEL = "model"
ADAPTER = "adapter"
DATASET = "dataset"
DOCUMENTS = "documents"
INDEX = "index"
TEXT = "text"
IMAGE = "image"
AUDIO = "audio"
VIDEO = "video"
METRICS = "metrics"

BUILTIN_TYPES = frozenset(
    {MODEL, ADAPTER, DATASET, DOCUMENTS, INDEX, TEXT, IMAGE, AUDIO, VIDEO, METRICS}
)

_TYPE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_\- ]*$")

_EXTENSIONS = {
    IMAGE: (".jpg", ".jpeg", ".png", ".gif", ".bmp", ".webp", ".tiff"),
    AUDIO: (".wav", ".mp3", ".flac", ".ogg", ".m4a"),
    VIDEO: (".mp4", ".avi", ".mov", ".mkv", ".webm"),
}


def check_type_name(name: str) -> str:
    """Return `name` if it is a valid resource type name, else raise ValueError."""
    if not _TYPE_NAME.match(name):
        raise ValueError(f"invalid resource type {name!r}: use a name such as 'model' or 'text'")
    return name


def type_of_literal(value: str) -> str:
    """Guess the resource type of a literal argument from a file extension in it."""
    lowered = value.lower()
    for kind, extensions in _EXTENSIONS.items():
        if any(ext in lowered for ext in extensions):
            return kind
    return TEXT
