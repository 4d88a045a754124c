"""Virtual patients and cohorts: month-by-month disability under a treatment strategy, and trial replication.

Public API: :func:`simulate_cohort`, :func:`compare_strategies`, :func:`replicate_trial`,
:func:`plot_comparison`, :func:`summarize_cohorts`, :func:`comparison_caveats`, :func:`replication_table` and
:func:`summary_table` (readable displays of those results), :func:`list_strategies`, and
:func:`~nmd_immuno.simulate.trials.load_trials` for the published trial figures of ``data/trials.csv``.

The simulator is calibrated to published trial figures and so can only echo them: it shows what a trial's
numbers mean for a cohort month by month (trajectories, responders, crises, steroid exposure); it does not
predict anything new, and it is for education, never for treating patients.
"""

from nmd_immuno.simulate.cohort import (
    compare_strategies,
    comparison_caveats,
    describe_strategy,
    list_strategies,
    simulate_cohort,
    summarize_cohorts,
)
from nmd_immuno.simulate.model import SimulationInputError
from nmd_immuno.simulate.plotting import plot_comparison
from nmd_immuno.simulate.replicate import replicable_trials, replicate_trial
from nmd_immuno.simulate.tables import replication_table, summary_table
from nmd_immuno.simulate.trials import load_trials

__all__ = [
    "SimulationInputError",
    "compare_strategies",
    "comparison_caveats",
    "describe_strategy",
    "list_strategies",
    "load_trials",
    "plot_comparison",
    "replicable_trials",
    "replicate_trial",
    "replication_table",
    "simulate_cohort",
    "summarize_cohorts",
    "summary_table",
]
