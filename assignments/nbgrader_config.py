"""nbgrader configuration of the course "Immunotherapy in Neuromuscular Disorders".

Read by every nbgrader command run in this folder (and by the formgrader on a JupyterHub); the course's
``python -m nmd_immuno.grading`` commands pass the same course directory, exchange and course id explicitly.
The environment variables below let one file serve a laptop, a test's temporary course and a hub:

- ``NMD_COURSE_ID``: course id (default ``nmd-immuno``); on a hub it must match the course in the hub's
  nbgrader configuration;
- ``NBGRADER_EXCHANGE``: exchange directory (default ``exchange/`` beside this file; on a hub a shared folder
  such as nbgrader's default ``/usr/local/share/nbgrader/exchange``);
- ``NMD_GRADING_TIMEOUT``: seconds a cell may run when autograding (default 60);
- ``NMD_GRADEBOOK_URL``: a gradebook on a database server (SQLAlchemy URL, e.g. PostgreSQL) for several
  graders; by default the gradebook is ``gradebook.db`` (sqlite) beside this file: one grader, on a local
  disk.

The preprocessor lists are nbgrader's defaults with course classes swapped in
(``nmd_immuno.grading.preprocessors``, ``nmd_immuno.grading.sandboxed_execute``): deleted test cells are put
back, every kernel runs in the bubblewrap sandbox (no course folder, gradebook, network or grader
environment in sight; ``--SandboxedExecute.sandbox=False`` turns it off), hidden tests run in a separate
grading run whose outputs are never kept, runaway output is capped while it arrives, and feedback never shows
hidden tests, neither as code nor inside a traceback.
"""

import os
from pathlib import Path

c = get_config()  # noqa: F821  (provided by traitlets when nbgrader loads this file)

_here = Path(__file__).resolve().parent

c.CourseDirectory.root = str(_here)
c.CourseDirectory.course_id = os.environ.get("NMD_COURSE_ID", "nmd-immuno")
c.Exchange.root = os.environ.get("NBGRADER_EXCHANGE", str(_here / "exchange"))
if os.environ.get("NMD_GRADEBOOK_URL"):
    c.CourseDirectory.db_url = os.environ["NMD_GRADEBOOK_URL"]

# Never grade or release generated folders or editor debris.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".DS_Store"]

# Students' stubs.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Autograding: a hard limit per cell (an infinite loop is interrupted, later cells still run); widget
# cells check os.environ.get("NBGRADER_EXECUTION") and do nothing while grading.
c.Execute.timeout = int(os.environ.get("NMD_GRADING_TIMEOUT", "60"))
c.Execute.interrupt_on_timeout = True
c.LimitOutput.max_lines = 1000
c.LimitOutput.max_traceback = 100
c.GuardedExecute.max_output_chars = 200_000

c.Autograde.sanitize_preprocessors = [
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "nmd_immuno.grading.preprocessors.RestoreCells",
    "nbgrader.preprocessors.CheckCellMetadata",
]
c.Autograde.autograde_preprocessors = [
    "nmd_immuno.grading.sandboxed_execute.SandboxedExecute",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]

# Feedback: hidden tests and mark schemes removed, failing hidden asserts summarised without their text.
c.GenerateFeedback.preprocessors = [
    "nmd_immuno.grading.preprocessors.SanitiseFeedback",
    "nbgrader.preprocessors.GetGrades",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
