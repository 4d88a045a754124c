"""The sandboxed kernel's entry point: ``ipykernel_launcher`` with the CPU-time limit made visible.

Why: the sandbox limits CPU seconds (``prlimit --cpu=soft:hard``). At the soft limit the kernel gets SIGXCPU,
whose default action kills it silently, and the grade would say ``kernel_died``. Here SIGXCPU raises an
error in the running cell instead, with the text ``autograde.sandbox_limits_hit`` looks for, so the outcome is
``sandbox_limit: cpu time``; the hard limit a few seconds later (SIGKILL) still ends a kernel that ignores it.
A student who replaces the handler only loses that explanation: the limit itself is the kernel's rlimit.
The kernel starts without ipykernel's debugger (``without_debugger``).
"""

from __future__ import annotations

import runpy
import signal
import sys
from types import FrameType

CPU_LIMIT_MESSAGE = "CPU time limit exceeded (the grading sandbox's limit)"


class CpuTimeLimitExceeded(RuntimeError):
    """The kernel used up its CPU seconds."""


def _on_cpu_limit(signum: int, frame: FrameType | None) -> None:
    raise CpuTimeLimitExceeded(CPU_LIMIT_MESSAGE)


def raise_on_cpu_limit() -> None:
    """SIGXCPU raises ``CpuTimeLimitExceeded`` in the main thread (where the cells run)."""
    signal.signal(signal.SIGXCPU, _on_cpu_limit)


def without_debugger() -> None:
    """ipykernel imports debugpy (about 65 ms, and a TCP socket) for interactive debugging, which grading
    never uses; a missing debugpy is a case ipykernel handles."""
    sys.modules["debugpy"] = None  # type: ignore[assignment]  # `import debugpy` now raises ImportError


if __name__ == "__main__":
    raise_on_cpu_limit()
    without_debugger()
    runpy.run_module("ipykernel_launcher", run_name="__main__", alter_sys=True)
