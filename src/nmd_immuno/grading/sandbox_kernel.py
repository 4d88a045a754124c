"""A Jupyter kernel manager whose kernel runs inside the grading sandbox (``sandbox``).

nbclient (and so nbgrader's ``Execute``) keeps running in the grader's process; only the kernel moves into the
sandbox. The sandbox has no network of its own that the host can reach, so the kernel speaks ZeroMQ over the
``ipc`` transport (Unix sockets). The sockets live on the sandbox's private ``/tmp`` (size-limited, gone with
the sandbox); the grader reaches them through ``/proc/<pid>/root``, the sandbox's root seen from the host, via
a symbolic link at the same path in the grader's private folder. So the kernel can write nowhere on the host,
not even into the folder of its own sockets.

Interrupts go as a message on the control channel (``interrupt_mode = "message"``): the kernel runs in a
session and process group of its own inside the sandbox, out of reach of the process-group signal
jupyter_client would send.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil
from jupyter_client.manager import AsyncKernelManager
from traitlets import Any as AnyTrait
from traitlets import Dict, List, Unicode

from nmd_immuno.grading.sandbox import Bind, Limits, SandboxSpec, bwrap_command

_CHILD_WAIT_S = 10.0


class SandboxKernelManager(AsyncKernelManager):
    """An ``AsyncKernelManager`` that starts the kernel (``sandbox_launcher``) inside a fresh sandbox."""

    sandbox_workdir = Unicode("/home/student/work", help="The kernel's working folder (inside).")
    sandbox_binds = List(help="Extra read-only binds (``sandbox.Bind``) for this kernel.")
    sandbox_env = Dict(help="Extra environment variables inside the sandbox.")
    sandbox_limits = AnyTrait(Limits(), help="``sandbox.Limits`` of this kernel.")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._private = Path(tempfile.mkdtemp(prefix="nmd-sbx-"))  # 0700: only the grader reads it
        self.transport = "ipc"
        self.connection_file = str(self._private / "kernel.json")
        self.ip = str(self._private / "ipc" / "k")

    async def _async_pre_start_kernel(self, **kw: Any) -> tuple[list[str], dict[str, Any]]:
        if self.kernel_spec is not None:
            self.kernel_spec.interrupt_mode = "message"
        kw.setdefault("cwd", str(self._private))
        return await super()._async_pre_start_kernel(**kw)

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        # the connection file is shown read-only at the same path; it must be readable by the sandbox user
        os.chmod(self.connection_file, 0o644)
        launcher = [sys.executable, "-m", "nmd_immuno.grading.sandbox_launcher", "-f", self.connection_file]
        argv = [*launcher, *(extra_arguments or [])]
        env = dict(self.sandbox_env)
        if os.environ.get("NBGRADER_EXECUTION"):
            env.setdefault("NBGRADER_EXECUTION", os.environ["NBGRADER_EXECUTION"])
        spec = SandboxSpec(
            argv=argv,
            workdir=self.sandbox_workdir,
            binds=[*self.sandbox_binds, Bind(Path(self.connection_file))],
            env=env,
            dirs=[str(self._private / "ipc")],
            limits=self.sandbox_limits,
        )
        return bwrap_command(spec)

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
        await super()._async_launch_kernel(kernel_cmd, **kw)
        assert self.provisioner is not None
        pid = getattr(self.provisioner, "pid", None)
        init = await _sandbox_init(pid) if pid else None
        if init is None:
            raise RuntimeError("the grading sandbox did not start (bwrap exited at once; see the log)")
        # the grader's view of the sandbox's socket folder (ZeroMQ retries until the kernel has bound)
        os.symlink(f"/proc/{init}/root{self._private}/ipc", self._private / "ipc")

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            shutil.rmtree(self._private, ignore_errors=True)

    def __del__(self) -> None:
        private = getattr(self, "_private", None)
        if private is not None:
            shutil.rmtree(private, ignore_errors=True)


async def _sandbox_init(pid: int) -> int | None:
    """The first process inside the sandbox (bwrap's init in the new PID namespace), once it exists."""
    deadline = time.monotonic() + _CHILD_WAIT_S
    while time.monotonic() < deadline:
        try:
            children = psutil.Process(pid).children()
        except psutil.NoSuchProcess:
            return None
        if children:
            return children[0].pid
        await asyncio.sleep(0.005)
    return None
