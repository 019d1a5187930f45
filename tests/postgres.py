"""A real PostgreSQL server for the ledger's tests: the Debian package's binaries, a fresh cluster
in a temporary folder (owned by the ``postgres`` user when the tests run as root, since the server
refuses to run as root), on a free local port; stopped and removed afterwards. ``.ci/run`` installs
the package when it is missing."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


def _bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise RuntimeError(f"PostgreSQL's {name} is not installed: apt-get install postgresql (.ci/run does)")
    return found[-1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def postgres_server() -> Iterator[str]:
    """Start a throwaway server; yield its SQLAlchemy URL (driver psycopg)."""
    folder = Path(tempfile.mkdtemp(prefix="pmarket-pg-"))
    as_root = os.geteuid() == 0
    prefix = ["runuser", "-u", "postgres", "--"] if as_root else []
    if as_root:
        shutil.chown(folder, user="postgres")
    data, port = folder / "data", _free_port()
    run = lambda *args: subprocess.run([*prefix, *args], check=True, capture_output=True, text=True)  # noqa: E731
    run(_bin("initdb"), "-D", str(data), "--auth=trust", "-U", "postgres", "-E", "UTF8")
    run(_bin("pg_ctl"), "-D", str(data), "-o", f"-p {port} -k {folder} -c listen_addresses=127.0.0.1",
        "-l", str(folder / "log"), "-w", "start")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        run(_bin("pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")
        shutil.rmtree(folder, ignore_errors=True)
