"""The pieces of the grading sandbox, one at a time: the bwrap command line, the refusal where no sandbox can
be made, the two-run merge that keeps hidden tests out of outputs, the new outcome codes
and the export flag."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import grading_helpers as gh
import nbformat
import pytest
from nbformat.notebooknode import NotebookNode
from nbformat.v4 import new_code_cell, new_notebook

from nmd_immuno.grading import sandbox
from nmd_immuno.grading.autograde import check_sandbox_config, sandbox_limits_hit
from nmd_immuno.grading.cli import main as cli_main
from nmd_immuno.grading.notebooks import grade_id
from nmd_immuno.grading.outcomes import CODE_BY_NAME, Outcome, load_outcomes
from nmd_immuno.grading.preprocessors import SanitiseFeedback
from nmd_immuno.grading.sandboxed_execute import NEUTRAL_TEXT, merge_runs, strip_hidden


def _test_cell(source: str, points: float = 2.0) -> NotebookNode:
    meta = {"nbgrader": {"grade": True, "solution": False, "locked": True, "grade_id": "t", "points": points}}
    return new_code_cell(source, metadata=meta)


def _answer_cell(source: str) -> NotebookNode:
    return new_code_cell(source, metadata={"nbgrader": {"solution": True, "grade": False, "grade_id": "a"}})


HIDDEN = "assert f(2) == 4, 'secret-hidden-check'\n"
TEST_SRC = f"assert f(1) == 2\n### BEGIN HIDDEN TESTS\n{HIDDEN}### END HIDDEN TESTS\nprint('done')"


def test_strip_hidden_blanks_hidden_lines_and_keeps_line_numbers() -> None:
    nb = new_notebook(cells=[_answer_cell("x = 1  # ### BEGIN HIDDEN TESTS\ny = 2"), _test_cell(TEST_SRC)])
    out = strip_hidden(nb)
    stripped = out.cells[1].source
    assert "secret-hidden-check" not in stripped
    assert stripped.split("\n") == ["assert f(1) == 2", "pass", "", "", "print('done')"]
    assert out.cells[0].source == nb.cells[0].source  # a marker in a student's answer is only text
    assert nb.cells[1].source == TEST_SRC  # the original is untouched
    compile(stripped, "<cell>", "exec")


def _ran(cell: NotebookNode, outputs: list[dict]) -> NotebookNode:
    cell = nbformat.from_dict(dict(cell))
    cell.outputs = [nbformat.from_dict(o) for o in outputs]
    return cell


def test_merge_takes_the_grade_of_the_grading_run_and_never_its_outputs() -> None:
    cell = _test_cell(TEST_SRC)
    nb = new_notebook(cells=[cell])
    visible = new_notebook(
        cells=[_ran(cell, [{"output_type": "stream", "name": "stdout", "text": "done\n"}])]
    )
    leak = "c2VjcmV0LWhpZGRlbi1jaGVjaw=="  # what a hostile kernel might print during the grading run
    graded = new_notebook(
        cells=[
            _ran(
                cell,
                [
                    {"output_type": "stream", "name": "stdout", "text": leak},
                    {"output_type": "error", "ename": leak, "evalue": leak, "traceback": [leak]},
                ],
            )
        ]
    )
    merged = merge_runs(nb, visible, graded)
    outs = merged.cells[0].outputs
    assert [o.output_type for o in outs] == ["stream", "error"]
    assert outs[0].text == "done\n"
    assert outs[1].ename == "Error" and outs[1].traceback == [f"Error: {NEUTRAL_TEXT}"]
    assert leak not in str(outs)
    from nbgrader.utils import determine_grade

    assert determine_grade(merged.cells[0])[0] == 0


def test_merge_keeps_visible_outputs_when_both_runs_agree_and_passes_partial_credit() -> None:
    cell = _test_cell(TEST_SRC)
    err = {"output_type": "error", "ename": "AssertionError", "evalue": "", "traceback": ["visible fail"]}
    merged = merge_runs(new_notebook(cells=[cell]), new_notebook(cells=[_ran(cell, [err])]),
                        new_notebook(cells=[_ran(cell, [err])]))  # fmt: skip
    assert merged.cells[0].outputs[0].traceback == ["visible fail"]
    partial = {
        "output_type": "execute_result",
        "execution_count": 1,
        "metadata": {},
        "data": {"text/plain": "1.5"},
    }
    merged = merge_runs(new_notebook(cells=[cell]), new_notebook(cells=[_ran(cell, [])]),
                        new_notebook(cells=[_ran(cell, [partial])]))  # fmt: skip
    from nbgrader.utils import determine_grade

    assert determine_grade(merged.cells[0])[0] == 1.5


def test_bwrap_command_isolates_and_limits() -> None:
    cmd = sandbox.bwrap_command(sandbox.SandboxSpec(argv=["/bin/true"], workdir=sandbox.workdir_for("fx")))
    joined = " ".join(cmd)
    for flag in ("--unshare-net", "--unshare-pid", "--clearenv", "--die-with-parent", "--new-session"):
        assert flag in cmd, flag
    assert "--nproc=256" in joined and "--fsize=" in joined and "--as=" in joined
    assert "assignments" not in joined  # the course folder is never bound
    if os.geteuid() == 0:
        reuid = next(a for a in cmd if a.startswith("--reuid="))
        assert reuid != "--reuid=0" and "--disable-userns" in cmd
    ro = [cmd[i + 1] for i, a in enumerate(cmd) if a == "--ro-bind"]
    assert not [p for p in ro if p == "/" or p == str(Path.home())]


def test_the_sandbox_binds_a_symlinked_library_where_it_really_is_and_never_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The workshop's runtime is a venv whose lib/ links to the course's venv: the real folder must be bound
    (else the kernel dies at start as a non-root instructor); the grader's working folder (the course, with
    source/ and the gradebook, first on sys.path under ``python -m``) never is."""
    real = tmp_path / "course-venv" / "lib" / "python3.11" / "site-packages"
    real.mkdir(parents=True)
    runtime = tmp_path / "runtime"
    runtime.mkdir()
    (runtime / "lib").symlink_to(tmp_path / "course-venv" / "lib")
    course = tmp_path / "course"
    (course / "source").mkdir(parents=True)
    monkeypatch.chdir(course)
    monkeypatch.syspath_prepend(str(course))
    paths = dict(sandbox.sysconfig.get_paths())
    paths["purelib"] = paths["platlib"] = str(runtime / "lib" / "python3.11" / "site-packages")
    monkeypatch.setattr(sandbox.sysconfig, "get_paths", lambda: paths)
    bound = [bind.source for bind in sandbox.python_binds()]
    assert real in bound
    assert not any(course == path or course in path.parents or path in course.parents for path in bound)


@pytest.mark.skipif(sandbox.probe() is not None, reason="no sandbox on this machine")
def test_a_process_in_the_sandbox_sees_no_host_and_no_root() -> None:
    script = "id -u; ls /; ls /work 2>&1; cat /proc/1/cmdline | tr '\\0' ' '; echo; env | sort"
    cmd = sandbox.bwrap_command(
        sandbox.SandboxSpec(argv=["/bin/sh", "-c", script], workdir="/home/student/x")
    )
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=True).stdout
    uid, *_ = out.split()
    assert uid != "0"
    assert "gradebook" not in out and "assignments" not in out
    assert "bwrap" in out  # pid 1 is bubblewrap's init: no process of the host is in view
    assert "NMD_" not in out and "JPY_" not in out


def test_missing_bubblewrap_is_refused_with_the_way_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sandbox.shutil, "which", lambda name: None)
    with pytest.raises(sandbox.SandboxUnavailable, match=r"bubblewrap.*--unsandboxed"):
        sandbox.require_tools()
    monkeypatch.setattr(sandbox.platform, "system", lambda: "Darwin")
    with pytest.raises(sandbox.SandboxUnavailable, match=r"Linux namespaces.*Darwin"):
        sandbox.require_tools()


def test_cli_autograde_refuses_without_a_sandbox(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(
        sandbox, "probe", lambda: "the grading sandbox needs bubblewrap; or pass --unsandboxed"
    )
    (tmp_path / "source" / "fx").mkdir(parents=True)
    (tmp_path / "submitted" / "alice" / "fx").mkdir(parents=True)
    code = cli_main(["--course-dir", str(tmp_path), "autograde", "fx"])
    assert code == 2
    err = capsys.readouterr().err
    assert "bubblewrap" in err and "--unsandboxed" in err and "Traceback" not in err


def test_a_course_config_without_the_sandbox_step_is_refused(tmp_path: Path) -> None:
    course = gh.make_course(tmp_path / "c", with_fixture=False)
    check_sandbox_config(course)  # the course's own configuration passes
    text = (course.root / "nbgrader_config.py").read_text()
    (course.root / "nbgrader_config.py").write_text(
        text.replace(
            "nmd_immuno.grading.sandboxed_execute.SandboxedExecute", "nbgrader.preprocessors.Execute"
        )
    )
    with pytest.raises(ValueError, match=r"SandboxedExecute.*--unsandboxed"):
        check_sandbox_config(course)


def test_limit_signs_name_the_limit() -> None:
    outs = [
        {
            "output_type": "error",
            "ename": "BlockingIOError",
            "evalue": "[Errno 11] Resource temporarily unavailable",
        },
        {"output_type": "error", "ename": "OSError", "evalue": "[Errno 28] No space left on device"},
    ]
    assert sandbox_limits_hit(outs) == ["processes", "disk"]
    assert sandbox_limits_hit([{"output_type": "error", "ename": "MemoryError", "evalue": ""}]) == ["memory"]
    assert sandbox_limits_hit([{"output_type": "stream", "name": "stdout", "text": "MemoryError"}]) == []


def test_new_codes_need_review_and_outcomes_record_the_sandbox(tmp_path: Path) -> None:
    assert CODE_BY_NAME["sandbox_limit"].needs_review and CODE_BY_NAME["wrong_assignment"].needs_review
    Outcome("fx", "alice", sandboxed=False).save(tmp_path)
    assert load_outcomes(tmp_path)["alice"].sandboxed is False


def test_a_marker_in_a_students_answer_does_not_blank_their_feedback() -> None:
    answer = _answer_cell("# my notes: ### BEGIN HIDDEN TESTS is what the instructor writes\nresult = 42")
    answer.outputs = [nbformat.from_dict({"output_type": "stream", "name": "stdout", "text": "42\n"})]
    test = _test_cell(TEST_SRC)
    nb = new_notebook(cells=[answer, test])
    out, _ = SanitiseFeedback().preprocess(nb, {})
    assert "result = 42" in out.cells[0].source and out.cells[0].outputs[0].text == "42\n"
    assert "secret-hidden-check" not in out.cells[1].source


def test_wrong_assignment_is_found_by_the_integrity_check(tmp_path: Path) -> None:
    from nmd_immuno.grading import workflow
    from nmd_immuno.grading.integrity import check_submission

    course = gh.make_course(tmp_path / "c")
    other = gh.fixture_source_notebook()
    for cell in other.cells:
        cell.metadata.nbgrader["grade_id"] = "y_" + grade_id(cell)
    (course.root / "source" / "fy").mkdir(parents=True)
    nbformat.write(other, course.root / "source" / "fy" / "fy.ipynb")
    workflow.generate(course)
    gh.write_submission(course, "bob", "fx", {"fx.ipynb": gh.released(course, "fy")})
    gh.write_submission(course, "carol", "fx", {"fy.ipynb": gh.released(course, "fy")})
    for student in ("bob", "carol"):
        findings = check_submission(course, "fx", student)
        assert [f.code for f in findings] == ["wrong_assignment"], findings
        assert "'fy'" in findings[0].detail


@pytest.mark.skipif(sandbox.probe() is not None, reason="no sandbox on this machine")
def test_a_busy_loop_past_the_cpu_limit_is_reported_as_that_limit_not_a_dead_kernel() -> None:
    from nbclient import NotebookClient

    from nmd_immuno.grading.sandbox_kernel import SandboxKernelManager

    nb = new_notebook(cells=[new_code_cell("while True:\n    pass")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    client = NotebookClient(
        nb,
        timeout=60,
        allow_errors=True,
        kernel_manager_class=SandboxKernelManager,
        kernel_name="python3",
    )
    client.km = client.create_kernel_manager()
    client.km.sandbox_limits = sandbox.Limits(cpu_seconds=3)
    client.execute()
    outputs = nb.cells[0].outputs
    assert [o.get("ename") for o in outputs if o.output_type == "error"] == ["CpuTimeLimitExceeded"], outputs
    assert sandbox_limits_hit(outputs) == ["cpu time"]


@pytest.mark.skipif(sandbox.probe() is not None, reason="no sandbox on this machine")
def test_the_grading_kernel_boots_early_but_runs_nothing_while_the_visible_one_lives(tmp_path: Path) -> None:
    """The speed-up must not open a channel: while the grading run's kernel (which sees the hidden tests)
    executes anything, the visible run's kernel (whose outputs become feedback) is already dead."""
    import psutil

    from nmd_immuno.grading.sandboxed_execute import SandboxedExecute

    class Recorder(SandboxedExecute):
        def create_kernel_manager(self):  # type: ignore[override]
            km = super().create_kernel_manager()
            self.made = [*getattr(self, "made", []), km]
            return km

        def preprocess_cell(self, cell, resources, index):  # type: ignore[override]
            alive = [km.has_kernel and psutil.pid_exists(km.provisioner.pid) for km in self.made]
            self.seen = [*getattr(self, "seen", []), (self.made.index(self.km), alive)]
            return super().preprocess_cell(cell, resources, index)

    nb = new_notebook(cells=[_answer_cell("def f(x):\n    return 2 * x"), _test_cell(TEST_SRC)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    ex = Recorder(timeout=60)
    resources = {"metadata": {"path": str(tmp_path)}, "nbgrader": {"assignment": "early-boot"}}
    out, _ = ex.preprocess(nb, resources)

    grading, visible = 0, 1  # the grading run's kernel is made first (booted early), the visible one next
    assert [who for who, _ in ex.seen] == [visible, visible, grading, grading]
    assert all(alive[grading] for who, alive in ex.seen if who == visible)  # booting meanwhile
    assert not any(alive[visible] for who, alive in ex.seen if who == grading)  # killed before
    assert not any(km.has_kernel for km in ex.made)  # both stopped at the end
    assert "secret-hidden-check" not in str(out.cells[1].outputs)
    assert [o.get("text") for o in out.cells[1].outputs] == ["done\n"]  # the visible run's output


@pytest.mark.skipif(sandbox.probe() is not None, reason="no sandbox on this machine")
def test_a_killed_sandbox_is_gone_with_everything_it_started_when_the_kill_returns() -> None:
    """Kernels are stopped at once (SIGKILL to bwrap); the sandbox's processes end as its PID namespace goes,
    which the kill waits for: nothing of a run is alive when the next run starts."""
    import psutil
    from jupyter_core.utils import run_sync

    from nmd_immuno.grading.sandbox_kernel import SandboxKernelManager

    async def run() -> tuple[set[str], list[int]]:
        km = SandboxKernelManager(kernel_name="python3")
        await km.start_kernel()
        kc = km.client()
        kc.start_channels()
        await kc.wait_for_ready(timeout=60)
        detach = (  # a detached child, and a crowd that takes the kernel a while to end
            "import os, subprocess, time\nsubprocess.Popen(['sleep', '300'], start_new_session=True)\n"
            "for _ in range(150):\n    if os.fork() == 0:\n        time.sleep(300)\n        os._exit(0)"
        )
        reply = await kc.execute_interactive(detach, timeout=60)
        assert reply["content"]["status"] == "ok", reply
        alive = {psutil.Process(pid).name() for pid in gh.sandbox_processes_under(scratch)}
        kc.stop_channels()
        await km.shutdown_kernel(now=True)
        return alive, gh.sandbox_processes_under(scratch)

    with gh.grading_scratch() as scratch:
        alive, left = run_sync(run)()  # as the grader does: works even beside a running event loop
    assert {"bwrap", "python", "sleep"} <= alive, alive  # the helper sees a live sandbox, detached child too
    assert left == []


@pytest.mark.skipif(sandbox.probe() is not None, reason="no sandbox on this machine")
def test_a_temporary_folder_too_long_for_sockets_still_grades(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An instructor whose TMPDIR is deep (a Unix socket's path holds 107 bytes) still gets a kernel."""
    from nbclient import NotebookClient

    from nmd_immuno.grading.sandbox_kernel import SandboxKernelManager

    deep = tmp_path / ("d" * 60) / ("e" * 60)
    deep.mkdir(parents=True)
    monkeypatch.setattr("tempfile.tempdir", str(deep))
    nb = new_notebook(cells=[new_code_cell("print(6 * 7)")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    client = NotebookClient(nb, timeout=60, kernel_manager_class=SandboxKernelManager, kernel_name="python3")
    client.km = client.create_kernel_manager()
    assert str(client.km._private).startswith("/tmp/nmd-sbx-")
    client.execute()
    assert nb.cells[0].outputs[0]["text"] == "42\n"
