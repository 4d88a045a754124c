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
import contextlib
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from queue import Empty
from typing import Any

import psutil
from jupyter_client.asynchronous.client import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from traitlets import Any as AnyTrait
from traitlets import Dict, List, Type, Unicode

from nmd_immuno.grading.sandbox import Bind, Limits, SandboxSpec, bwrap_command

_CHILD_WAIT_S = 10.0


class PromptKernelClient(AsyncKernelClient):
    """An ``AsyncKernelClient`` whose ``wait_for_ready`` returns as soon as the kernel has answered.

    jupyter_client's version ends by reading broadcasts until none has come for 0.2 s, which every run of
    every notebook would wait. Here the broadcasts already received are dropped without waiting; a late one
    belongs to the ``kernel_info`` request, and nbclient ignores broadcasts that answer no cell of its own.
    The checks are jupyter_client's: a ``kernel_info`` reply on the shell channel, then one broadcast on
    IOPub to show that it is connected, asked again until the deadline, and a dead kernel is an error.
    """

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        while True:
            self.kernel_info()
            try:
                reply = await self.shell_channel.get_msg(timeout=1)
            except Empty:
                reply = None
            if reply is not None and reply["msg_type"] == "kernel_info_reply":
                try:
                    await self.iopub_channel.get_msg(timeout=0.2)
                except Empty:
                    pass
                else:
                    self._handle_kernel_info_reply(reply)
                    break
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")
        while True:  # what has arrived so far, without waiting for more
            try:
                await self.iopub_channel.get_msg(timeout=0)
            except Empty:
                break


class PromptKernelManager(AsyncKernelManager):
    """An ``AsyncKernelManager`` that notices a killed kernel's end within milliseconds, with clients that
    are ready as soon as the kernel is (``PromptKernelClient``).

    jupyter_client checks every 100 ms whether a killed kernel has gone; a grading run waits for that twice
    per notebook (the visible run's kernel must be gone before the grading run executes anything).
    """

    client_factory = Type(PromptKernelClient, klass=AsyncKernelClient, config=True)
    death_poll_s = 0.005

    async def _async_wait(self, pollinterval: float = 0.1) -> None:
        await super()._async_wait(pollinterval=min(pollinterval, self.death_poll_s))


class SandboxKernelManager(PromptKernelManager):
    """An ``AsyncKernelManager`` that starts the kernel (``sandbox_launcher``) inside a fresh sandbox."""

    sandbox_workdir = Unicode("/home/student/work", help="The kernel's working folder (inside).")
    sandbox_binds = List(help="Extra read-only binds (``sandbox.Bind``) for this kernel.")
    sandbox_env = Dict(help="Extra environment variables inside the sandbox.")
    sandbox_limits = AnyTrait(Limits(), help="``sandbox.Limits`` of this kernel.")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._private = _private_folder()  # 0700: only the grader reads it
        self.transport = "ipc"
        self.connection_file = str(self._private / "kernel.json")
        self.ip = str(self._private / "ipc" / "k")
        self._sandbox_init_process: psutil.Process | None = None  # the sandbox's first process, once started

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
        with contextlib.suppress(psutil.NoSuchProcess):
            self._sandbox_init_process = psutil.Process(init)
        # the grader's view of the sandbox's socket folder (ZeroMQ retries until the kernel has bound)
        os.symlink(f"/proc/{init}/root{self._private}/ipc", self._private / "ipc")

    async def _async_wait(self, pollinterval: float = 0.1) -> None:
        """Wait for bwrap, then for the sandbox itself: bwrap's death only starts the end of the sandbox's
        processes (they get SIGKILL as its PID namespace goes). Its first process ends last, once every
        other process in the namespace has gone, so when it has ended (or is a zombie) nothing the
        submission started is left."""
        await super()._async_wait(pollinterval)
        init = self._sandbox_init_process
        while init is not None and _running(init):
            await asyncio.sleep(self.death_poll_s)

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            shutil.rmtree(self._private, ignore_errors=True)

    def __del__(self) -> None:
        private = getattr(self, "_private", None)
        if private is not None:
            shutil.rmtree(private, ignore_errors=True)


#: A Unix socket's path holds at most 107 bytes (``sun_path``); the kernel's are ``<private>/ipc/k-<n>``.
_SOCKET_PATH_MAX = 107
_SOCKET_SUFFIX = "/ipc/k-99"


def _private_folder() -> Path:
    """The kernel's private folder: in the job's temporary folder (the runner removes it with the job, even
    a killed one), or in ``/tmp`` when that path is too long for the kernel's sockets."""
    for base in (None, "/tmp"):
        folder = tempfile.mkdtemp(prefix="nmd-sbx-", dir=base)
        if len(os.fsencode(folder + _SOCKET_SUFFIX)) <= _SOCKET_PATH_MAX:
            return Path(folder)
        os.rmdir(folder)
    raise RuntimeError(f"no temporary folder is short enough for kernel sockets ({_SOCKET_PATH_MAX} bytes)")


def _running(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


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
