"""Typed view of ``data/dosing.yaml``: every number and warning text the calculators use.

Why a schema: a clinician edits the YAML, not the Python. Pydantic refuses a misspelt key or a range whose
minimum exceeds its maximum, and every ``references`` list is checked against the bibliography, so a broken
edit fails when the file is loaded, with the file and the key in the message, instead of silently changing
a dose.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from nmd_immuno.content.bibliography import check_references
from nmd_immuno.content.loader import data_path, load_yaml_model
from nmd_immuno.content.patient_fields import load_patient_fields
from nmd_immuno.errors import DoseRefused

DOSING_FILE = "dosing.yaml"

#: IVIG risk-factor ids of the public API (common brief): the YAML must describe exactly these.
IVIG_RISK_FACTORS: tuple[str, ...] = (
    "age_over_65",
    "prior_thrombosis",
    "immobility",
    "estrogens",
    "hyperviscosity",
    "cardiovascular_risk",
    "renal_impairment",
    "diabetes",
    "volume_depletion",
    "nephrotoxic_drugs",
    "sucrose_product",
    "iga_deficiency_anti_iga",
    "non_o_blood_group",
    "heart_failure",
)

#: Rituximab regimen ids of the public API; the YAML may add more.
RITUXIMAB_REGIMENS: tuple[str, ...] = ("375_mg_m2_weekly_x4", "1000_mg_x2")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Limit(_Strict):
    """A plausibility range for an input (physical limits, no citation needed)."""

    min: float
    max: float
    unit: str = ""
    note: str = ""

    @model_validator(mode="after")
    def _ordered(self) -> Limit:
        if self.min > self.max:
            raise ValueError(f"min {self.min} is greater than max {self.max}")
        return self


class CitedRange(Limit):
    """A clinical range (dose, duration...): must cite its source."""

    references: list[str]


class CitedValue(_Strict):
    value: float
    references: list[str]


class CitedText(_Strict):
    text: str
    references: list[str]


class InputLimits(_Strict):
    weight_kg: Limit
    height_cm: Limit
    hematocrit: Limit
    age: Limit
    bmi: Limit


class Mosteller(_Strict):
    divisor: float = Field(gt=0)
    references: list[str]


class Devine(_Strict):
    base_kg: dict[str, float]
    kg_per_inch: float = Field(gt=0)
    base_height_in: float = Field(gt=0)
    cm_per_inch: float = Field(gt=0)
    references: list[str]

    @model_validator(mode="after")
    def _both_sexes(self) -> Devine:
        if set(self.base_kg) != {"female", "male"}:
            raise ValueError(f"base_kg must give 'female' and 'male', got {sorted(self.base_kg)}")
        return self

    @property
    def min_height_cm(self) -> float:
        """The formula is defined from its base height (60 in = 152.4 cm) upward."""
        return self.base_height_in * self.cm_per_inch


class AdjustedWeight(_Strict):
    excess_fraction: float = Field(gt=0, lt=1)
    obesity_bmi: float = Field(gt=0)
    references: list[str]


class BodySize(_Strict):
    mosteller: Mosteller
    devine: Devine
    adjusted_weight: AdjustedWeight


class IvigPreset(_Strict):
    label: str
    g_per_kg: float
    days: int
    interval_weeks: int | None
    references: list[str]


class IvigRiskFactor(_Strict):
    label: str
    at_risk: bool
    warning: str
    references: list[str]


class Ivig(_Strict):
    g_per_kg: CitedRange
    max_g_per_kg_per_day: CitedValue
    days: CitedRange
    interval_weeks: CitedRange
    vial_g: Limit
    at_risk_days: CitedValue
    high_dose_g_per_kg: CitedValue
    presets: dict[str, IvigPreset]
    general_warnings: list[CitedText]
    high_dose_warning: CitedText
    at_risk_warning: CitedText
    risk_factors: dict[str, IvigRiskFactor]

    @model_validator(mode="after")
    def _consistent(self) -> Ivig:
        given, expected = set(self.risk_factors), set(IVIG_RISK_FACTORS)
        if given != expected:
            raise ValueError(
                f"risk_factors must be exactly the API ids; missing {sorted(expected - given)}, "
                f"unknown {sorted(given - expected)}"
            )
        for name, preset in self.presets.items():
            if not self.g_per_kg.min <= preset.g_per_kg <= self.g_per_kg.max:
                raise ValueError(
                    f"preset {name!r}: g_per_kg {preset.g_per_kg} outside the allowed g_per_kg range"
                )
            if preset.g_per_kg / preset.days > self.max_g_per_kg_per_day.value:
                raise ValueError(f"preset {name!r}: more than max_g_per_kg_per_day on one day")
        return self


class PlasmaExchangeCount(CitedRange):
    typical: float


class PlasmaExchange(_Strict):
    epv_l_per_kg: CitedValue
    plasma_volumes: CitedRange
    exchanges: PlasmaExchangeCount
    days: PlasmaExchangeCount
    replacement: CitedText
    fraction_removed_note: CitedText
    warnings: list[CitedText]


class SteroidIndication(_Strict):
    label: str
    ceiling_mg: float = Field(gt=0)
    references: list[str]
    warnings: list[CitedText]


class Prednisone(_Strict):
    mg_per_kg: CitedRange
    absolute_max_mg: CitedValue
    low_start_mg: CitedValue
    high_start_mg: CitedValue
    titration_step_mg: CitedValue
    titration_interval: CitedText
    indications: dict[str, SteroidIndication]
    early_worsening_warning: CitedText
    outpatient_bulbar_warning: CitedText
    pjp_threshold_mg: CitedValue
    pjp_warning: CitedText
    safety_warnings: list[CitedText]

    @model_validator(mode="after")
    def _ceilings_below_absolute(self) -> Prednisone:
        for name, indication in self.indications.items():
            if indication.ceiling_mg > self.absolute_max_mg.value:
                raise ValueError(f"indication {name!r}: ceiling_mg above absolute_max_mg")
        if "myasthenia_gravis" not in self.indications:
            raise ValueError("indications must include 'myasthenia_gravis' (the API default)")
        return self


class Methylprednisolone(_Strict):
    mg_per_day: CitedRange
    days: CitedRange
    max_mg_per_kg: CitedValue
    warnings: list[CitedText]


class TaperBand(_Strict):
    above_mg: float = Field(ge=0)
    step_mg: float = Field(gt=0)
    interval_weeks: int = Field(gt=0)


class Taper(_Strict):
    bands: list[TaperBand]
    start_mg: Limit
    target_mg: Limit
    references: list[str]

    @model_validator(mode="after")
    def _bands_descending_to_zero(self) -> Taper:
        thresholds = [band.above_mg for band in self.bands]
        if not thresholds or thresholds != sorted(thresholds, reverse=True) or thresholds[-1] != 0:
            raise ValueError("bands must be sorted by above_mg, highest first, ending with above_mg: 0")
        return self


class Corticosteroids(_Strict):
    prednisone: Prednisone
    methylprednisolone: Methylprednisolone
    taper: Taper


class RituximabRegimen(_Strict):
    label: str
    mg_per_m2: float | None = Field(default=None, gt=0)
    fixed_mg: float | None = Field(default=None, gt=0)
    infusions: int = Field(gt=0)
    interval_days: int | None = Field(default=None, gt=0)
    references: list[str]

    @model_validator(mode="after")
    def _one_basis(self) -> RituximabRegimen:
        if (self.mg_per_m2 is None) == (self.fixed_mg is None):
            raise ValueError("give exactly one of mg_per_m2 and fixed_mg")
        if self.infusions > 1 and self.interval_days is None:
            raise ValueError("interval_days is required when there is more than one infusion")
        return self


class DoseAboveWarning(_Strict):
    """A warning shown when a calculated dose is above ``above_mg`` (a usual absolute dose, not a maximum)."""

    above_mg: float = Field(gt=0)
    text: str
    references: list[str]


class Rituximab(_Strict):
    regimens: dict[str, RituximabRegimen]
    hbv_refusal: CitedText
    live_vaccine_refusal: CitedText
    high_dose_warning: DoseAboveWarning
    warnings: list[CitedText]

    @model_validator(mode="after")
    def _api_regimens(self) -> Rituximab:
        missing = [r for r in RITUXIMAB_REGIMENS if r not in self.regimens]
        if missing:
            raise ValueError(f"regimens must include the API regimens; missing {missing}")
        return self


class FactorRange(_Strict):
    low: float = Field(gt=0, le=1)
    high: float = Field(gt=0, le=1)
    references: list[str]

    @model_validator(mode="after")
    def _ordered(self) -> FactorRange:
        if self.low > self.high:
            raise ValueError(f"low {self.low} is greater than high {self.high}")
        return self


class AzathioprinePhenotypes(_Strict):
    tpmt_intermediate: FactorRange
    nudt15_intermediate: FactorRange
    both_intermediate: FactorRange


class AzathioprineRefusals(_Strict):
    poor: CitedText
    unknown: CitedText


class Azathioprine(_Strict):
    mg_per_kg: CitedRange
    tablet_mg: CitedValue
    start_mg: CitedValue
    titration: CitedText
    phenotype_factors: AzathioprinePhenotypes
    xanthine_oxidase_factor: FactorRange
    refusals: AzathioprineRefusals
    intermediate_warning: CitedText
    xanthine_oxidase_warning: CitedText
    warnings: list[CitedText]


class Methotrexate(_Strict):
    weekly_mg: CitedRange
    step_mg: CitedValue
    routes: dict[str, CitedText]
    daily_refusal: CitedText
    pregnancy_refusal: CitedText
    egfr_ml_min: Limit
    renal_refuse_below: CitedValue
    renal_reduce_below: CitedValue
    renal_dose_factor: CitedValue
    renal_refusal: CitedText
    renal_reduce_warning: CitedText
    renal_below_minimum_warning: CitedText
    renal_unknown_warning: CitedText
    folic_acid: CitedText
    warnings: list[CitedText]

    @model_validator(mode="after")
    def _renal_thresholds_ordered(self) -> Methotrexate:
        if self.renal_refuse_below.value >= self.renal_reduce_below.value:
            raise ValueError("renal_refuse_below must be below renal_reduce_below")
        if not 0 < self.renal_dose_factor.value <= 1:
            raise ValueError("renal_dose_factor must be a fraction in (0, 1]")
        return self


class Mycophenolate(_Strict):
    daily_g: CitedRange
    doses_per_day: CitedValue
    step_mg: CitedValue
    pregnancy_refusal: CitedText
    reproductive_warning: CitedText
    warnings: list[CitedText]


class WeightBand(_Strict):
    """Doses for patients weighing at least ``from_kg`` (up to the next band's ``from_kg``)."""

    from_kg: float = Field(ge=0)
    loading_mg: list[float] = Field(default_factory=list)  # one dose per week of the loading phase
    mg: float = Field(gt=0)  # the maintenance (or per-infusion) dose


class AgeLimit(_Strict):
    """The youngest age a drug's label covers in generalized MG, and why younger patients are refused."""

    min_years: float = Field(ge=0)
    text: str
    references: list[str]


class WeightWarning(_Strict):
    """A warning shown from ``from_kg`` up (e.g. an mg/kg dose without a labelled maximum)."""

    from_kg: float = Field(gt=0)
    text: str
    references: list[str]


def pick_band(bands: list[WeightBand], weight_kg: float) -> WeightBand | None:
    """The band a weight falls in (highest ``from_kg`` not above it); None below the lowest band."""
    fitting = [band for band in bands if band.from_kg <= weight_kg + 1e-9]
    return fitting[-1] if fitting else None


def band_for_weight(bands: list[WeightBand], weight_kg: float, drug: str) -> WeightBand:
    """The label's weight band for this weight; DoseRefused below the lowest band (the label gives no dose).

    Why a refusal: the bands are a label's table; below its lowest weight the table has no dose, and an
    extrapolated one would be invented. Used by every banded drug (complement and FcRn inhibitors).
    """
    band = pick_band(bands, weight_kg)
    if band is None:
        raise DoseRefused(
            f"weight_kg: {weight_kg:g} kg is below the labelled weight bands: {bands[0].from_kg:g} kg is the "
            f"lowest weight the label's dosing table for {drug} in generalized myasthenia gravis covers; no "
            "dose can be given from it"
        )
    return band


def band_label(bands: list[WeightBand], band: WeightBand) -> str:
    """'60 to <100 kg' (or '≥100 kg', 'any weight'): the band as a reader sees it in a label table."""
    upper = [b.from_kg for b in bands if b.from_kg > band.from_kg]
    if not upper:
        return "any weight" if band.from_kg == 0 else f"≥{band.from_kg:g} kg"
    if band.from_kg == 0:
        return f"<{upper[0]:g} kg"
    return f"{band.from_kg:g} to <{upper[0]:g} kg"


def mg_antibody_labels() -> dict[str, str]:
    """Myasthenia gravis antibody id -> label, the public API's vocabulary (``data/patient_fields.yaml``).

    Why borrowed from the patient fields: the calculators and ``recommend()`` must accept the same ids.
    """
    spec = load_patient_fields().disorders["myasthenia_gravis"]["antibody"]
    return {value: spec.label_of(value) for value in spec.values or []}


def _check_bands(bands: list[WeightBand], name: str) -> None:
    starts = [band.from_kg for band in bands]
    if not starts or starts != sorted(set(starts)):
        raise ValueError(f"{name}: bands must be in increasing from_kg order without repeats")


class ComplementDrug(_Strict):
    label: str
    route: str
    maintenance_interval_days: int = Field(gt=0)
    maintenance_from_week: int = Field(ge=0)
    age_limit: AgeLimit
    bands: list[WeightBand]
    references: list[str]
    warnings: list[CitedText] = Field(default_factory=list)

    @model_validator(mode="after")
    def _bands_ordered(self) -> ComplementDrug:
        _check_bands(self.bands, self.label)
        for band in self.bands:
            # Loading doses fall in weeks 0, 1, ...; maintenance must start after the last of them.
            if len(band.loading_mg) > self.maintenance_from_week:
                raise ValueError(
                    f"{self.label}: band from {band.from_kg:g} kg has {len(band.loading_mg)} loading doses "
                    f"(weeks 0 to {len(band.loading_mg) - 1}), but maintenance_from_week is "
                    f"{self.maintenance_from_week}; give at most {self.maintenance_from_week} loading doses "
                    "or start maintenance later"
                )
        return self


class ComplementInhibitors(_Strict):
    vaccination_days: Limit
    vaccination_min_days: CitedValue
    vaccination_refusal: CitedText
    prophylaxis_warning: CitedText
    antibodies: list[str]
    antibody_warning: CitedText
    drugs: dict[str, ComplementDrug]
    warnings: list[CitedText]


class FcrnDrug(_Strict):
    label: str
    route: str
    antibodies: list[str]
    mg_per_kg: float | None = Field(default=None, gt=0)
    loading_mg_per_kg: float | None = Field(default=None, gt=0)
    bands: list[WeightBand] = Field(default_factory=list)
    max_mg: float | None = Field(default=None, gt=0)
    doses_per_cycle: int | None = Field(default=None, gt=0)  # None: continuous dosing
    interval_days: int = Field(gt=0)
    cycle_note: str = ""
    age_limit: AgeLimit
    high_weight_warning: WeightWarning | None = None
    references: list[str]
    warnings: list[CitedText] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_basis(self) -> FcrnDrug:
        if (self.mg_per_kg is None) == (not self.bands):
            raise ValueError(f"{self.label}: give exactly one of mg_per_kg and bands")
        if self.bands:
            _check_bands(self.bands, self.label)
            if self.loading_mg_per_kg is not None:
                # An mg/kg loading dose beside a weight-band table would mix two dosing bases in one plan.
                raise ValueError(
                    f"{self.label}: loading_mg_per_kg cannot be combined with bands; a loading dose in mg/kg "
                    "goes with mg_per_kg dosing only"
                )
        return self


class FcrnInhibitors(_Strict):
    antibody_warning: CitedText
    live_vaccine_refusal: CitedText
    drugs: dict[str, FcrnDrug]
    warnings: list[CitedText]


class DosingParameters(_Strict):
    disclaimer: str = Field(min_length=20)
    input_limits: InputLimits
    body_size: BodySize
    ivig: Ivig
    plasma_exchange: PlasmaExchange
    corticosteroids: Corticosteroids
    rituximab: Rituximab
    azathioprine: Azathioprine
    methotrexate: Methotrexate
    mycophenolate: Mycophenolate
    complement_inhibitors: ComplementInhibitors
    fcrn_inhibitors: FcrnInhibitors


def _check_citations(node: object, path: str, file: str) -> None:
    """Walk the parsed file and check every ``references`` list against the bibliography."""
    if isinstance(node, BaseModel):
        refs = getattr(node, "references", None)
        if refs is not None:
            check_references(refs, file, f"key {path}")
        for name in type(node).model_fields:
            _check_citations(getattr(node, name), f"{path}.{name}" if path else name, file)
    elif isinstance(node, dict):
        for key, value in node.items():
            _check_citations(value, f"{path}.{key}", file)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            _check_citations(value, f"{path}[{index}]", file)


@cache
def _load(path: Path, modified_ns: int) -> DosingParameters:
    params = load_yaml_model(path, DosingParameters)
    _check_citations(params, "", f"data/{DOSING_FILE}")
    return params


def dosing_parameters() -> DosingParameters:
    """The validated contents of ``data/dosing.yaml``.

    Cached per file and modification time: cheap on every calculator call, yet an edit to the YAML is seen
    by a running notebook without a restart.
    """
    path = data_path(DOSING_FILE)
    return _load(path, path.stat().st_mtime_ns if path.exists() else 0)


__all__ = [
    "IVIG_RISK_FACTORS",
    "RITUXIMAB_REGIMENS",
    "AgeLimit",
    "DosingParameters",
    "WeightBand",
    "band_for_weight",
    "band_label",
    "dosing_parameters",
    "mg_antibody_labels",
    "pick_band",
]
