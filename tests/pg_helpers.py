"""A throw-away PostgreSQL server for tests: Debian's `postgresql` binaries, `initdb` into a
temp folder, `pg_ctl` on a free loopback port (as the `postgres` user when run as root,
which PostgreSQL refuses). `start_postgres` raises `PostgresUnavailable` with the reason
when it cannot start, for the tests to skip with."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path


class PostgresUnavailable(RuntimeError):
    pass


@dataclass
class PostgresServer:
    url: str
    data: Path
    bindir: Path
    user: str | None

    def stop(self) -> None:
        _run(self, [str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"])
        shutil.rmtree(self.data.parent, ignore_errors=True)


def _bindir() -> Path:
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version)
    if not versions:
        raise PostgresUnavailable("PostgreSQL is not installed (apt-get install postgresql)")
    return Path(versions[-1]).parent


def _version(path: str) -> int:
    part = Path(path).parent.parent.name
    return int(part) if part.isdigit() else 0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run(server: PostgresServer, command: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, user=server.user, capture_output=True, text=True, timeout=60, check=False
    )


def start_postgres() -> PostgresServer:
    """initdb + pg_ctl start; the URL of database `postgres` as superuser `toolpath`."""
    bindir = _bindir()
    user = None
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            raise PostgresUnavailable("running as root and there is no 'postgres' user") from None
        user = "postgres"
    root = Path(tempfile.mkdtemp(prefix="toolpath-pg-"))
    data, sockets = root / "data", root / "sockets"
    sockets.mkdir()
    if user is not None:
        shutil.chown(root, user)
        shutil.chown(sockets, user)
    server = PostgresServer(url="", data=data, bindir=bindir, user=user)
    init = _run(
        server,
        [str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "toolpath", "--no-sync"],
    )
    if init.returncode != 0:
        shutil.rmtree(root, ignore_errors=True)
        raise PostgresUnavailable(f"initdb failed: {init.stderr.strip()[-400:]}")
    port = _free_port()
    options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off"
    log = str(root / "log")
    start = _run(
        server, [str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l", log, "-w", "start"]
    )
    if start.returncode != 0:
        why = Path(log).read_text() if Path(log).exists() else start.stderr
        shutil.rmtree(root, ignore_errors=True)
        raise PostgresUnavailable(f"pg_ctl start failed: {why.strip()[-400:]}")
    server.url = f"postgresql://toolpath@127.0.0.1:{port}/postgres"
    return server
