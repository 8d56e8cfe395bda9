"""Time to first token and to the first plan node of a task streamed from `toolpath serve`.

`python -m toolpath.agent.serve.measure [--url URL] [--request TEXT]`: starts `toolpath
serve` on a free port (unless --url names a running one), streams the request through the
official `openai` client and prints JSON: seconds to the first content token, to the first
plan (the `plan_made` event, its sub-tasks the plan's nodes) and to the path. It stops
reading at the path; the run goes on in the server.
"""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
import time
from typing import Any

import httpx
import openai


def measure(url: str, request: str, timeout: float = 900.0) -> dict[str, Any]:
    """Stream `request` from the server at `url`; the times of its first events."""
    client = openai.OpenAI(base_url=f"{url}/v1", api_key="local", timeout=timeout, max_retries=0)
    started = time.perf_counter()
    times: dict[str, Any] = {"request": request}
    stream = client.chat.completions.create(
        model="toolpath", messages=[{"role": "user", "content": request}], stream=True
    )
    for chunk in stream:
        now = round(time.perf_counter() - started, 3)
        event = (chunk.model_extra or {}).get("toolpath_event") or {}
        if chunk.choices and chunk.choices[0].delta.content:
            times.setdefault("first_token_s", now)
        if event.get("kind") == "run_started":
            times["run_id"] = event["run_id"]
        if event.get("kind") == "plan_made":
            times.setdefault("first_plan_node_s", now)
            times["plan"] = [t["capability"] for t in event["plan"]["subtasks"]]
        if event.get("kind") in ("path_chosen", "run_finished"):
            times["path_or_end_s"] = now
            break
    stream.close()
    return times


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    """`toolpath serve` in a child process, once it answers."""
    entry = "from toolpath.agent.cli import main; main()"
    command = [sys.executable, "-c", entry, "serve", "--port", str(port)]
    process = subprocess.Popen(command)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/v1/models", timeout=2)
            return process
        except httpx.TransportError:
            time.sleep(0.3)
    process.kill()
    raise TimeoutError("toolpath serve did not start")


def main(argv: list[str] | None = None) -> None:
    from toolpath.agent.run.demo_task import DEMO_REQUEST

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running server (default: start one)")
    parser.add_argument("--request", default=DEMO_REQUEST)
    args = parser.parse_args(argv)
    process = None
    url = args.url
    if url is None:
        port = _free_port()
        process = start_server(port)
        url = f"http://127.0.0.1:{port}"
    try:
        print(json.dumps(measure(url, args.request), indent=2))
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=30)


if __name__ == "__main__":
    main()
