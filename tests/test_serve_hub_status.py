"""A live run's status reads "running" until its finish step has checkpointed: the route
step sets "succeeded" one checkpoint before the finish step writes the result, and a client
that saw "succeeded" then found no result (a race seen in CI)."""

from __future__ import annotations

from typing import Any

import pytest

from toolpath.agent.run.task import TaskSpec
from toolpath.agent.serve.hub import RunHub

FINISHED = {"kind": "run_finished", "status": "succeeded", "reason": "done", "result": {"m": 1}}


def _hub(values: dict[str, Any], live: bool) -> RunHub:
    hub = RunHub.__new__(RunHub)  # no backend: only the reading is under test
    hub._checkpoint = lambda run_id: (values, None)  # type: ignore[method-assign]
    hub.is_live = lambda run_id: live  # type: ignore[method-assign]
    hub.index_row = lambda run_id: {}  # type: ignore[method-assign]
    hub._live_info = lambda run_id: {"live": live}  # type: ignore[method-assign]
    return hub


@pytest.mark.parametrize(
    ("events", "live", "expected"),
    [
        ([{"kind": "plan_made"}], True, "running"),  # routed to finish, not finished yet
        ([{"kind": "plan_made"}, FINISHED], True, "succeeded"),  # thread still closing
        ([{"kind": "plan_made"}, FINISHED], False, "succeeded"),
    ],
)
def test_a_live_run_is_running_until_its_finish_step_checkpoints(
    events: list, live: bool, expected: str
) -> None:
    values = {"events": events, "status": "succeeded", "task": TaskSpec(request="merge")}
    if expected == "succeeded":
        values["result"] = {"m": 1}
    assert _hub(values, live).status("r1")["status"] == expected
