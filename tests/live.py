"""Running the service in a process of its own on a free port (live tests, benchmarks)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def server(env: dict[str, str] | None = None, workers: int = 1) -> Iterator[str]:
    """Run the service on a free port; yields its base URL."""
    with server_process(env, workers) as (base, _pid):
        yield base


@contextmanager
def uvicorn_process(
    app: list[str], env: dict[str, str], ready_path: str, workers: int = 1, wait_s: float = 30.0
) -> Iterator[tuple[str, int]]:
    """Run ``uvicorn <app...>`` on a free port until ``ready_path`` answers 200; yields
    its base URL and process id, and stops the whole process group on the way out."""
    port = free_port()
    args = ["--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    # the service's log goes to a file (DEPMAP_TEST_SERVER_LOG, else a temporary one): a
    # pipe nobody reads would block the service once it filled
    log_path = env.get("DEPMAP_TEST_SERVER_LOG")
    log = open(log_path, "ab") if log_path else tempfile.TemporaryFile()  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", *app, *args, "--no-access-log", "--log-level", "warning"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                if httpx.get(f"{base}{ready_path}", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None:
                log.seek(0)
                raise RuntimeError(log.read().decode(errors="replace")[-5000:] or "died")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{' '.join(app)} did not start in {wait_s:.0f} s")
            time.sleep(0.1)
        yield base, proc.pid
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        log.close()


@contextmanager
def server_process(
    env: dict[str, str] | None = None, workers: int = 1
) -> Iterator[tuple[str, int]]:
    """Run the service (uvicorn) on a free port; yields its base URL and process id."""
    e = {**os.environ, "DEPMAP_LOG_LEVEL": "WARNING", **(env or {})}
    with uvicorn_process(["api.main:create_app", "--factory"], e, "/healthz", workers) as r:
        yield r
