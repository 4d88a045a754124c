"""Local servers for the tests: a free port on 127.0.0.1, wait until it listens, stop the whole group."""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import signal
import socket
import subprocess
import time
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def free_port() -> int:
    """A port nobody listens on now (the OS picks it), so parallel or repeated runs never collide."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def wait_until_listening(process: subprocess.Popen, port: int, timeout_s: float) -> None:
    """Return once the port accepts connections; fail early, with the exit code, if the server died."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited with code {process.returncode} before listening")
        if listening(port):
            return
        time.sleep(0.5)
    raise AssertionError(f"nothing listened on 127.0.0.1:{port} within {timeout_s:.0f} s")


def stop_group(process: subprocess.Popen) -> None:
    """Stop a server started with ``start_new_session=True`` and everything it spawned (make -> jupyter)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def run_in_fresh_loop(coroutine: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run`` in a thread of its own.

    Why: the test process may already run an event loop in its main thread (Playwright's sync API keeps one
    there once a browser test has run), and ``asyncio.run`` refuses to start inside a running loop.
    """
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
