"""The autograding step with every kernel in the sandbox, and hidden tests run apart from what students see.

``SandboxedExecute`` replaces ``GuardedExecute`` in ``Autograde.autograde_preprocessors``. nbgrader itself
(gradebook, ``SaveAutoGrades``, folders) stays in the grader's process; only the kernels move into the sandbox
(``sandbox_kernel``). A notebook whose test cells hold hidden tests is executed twice, each time in a fresh
sandbox:

1. **visible run**: the notebook with every hidden-test region blanked (line numbers kept). Its outputs are
   what the student sees in feedback: their own code's output and the visible tests' results. The hidden
   tests never reached that kernel, so nothing the student's code printed can contain them, in any encoding.
2. **grading run**: the full notebook. Only one thing is read back per test cell: nbgrader's grade (pass,
   fail or a partial-credit number), decided exactly as nbgrader decides it. Every output of that run is
   dropped; where the grade differs from the visible run, a neutral line says so (an exception name from a
   fixed list, never text written by the kernel).

The merged notebook goes on through nbgrader's pipeline as usual, so ``SaveAutoGrades`` scores exactly the
grading run. With ``--SandboxedExecute.sandbox=False`` (``--unsandboxed``) the two runs use ordinary kernels.

Speed (``benchmarks/bench_autograde.py``): a kernel takes about half a second to boot, so the grading run's
kernel is started while the visible run executes. It receives no code until the visible run's kernel has
been killed: the two runs never execute at the same time, so the student's code in the grading run (which
sees the hidden tests) has no live partner to signal to, not even through the timing of a shared CPU.
Kernels are stopped at once (``shutdown_kernel = "immediate"``): every output has arrived by then, and the
sandbox's PID namespace takes every process of the run with it.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from jupyter_client.manager import AsyncKernelManager, KernelManager
from jupyter_core.utils import run_sync
from nbformat.notebooknode import NotebookNode
from nbgrader.utils import determine_grade, is_grade, is_solution
from traitlets import Bool, Enum, Integer

from nmd_immuno.grading.notebooks import cell_source, is_locked_cell, regions
from nmd_immuno.grading.preprocessors import GuardedExecute
from nmd_immuno.grading.sandbox import Bind, Limits, regular_entries, workdir_for

#: Exception names a neutral summary may carry; anything else becomes "Error" (a kernel could otherwise
#: smuggle text out through the name of an exception class it made up).
SAFE_ENAMES = frozenset(
    {
        "AssertionError", "AttributeError", "CellTimeoutError", "DeadKernelError", "IndexError", "KeyError",
        "MemoryError", "NameError", "NotImplementedError", "OSError", "RecursionError", "RuntimeError",
        "TypeError", "ValueError", "ZeroDivisionError", "BlockingIOError",
    }
)  # fmt: skip
NEUTRAL_TEXT = "a hidden test of this cell did not pass (hidden tests are not shown)"


def hidden_regions(cell: Any) -> list:
    """Hidden-test regions of a cell the instructor wrote (a locked or test cell). In a student's answer
    cell a marker is just text: it is neither stripped nor treated as hidden."""
    if cell.get("cell_type") != "code" or not is_locked_cell(cell):
        return []
    return regions(cell_source(cell), ("hidden_tests",))


def strip_hidden(nb: NotebookNode) -> NotebookNode:
    """A copy of ``nb`` whose hidden-test regions are blank lines (a ``pass`` on the first, at its indent),
    so that the kernel never receives them and every remaining line keeps its number."""
    out = copy.deepcopy(nb)
    for cell in out.cells:
        regs = hidden_regions(cell)
        if not regs:
            continue
        lines = cell_source(cell).split("\n")
        for reg in regs:
            last = min(reg.end, len(lines) - 1)
            indent = lines[reg.start][: len(lines[reg.start]) - len(lines[reg.start].lstrip())]
            lines[reg.start] = indent + "pass"
            for i in range(reg.start + 1, last + 1):
                lines[i] = ""
        cell.source = "\n".join(lines)
    return out


def has_hidden_tests(nb: NotebookNode) -> bool:
    return any(hidden_regions(c) for c in nb.cells)


def _grade(cell: NotebookNode) -> float | None:
    return determine_grade(cell)[0]


def _grading_output(cell: NotebookNode) -> list[NotebookNode]:
    return [
        o
        for o in cell.get("outputs", [])
        if o.get("output_type") in {"error", "execute_result"}
        or (o.get("output_type") == "stream" and o.get("name") == "stderr")
    ]


def _neutral_error(graded: NotebookNode) -> NotebookNode:
    names = [str(o.get("ename", "")) for o in graded.get("outputs", []) if o.get("output_type") == "error"]
    ename = next((n for n in names if n in SAFE_ENAMES), "Error")
    return NotebookNode(output_type="error", ename=ename, evalue="", traceback=[f"{ename}: {NEUTRAL_TEXT}"])


def merge_runs(nb: NotebookNode, visible: NotebookNode, graded: NotebookNode) -> NotebookNode:
    """``nb`` (sources as submitted, hidden tests restored) with the visible run's outputs and, in every test
    cell, outputs that make nbgrader give the grading run's grade."""
    for cell, vis, full in zip(nb.cells, visible.cells, graded.cells, strict=True):
        if cell.get("cell_type") != "code":
            continue
        cell.outputs = copy.deepcopy(vis.get("outputs", []))
        cell.execution_count = vis.get("execution_count")
        if not is_grade(cell) or is_solution(cell):
            continue
        want, shown = _grade(full), _grade(vis)
        if want == shown:
            continue
        kept = [o for o in cell.outputs if o not in _grading_output(vis)]
        max_points = float(cell.metadata["nbgrader"]["points"])
        if want is not None and want <= 0:
            kept.append(_neutral_error(full))
        elif want is not None and want < max_points:
            kept.insert(0, NotebookNode(output_type="execute_result", execution_count=cell.execution_count,
                                        metadata={}, data={"text/plain": repr(float(want))}))  # fmt: skip
        cell.outputs = kept
    return nb


class SandboxedExecute(GuardedExecute):
    """nbgrader's execution step (with ``GuardedExecute``'s output cap), kernels in the sandbox, hidden
    tests in a separate grading run."""

    sandbox = Bool(True, help="Run every kernel in the bubblewrap sandbox.").tag(config=True)
    separate_hidden_tests = Bool(
        True, help="Run hidden tests in a second, grading-only run (their outputs are never kept)."
    ).tag(config=True)
    memory_mb = Integer(3072, help="Address space of each sandboxed process (MiB).").tag(config=True)
    max_processes = Integer(256, help="Processes and threads per sandbox.").tag(config=True)
    file_mb = Integer(64, help="Largest file a sandboxed process may write (MiB).").tag(config=True)
    disk_mb = Integer(128, help="Size of the sandbox's home and of its /tmp (MiB each).").tag(config=True)
    cpu_seconds = Integer(3600, help="CPU seconds per sandboxed process.").tag(config=True)
    shutdown_kernel = Enum(
        ["graceful", "immediate"],
        default_value="immediate",
        help="How a run's kernel is stopped once its last cell has replied.",
    ).tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: Any = None, km: Any = None) -> Any:
        self._assignment = str((resources or {}).get("nbgrader", {}).get("assignment", "work"))
        path = (resources or {}).get("metadata", {}).get("path")
        self._submission_dir = Path(path) if path else None
        if not (self.separate_hidden_tests and has_hidden_tests(nb)):
            return super().preprocess(nb, resources, km)
        self.log.info("Visible run (hidden tests removed), then grading run (outputs not kept)")
        grading_km = km if km is not None else self._boot_kernel(nb, path)
        try:
            visible, resources = super().preprocess(strip_hidden(nb), resources)
            visible = copy.deepcopy(visible)
            graded, resources = super().preprocess(copy.deepcopy(nb), resources, grading_km)
        finally:
            if grading_km.has_kernel:  # the visible run failed before the grading run could use it
                run_sync(grading_km.shutdown_kernel)(now=True)
                run_sync(grading_km.cleanup_resources)()
        merged = merge_runs(nb, visible, graded)
        merged.metadata = graded.metadata
        self.nb = merged
        return merged, resources

    def _boot_kernel(self, nb: NotebookNode, cwd: str | None) -> KernelManager:
        """A kernel for the grading run, started now so that it boots while the visible run executes; it
        gets no code before then."""
        self.nb = nb  # create_kernel_manager reads the notebook's kernel name
        km = self.create_kernel_manager()
        arguments = list(self.extra_arguments)
        if getattr(km, "ipykernel", False):
            if not any(a.startswith("--HistoryManager.hist_file") for a in arguments):
                arguments.append("--HistoryManager.hist_file=:memory:")  # as nbclient starts its own kernels
            # every output of this run is dropped: IPython need not spend 10-20 ms drawing each traceback
            arguments.append("--InteractiveShell.xmode=Minimal")
        run_sync(km.start_kernel)(extra_arguments=arguments, **({"cwd": cwd} if cwd else {}))
        return km

    @contextmanager
    def setup_kernel(self, **kwargs: Any) -> Iterator[None]:
        # a kernel handed in (the grading run's, started early) is still this run's to stop
        kwargs.setdefault("cleanup_kc", True)
        with super().setup_kernel(**kwargs):
            yield

    def limits(self) -> Limits:
        mib = 1024**2
        return Limits(
            memory_bytes=self.memory_mb * mib,
            processes=self.max_processes,
            file_bytes=self.file_mb * mib,
            home_bytes=self.disk_mb * mib,
            tmp_bytes=self.disk_mb * mib,
            cpu_seconds=self.cpu_seconds,
        )

    def create_kernel_manager(self) -> KernelManager:
        from nmd_immuno.grading.sandbox_kernel import PromptKernelManager, SandboxKernelManager

        if not self.sandbox:
            if self.kernel_manager_class is AsyncKernelManager:  # nbgrader's choice, not the instructor's
                self.kernel_manager_class = PromptKernelManager
            return super().create_kernel_manager()

        if not self.kernel_name:  # as nbclient does: the notebook's kernel
            self.kernel_name = self.nb.metadata.get("kernelspec", {}).get("name") or "python3"
        workdir = workdir_for(self._assignment)
        entries = regular_entries(self._submission_dir) if self._submission_dir else []
        km = SandboxKernelManager(kernel_name=self.kernel_name, config=self.config)
        km.sandbox_workdir = workdir
        km.sandbox_binds = [Bind(p, f"{workdir}/{p.name}") for p in entries]
        km.sandbox_limits = self.limits()
        self.km = km
        return km
