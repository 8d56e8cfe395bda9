"""What the repairs of one call's arguments read (`CallContext`), and the note each
writes for a value it changed."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


def changed(where: str, old: Any, new: Any, why: str = "") -> str:
    """The note for a value changed: `call 0 (f).days: "10" -> 10`."""
    return f"{where}: {json.dumps(old)} -> {json.dumps(new)}" + (f" ({why})" if why else "")


@dataclass(frozen=True)
class CallContext:
    """What the repairs of one call's arguments read: the parameters' schema, the request,
    where the call is (for the notes) and the values other calls give (`taken`)."""

    schema: dict[str, Any]
    request: str
    where: str
    taken: frozenset[str] = frozenset()
