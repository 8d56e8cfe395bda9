"""Start a real `toolpath serve` process (the scripted app, or the CLI) on a free port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from test_agent_tools import make_zoo

TESTS = Path(__file__).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def scripted_env(tmp: Path, **extra: str) -> dict[str, str]:
    """TOOLPATH_HOME, a toy zoo (allowed as a root) and whatever the test adds."""
    zoo = tmp / "zoo"
    if not zoo.is_dir():
        make_zoo(zoo)
    env = os.environ | {
        "TOOLPATH_HOME": str(tmp / "home"),
        "TOOLPATH_TEST_ZOO": str(zoo),
        "TOOLPATH_ROOTS": str(zoo),
        "TOOLPATH_CACHE_DIR": str(tmp / "cache"),
    }
    env.pop("TOOLPATH_API_KEY", None)
    return env | extra


def wait_up(url: str, process: subprocess.Popen, headers: dict | None = None) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            httpx.get(f"{url}/status", headers=headers, timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise TimeoutError(f"server at {url} did not start")


@contextmanager
def scripted_server(
    env: dict[str, str], port: int | None = None
) -> Iterator[tuple[str, subprocess.Popen]]:
    """The scripted app under uvicorn in its own process; killed on exit."""
    port = port or free_port()
    command = [
        sys.executable, "-m", "uvicorn", "serve_scripted:make_scripted_app", "--factory",
        "--app-dir", str(TESTS), "--host", "127.0.0.1", "--port", str(port),
        "--log-level", "warning",
    ]  # fmt: skip
    process = subprocess.Popen(command, env=env, cwd=TESTS.parent)
    url = f"http://127.0.0.1:{port}"
    try:
        key = env.get("TOOLPATH_API_KEY")
        wait_up(url, process, {"Authorization": f"Bearer {key}"} if key else None)
        yield url, process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


def wait_for(check, timeout: float = 30.0, step: float = 0.2):
    """Poll `check()` until it returns something truthy; that value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(step)
    raise TimeoutError("condition not met in time")
