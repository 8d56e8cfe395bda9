"""The recorded toolpath answers of every spent set's committed run, with their questions:
what the session 21 report scripts read (session 19's reader; fresh16 now read, so no set
with a run is unread)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

UNREAD: tuple[str, ...] = ()  # sets whose run is not read yet: never read here

_FILE = Path(__file__).resolve().parents[1] / "session19" / "spent.py"
_SPEC = importlib.util.spec_from_file_location("session19_spent", _FILE)
assert _SPEC is not None and _SPEC.loader is not None
_SESSION19 = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(_SESSION19)
_SESSION19.UNREAD = UNREAD
spent_answers = _SESSION19.spent_answers
SYSTEM = _SESSION19.SYSTEM
