"""Schema and loader for the simulation parameter files (``data/simulation/<disorder>.yaml``).

Every number the simulator uses is a :class:`Param`: a value (and, for quantities that vary between
patients, a standard deviation), the bibliography keys behind it and the published figure it was
calibrated to, and its status (calibrated, assumption or not modelled). The loader refuses a parameter
without a citation or a status, a key that the bibliography lacks, a probability above 1, a peak before its
onset, a strategy naming an unknown therapy, or a trial mapping whose arms and outcomes are not in
``data/trials.csv``; each error names the file, the key and the fault.

Why so strict: the simulator is calibrated to published trial figures and so can only echo them. Its
value for teaching is that every echo can be traced back to its source, and every assumption is labelled
as one.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from nmd_immuno.content.bibliography import check_references
from nmd_immuno.content.loader import data_path, display_name, file_stamp, load_yaml_model
from nmd_immuno.content.therapies import THERAPY_IDS
from nmd_immuno.errors import DataError

SIMULATION_DIR = "simulation"


Status = Literal["calibrated", "assumption", "not_modelled"]

# Openings of ``calibrated_to`` that only one status may carry: free text must not contradict the status.
_STATUS_OPENINGS: dict[str, Status] = {"assumption": "assumption", "not modelled": "not_modelled"}


class Param(BaseModel):
    """A number with its provenance: value, between-patient SD if any, citations, calibration target, status.

    ``status`` says how far the number can be trusted: ``calibrated`` (a published figure, or tuned to one),
    ``assumption`` (an illustrative teaching value) or ``not_modelled`` (a neutral value such as a hazard
    ratio of 1.0 set because the sources give no figure). It is required, and it is the only source of that
    answer: the caveats and the summary read it, never the wording of ``calibrated_to``. The wording is only
    checked not to contradict it (a ``calibrated_to`` opening with "assumption" under status ``calibrated``
    is refused), so that a reader of the file and the program see one answer.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    value: float
    sd: float | None = Field(default=None, ge=0)
    references: list[str] = Field(min_length=1)
    calibrated_to: str = Field(min_length=3)
    status: Status
    note: str | None = None

    @property
    def spread(self) -> float:
        """Between-patient SD (0 when the parameter is the same for everyone)."""
        return self.sd or 0.0

    @model_validator(mode="after")
    def _status_agrees_with_text(self) -> Param:
        text = self.calibrated_to.strip().lower()
        for opening, status in _STATUS_OPENINGS.items():
            if text.startswith(opening) and self.status != status:
                raise ValueError(
                    f"status {self.status!r} contradicts calibrated_to, which opens with {opening!r}; "
                    f"set status: {status} or reword calibrated_to"
                )
        return self


class Probability(Param):
    @field_validator("value")
    @classmethod
    def _between_0_and_1(cls, value: float) -> float:
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"a probability must be between 0 and 1 (given: {value})")
        return value


class NonNegative(Param):
    @field_validator("value")
    @classmethod
    def _not_negative(cls, value: float) -> float:
        if value < 0:
            raise ValueError(f"must be 0 or more (given: {value})")
        return value


class Positive(Param):
    @field_validator("value")
    @classmethod
    def _positive(cls, value: float) -> float:
        if value <= 0:
            raise ValueError(f"must be more than 0 (given: {value})")
        return value


class ScoreSpec(BaseModel):
    """The disability score the virtual patients move on (MG-ADL for MG) and its standard thresholds."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    column: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    minimum: int
    maximum: int
    responder_improvement: int = Field(ge=1)
    mse_maximum: int = Field(ge=0)
    #: Name of the "minimal symptom expression" outcome where the disorder has that concept (MG); None where
    #: it has not (CIDP), and the cohort summary then leaves the column out rather than show a foreign term.
    mse_label: str | None = None
    references: list[str] = Field(min_length=1)
    note: str | None = None
    #: Which way the scale runs: disability scores (MG-ADL, INCAT) fall as patients improve; strength scores
    #: (the MRC sum score) rise. For ``higher_is_better`` the population's ``baseline_score``,
    #: ``minimum_baseline`` and ``goal_score`` are still given on the score's own scale, and
    #: ``minimum_baseline`` then admits patients at most that strong (enough deficit to show improvement).
    direction: Literal["lower_is_better", "higher_is_better"] = "lower_is_better"

    @property
    def improvement_sign(self) -> int:
        """+1 when a fall in the score is an improvement, -1 when a rise is."""
        return 1 if self.direction == "lower_is_better" else -1

    def mse_name(self) -> str | None:
        """'minimal symptom expression (MG-ADL 0-1)': the label with the score range it stands for."""
        if self.mse_label is None:
            return None
        upper = "" if self.mse_maximum == self.minimum else f"-{self.mse_maximum}"
        return f"{self.mse_label} ({self.name} {self.minimum}{upper})"

    @model_validator(mode="after")
    def _range(self) -> ScoreSpec:
        if self.maximum <= self.minimum:
            raise ValueError(f"maximum ({self.maximum}) must be above minimum ({self.minimum})")
        if self.minimum < -128 or self.maximum > 127:
            raise ValueError(
                f"minimum/maximum: the simulator stores scores as small integers (-128 to 127); "
                f"given {self.minimum} to {self.maximum}"
            )
        if self.direction == "higher_is_better" and self.mse_label is not None:
            raise ValueError(
                "mse_label: minimal symptom expression is defined for a score that falls with improvement; "
                "a higher_is_better score must leave it out"
            )
        return self


class Population(BaseModel):
    """Who the virtual patients are and how their disease behaves without the therapies under study."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str
    baseline_score: NonNegative
    minimum_baseline: NonNegative
    visit_noise_sd: NonNegative
    placebo_effect: Param
    placebo_peak_months: NonNegative
    exacerbation_hazard_per_month: Probability
    exacerbation_points: NonNegative
    rescue_recovery_probability: Probability
    goal_score: NonNegative
    azathioprine_addon_probability_per_month: Probability
    azathioprine_addon_earliest_month: NonNegative


class SteroidPolicy(BaseModel):
    """How the daily prednisone dose moves: escalate while above goal, taper while at goal."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    ceiling_mg: NonNegative
    floor_mg: NonNegative
    escalation_mg_per_month: NonNegative
    taper_fraction_per_month: Probability
    early_worsening_points: NonNegative

    @model_validator(mode="after")
    def _floor_below_ceiling(self) -> SteroidPolicy:
        if self.floor_mg.value > self.ceiling_mg.value:
            raise ValueError(
                f"floor_mg ({self.floor_mg.value}) is above ceiling_mg ({self.ceiling_mg.value})"
            )
        return self


class SteroidAdverseEvents(BaseModel):
    """Serious glucocorticoid adverse events: a hazard proportional to the prednisone taken.

    Why per gram: the sources report adverse events rising with dose and with cumulative dose; a monthly
    hazard of ``hazard_per_gram`` x grams taken that month makes the risk of a first event by month t
    ``1 - exp(-hazard_per_gram x cumulative grams)``: driven by the current dose month by month, and by the
    cumulative dose over the follow-up.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str = Field(min_length=3)
    hazard_per_gram: NonNegative
    note: str | None = None


class TaperRelapse(BaseModel):
    """Relapse when prednisone is tapered below a threshold before a steroid-sparing effect is established.

    Each month a patient whose daily dose is below ``threshold_mg`` and below the highest dose they have
    had (so tapered, not a low start still being escalated) relapses at ``hazard_per_month``, lowered by
    ``sparing_protection`` x the fraction of effect reached by a steroid-sparing therapy the patient
    responds to (those listed in ``steroid_sparing_therapies``). A relapse adds ``points`` to the score,
    half of which persists each following month; the dose policy then re-escalates prednisone.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    threshold_mg: NonNegative
    hazard_per_month: Probability
    points: NonNegative
    sparing_protection: Probability
    steroid_sparing_therapies: list[str] = Field(default_factory=list)
    note: str | None = None


class SteroidStart(BaseModel):
    """A way of starting prednisone: first daily dose and the risk of early (steroid-induced) worsening."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str
    start_mg: NonNegative
    early_worsening_probability: Probability


THERAPY_PARAMETERS = (
    "response_probability",
    "effect",
    "onset_months",
    "peak_months",
    "loss_of_response_per_month",
    "exacerbation_hazard_ratio",
)


class TherapyParams(BaseModel):
    """How one therapy acts: who responds, by how much, from when, for how long, and its effect on crises."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    response_probability: Probability
    effect: NonNegative
    onset_months: NonNegative
    peak_months: NonNegative
    loss_of_response_per_month: Probability
    exacerbation_hazard_ratio: Positive

    @model_validator(mode="after")
    def _peak_after_onset(self) -> TherapyParams:
        if self.peak_months.value < self.onset_months.value:
            raise ValueError(
                f"peak_months ({self.peak_months.value}) is before onset_months ({self.onset_months.value})"
            )
        return self


class StrategyTherapy(BaseModel):
    """A therapy within a strategy, its start month and any parameters that differ in this setting."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    therapy: str
    start_month: int = Field(default=0, ge=0)
    overrides: dict[str, Param] = Field(default_factory=dict)


Background = Literal["trial_background", "prednisone_started", "maintenance_prednisone"]

BACKGROUND_LABELS: dict[str, str] = {
    "trial_background": (
        "trial setting: stable background therapy kept unchanged, as in the placebo-controlled trials "
        "(the background itself is not simulated: no prednisone dosing, no steroid adverse events)"
    ),
    "prednisone_started": "prednisone started and adjusted to the treatment goal (simulated)",
    "maintenance_prednisone": "already on maintenance prednisone, tapered when at goal (simulated)",
}


class Strategy(BaseModel):
    """A named treatment strategy a cohort can be run under.

    ``background`` says what the strategy's therapies are given on top of. It matters for comparisons:
    the biologic strategies reproduce placebo-controlled trials, whose patients stayed on their stable
    background therapy, so they run without simulated prednisone; comparing one with a prednisone strategy
    mixes the drug's effect with the difference in background.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str
    description: str
    background: Background
    therapies: list[StrategyTherapy]
    steroid_start: str | None = None
    azathioprine_addon: bool = False
    references: list[str] = Field(min_length=1)

    @property
    def adds_azathioprine(self) -> bool:
        """True when azathioprine may be started during follow-up (an add-on not already in the therapies)."""
        return self.azathioprine_addon and all(entry.therapy != "azathioprine" for entry in self.therapies)

    @property
    def therapy_ids(self) -> list[str]:
        """Every therapy a patient on this strategy may receive: those listed, then an azathioprine add-on.

        Why one place: the model (which draws the add-on) and the caveats (which ask what each therapy does
        to crises) must agree on the list.
        """
        listed = [entry.therapy for entry in self.therapies]
        return [*listed, "azathioprine"] if self.adds_azathioprine else listed

    @model_validator(mode="after")
    def _background_matches_therapies(self) -> Strategy:
        steroids = any(entry.therapy == "corticosteroids" for entry in self.therapies)
        if self.background == "trial_background" and steroids:
            raise ValueError(
                "background 'trial_background' means prednisone is not simulated, "
                "but corticosteroids are in the therapies"
            )
        if self.background != "trial_background" and not steroids:
            raise ValueError(
                f"background {self.background!r} needs corticosteroids in the therapies; "
                "use 'trial_background' for a strategy without simulated prednisone"
            )
        if self.background == "maintenance_prednisone" and self.steroid_start != "maintenance":
            raise ValueError(
                f"background 'maintenance_prednisone' needs steroid_start 'maintenance' "
                f"(given: {self.steroid_start!r})"
            )
        return self


Metric = Literal[
    "mean_change",
    "responder_fraction",
    "sustained_responder_fraction",
    "mse_fraction",
    "time_weighted_mean_score",
    "mean_alternate_day_prednisone_mg",
    "ever_azathioprine",
    "ever_crisis",
    "worst_rank_difference",
    "steroid_sparing_response",
    "minimal_manifestations_low_steroid",
]


class TrialArm(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    arm: str
    strategy: str
    steroid_start: str | None = None


class TrialOutcome(BaseModel):
    """How one published outcome is computed from a simulated arm, and how close the echo must be."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    outcome: str
    metric: Metric
    at_month: int = Field(ge=1)
    from_month: int | None = Field(default=None, ge=0)
    score_max: int | None = Field(default=None, ge=0)
    prednisone_max_mg: float | None = Field(default=None, ge=0)
    effect: Literal["difference", "ratio", "between_arm"]
    tolerance: float = Field(gt=0)
    note: str | None = None

    @model_validator(mode="after")
    def _metric_needs(self) -> TrialOutcome:
        if self.metric == "worst_rank_difference" and self.effect != "between_arm":
            raise ValueError(
                "metric worst_rank_difference is a between-arm statistic: effect must be 'between_arm'"
            )
        if self.effect == "between_arm" and self.metric != "worst_rank_difference":
            raise ValueError(
                f"effect 'between_arm' is only defined for worst_rank_difference, not {self.metric!r}"
            )
        if self.metric == "sustained_responder_fraction" and self.from_month is None:
            raise ValueError("metric sustained_responder_fraction needs from_month")
        if self.from_month is not None and self.from_month > self.at_month:
            raise ValueError(f"from_month ({self.from_month}) is after at_month ({self.at_month})")
        if self.metric == "minimal_manifestations_low_steroid" and (
            self.score_max is None or self.prednisone_max_mg is None
        ):
            raise ValueError(
                "metric minimal_manifestations_low_steroid needs score_max and prednisone_max_mg"
            )
        return self


class TrialMapping(BaseModel):
    """How to re-run one trial of ``data/trials.csv``: its arms as strategies, population and outcomes."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    months: int = Field(ge=1, le=120)
    #: ``parallel``: each arm its own virtual patients. ``crossover``: the same virtual patients under every
    #: arm (each period simulated from baseline: complete washout, no carry-over and no period effect).
    design: Literal["parallel", "crossover"] = "parallel"
    control_arm: str
    arms: list[TrialArm] = Field(min_length=2)
    population: dict[str, Param] = Field(default_factory=dict)
    steroid_policy: dict[str, Param] = Field(default_factory=dict)
    outcomes: list[TrialOutcome] = Field(min_length=1)
    note: str | None = None

    @model_validator(mode="after")
    def _control_is_an_arm(self) -> TrialMapping:
        names = [arm.arm for arm in self.arms]
        if self.control_arm not in names:
            raise ValueError(f"control_arm {self.control_arm!r} is not one of the arms {names}")
        if len(set(names)) != len(names):
            raise ValueError(f"arm names repeat: {names}")
        for outcome in self.outcomes:
            if outcome.at_month > self.months:
                raise ValueError(
                    f"outcome {outcome.outcome!r}: at_month {outcome.at_month} is after months {self.months}"
                )
        return self


class Replication(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    n_per_arm: int = Field(ge=10, le=200_000)
    note: str | None = None


def _check_override_keys(
    overrides: dict[str, Param], allowed: tuple[str, ...] | list[str], where: str
) -> None:
    unknown = sorted(set(overrides) - set(allowed))
    if unknown:
        raise ValueError(f"{where}: unknown parameter(s) {unknown}; allowed: {', '.join(allowed)}")


class SimulationParams(BaseModel):
    """Everything the simulator needs for one disorder, validated as a whole."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    disorder: Literal["cidp", "mmn", "paraproteinemic", "myasthenia_gravis", "myositis"]
    description: str
    score: ScoreSpec
    population: Population
    steroid_policy: SteroidPolicy
    steroid_starts: dict[str, SteroidStart]
    steroid_adverse_events: SteroidAdverseEvents | None = None
    taper_relapse: TaperRelapse | None = None
    therapies: dict[str, TherapyParams]
    strategies: dict[str, Strategy] = Field(min_length=1)
    replication: Replication
    trials: dict[str, TrialMapping] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _cross_references(self) -> SimulationParams:
        for therapy in self.therapies:
            if therapy not in THERAPY_IDS:
                raise ValueError(f"therapies.{therapy}: not a therapy id of data/therapies.yaml")
        if self.taper_relapse is not None:
            sparing_known = sorted(set(self.therapies) - {"corticosteroids"})
            for therapy in self.taper_relapse.steroid_sparing_therapies:
                if therapy not in sparing_known:
                    raise ValueError(
                        f"taper_relapse.steroid_sparing_therapies: {therapy!r} is not a steroid-sparing "
                        f"therapy with parameters; allowed: {', '.join(sparing_known)}"
                    )
        for name, strategy in self.strategies.items():
            ids = [entry.therapy for entry in strategy.therapies]
            for entry in strategy.therapies:
                if entry.therapy not in self.therapies:
                    raise ValueError(
                        f"strategies.{name}: therapy {entry.therapy!r} has no parameters; "
                        f"known: {', '.join(sorted(self.therapies))}"
                    )
                _check_override_keys(
                    entry.overrides, THERAPY_PARAMETERS, f"strategies.{name}.{entry.therapy}.overrides"
                )
                try:
                    self.therapy_for(entry)
                except ValueError as exc:
                    raise ValueError(f"strategies.{name}.{entry.therapy}.overrides: {exc}") from None
            if len(set(ids)) != len(ids):
                raise ValueError(f"strategies.{name}: a therapy is listed twice")
            steroids = "corticosteroids" in ids
            if steroids and strategy.steroid_start not in self.steroid_starts:
                raise ValueError(
                    f"strategies.{name}: steroid_start {strategy.steroid_start!r} must be one of "
                    f"{sorted(self.steroid_starts)} when corticosteroids are given"
                )
            if not steroids and strategy.steroid_start is not None:
                raise ValueError(
                    f"strategies.{name}: steroid_start given but corticosteroids are not in the strategy"
                )
            if strategy.azathioprine_addon and "azathioprine" not in self.therapies:
                raise ValueError(f"strategies.{name}: azathioprine_addon needs azathioprine parameters")
        for trial_id, trial in self.trials.items():
            for arm in trial.arms:
                if arm.strategy not in self.strategies:
                    raise ValueError(
                        f"trials.{trial_id}: arm {arm.arm!r} uses unknown strategy {arm.strategy!r}"
                    )
                if arm.steroid_start is not None and arm.steroid_start not in self.steroid_starts:
                    raise ValueError(
                        f"trials.{trial_id}: arm {arm.arm!r} has unknown steroid_start {arm.steroid_start!r}"
                    )
            _check_override_keys(
                trial.population, list(Population.model_fields), f"trials.{trial_id}.population"
            )
            _check_override_keys(
                trial.steroid_policy, list(SteroidPolicy.model_fields), f"trials.{trial_id}.steroid_policy"
            )
        return self

    def therapy_for(self, entry: StrategyTherapy) -> TherapyParams:
        """A therapy's parameters within a strategy (its overrides applied and re-validated)."""
        base = self.therapies[entry.therapy]
        if not entry.overrides:
            return base
        merged = {**base.model_dump(), **{k: v.model_dump() for k, v in entry.overrides.items()}}
        return TherapyParams.model_validate(merged)

    def population_for(self, trial_id: str | None = None) -> Population:
        """The default population, or the population of a trial (its overrides applied and re-validated)."""
        if trial_id is None or not self.trials[trial_id].population:
            return self.population
        merged = {
            **self.population.model_dump(),
            **{k: v.model_dump() for k, v in self.trials[trial_id].population.items()},
        }
        return Population.model_validate(merged)

    def steroid_policy_for(self, trial_id: str | None = None) -> SteroidPolicy:
        if trial_id is None or not self.trials[trial_id].steroid_policy:
            return self.steroid_policy
        overrides = {k: v.model_dump() for k, v in self.trials[trial_id].steroid_policy.items()}
        return SteroidPolicy.model_validate({**self.steroid_policy.model_dump(), **overrides})


def _walk_citations(node: object, path: str):
    """Yield (key path, references) for every cited element of the parameter tree."""
    if isinstance(node, BaseModel):
        refs = getattr(node, "references", None)
        if isinstance(refs, list):
            yield path or "(top level)", refs
        for name in type(node).model_fields:
            if name == "references":
                continue
            yield from _walk_citations(getattr(node, name), f"{path}.{name}" if path else name)
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _walk_citations(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk_citations(value, f"{path}[{index}]")


def _check_trials_exist(params: SimulationParams, file: str) -> None:
    """Every mapped trial, arm and outcome must be a row of trials.csv: published figures come from there."""
    from nmd_immuno.simulate.trials import trial_rows

    rows = trial_rows()
    for trial_id, trial in params.trials.items():
        mine = [row for row in rows if row.trial_id == trial_id]
        if not mine:
            raise DataError(file, f"key trials.{trial_id}", "no such trial_id in data/trials.csv")
        arms = {row.arm for row in mine}
        for arm in trial.arms:
            if arm.arm not in arms:
                raise DataError(
                    file,
                    f"key trials.{trial_id}.arms",
                    f"arm {arm.arm!r} is not in data/trials.csv (arms: {sorted(arms)})",
                )
        for index, outcome in enumerate(trial.outcomes):
            matching = [row for row in mine if row.outcome == outcome.outcome and row.value is not None]
            if not matching:
                raise DataError(
                    file,
                    f"key trials.{trial_id}.outcomes[{index}]",
                    f"outcome {outcome.outcome!r} has no figure in data/trials.csv for this trial",
                )
            if outcome.effect != "between_arm":
                with_value = {row.arm for row in matching}
                missing = [arm.arm for arm in trial.arms if arm.arm not in with_value]
                if missing:
                    raise DataError(
                        file,
                        f"key trials.{trial_id}.outcomes[{index}]",
                        f"outcome {outcome.outcome!r} has no published value for arm(s) {missing}",
                    )


def parameter_file(disorder: str) -> Path:
    return data_path(Path(SIMULATION_DIR) / f"{disorder}.yaml")


def load_simulation_params(disorder: str) -> SimulationParams:
    """Load, validate and cross-check ``data/simulation/<disorder>.yaml``.

    Cached per disorder until the file (or ``data/trials.csv``, which it is cross-checked against) changes.
    """
    from nmd_immuno.simulate.trials import TRIALS_FILE

    return _load(disorder, file_stamp(parameter_file(disorder)), file_stamp(data_path(TRIALS_FILE)))


@lru_cache(maxsize=8)
def _load(disorder: str, stamp: tuple[str, int, int], trials_stamp: tuple[str, int, int]) -> SimulationParams:
    path = Path(stamp[0])
    name = display_name(path)
    params = load_yaml_model(path, SimulationParams)
    if params.disorder != disorder:
        raise DataError(name, "key disorder", f"file for {disorder!r} says disorder {params.disorder!r}")
    for location, refs in _walk_citations(params, ""):
        check_references(refs, name, f"key {location}")
    _check_trials_exist(params, name)
    return params


def available_disorders() -> list[str]:
    """Disorders that have a simulation parameter file."""
    folder = data_path(SIMULATION_DIR)
    return sorted(p.stem for p in folder.glob("*.yaml")) if folder.exists() else []


def clear_cache() -> None:
    """Forget loaded parameter sets (the cache already follows the files; this forces a re-read)."""
    _load.cache_clear()
