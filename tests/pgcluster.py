"""A throwaway PostgreSQL cluster of the test's own, to stop and start at will.

Fault tests stop the database under a running service; doing that to the shared
cluster would break every other test, so they get a private one (initdb in a
temporary folder, on a free port). As root, the server runs as ``postgres``.
:meth:`PrivateCluster.replica_of` makes a streaming replica of one (``pg_basebackup -R``,
its own folder and port), as a read replica is made in production.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


def _bindir() -> Path | None:
    for c in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if Path(c, "initdb").exists() and Path(c, "pg_ctl").exists():
            return Path(c)
    pg_ctl = shutil.which("pg_ctl")
    return Path(pg_ctl).parent if pg_ctl else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PrivateCluster:
    def __init__(self) -> None:
        b = _bindir()
        if b is None:
            raise RuntimeError("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
        self.bin = b
        self.dir = Path(tempfile.mkdtemp(prefix="depmap-pg-"))
        self.data = self.dir / "data"
        self.port = _free_port()
        self.as_owner: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
            self.as_owner = ["runuser", "-u", "postgres", "--"]

    @classmethod
    def replica_of(cls, primary: PrivateCluster, slot: str = "replica1") -> PrivateCluster:
        """A hot-standby copy of ``primary`` streaming its WAL through a replication slot
        (so a stopped replica catches up when started again); not started yet."""
        r = cls()
        r._run(
            str(r.bin / "pg_basebackup"),
            "-h",
            "127.0.0.1",
            "-p",
            str(primary.port),
            "-U",
            "depmap",
            "-D",
            str(r.data),
            "-R",  # standby.signal and primary_conninfo
            "-X",
            "stream",
            "-c",
            "fast",
            "-C",
            "-S",
            slot,
        )
        return r

    def sql(self, query: str, db: str = "postgres") -> object:
        """Run one statement (autocommit); its first value."""
        import psycopg

        with psycopg.connect(self.url(db), autocommit=True) as c:
            cur = c.execute(query)  # type: ignore[arg-type]
            row = cur.fetchone() if cur.description else None
        return row[0] if row else None

    def _run(self, *args: str) -> None:
        subprocess.run([*self.as_owner, *args], check=True, capture_output=True, text=True, cwd="/")

    def init(self) -> None:
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "depmap",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
        )

    def start(self) -> None:
        opts = (
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c full_page_writes=off"
        )
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            opts,
            "-l",
            str(self.dir / "log"),
            "-w",
            "start",
        )

    def stop(self) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def url(self, db: str = "postgres") -> str:
        return f"postgresql://depmap@127.0.0.1:{self.port}/{db}"

    def createdb(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as c:
            c.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def wait_ready(self, timeout: float = 10) -> None:
        t0 = time.time()
        while time.time() - t0 < timeout:
            r = subprocess.run(
                [str(self.bin / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port)],
                capture_output=True,
            )
            if r.returncode == 0:
                return
            time.sleep(0.1)
        raise TimeoutError("the private cluster did not come up")
