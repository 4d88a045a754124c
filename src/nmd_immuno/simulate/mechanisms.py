"""Parts of the model a disorder's parameter file can switch off: crises, prednisone, the azathioprine add-on.

Why: the parameter schema is shared by every disorder, but some of its mechanisms are specific to one (crises
and steroid-induced early worsening are myasthenic). A file sets them to neutral values with status
``not_modelled``; the cohorts then contain zeros for them. Shown in a summary, those zeros would read as
"no crises, no prednisone" when the truth is "not simulated". The summary leaves them out and the caveats
name them instead. Whether a mechanism is modelled is read from its parameters' ``status`` alone, never
from the disorder's name, so a new parameter file needs no code change.
"""

from __future__ import annotations

from dataclasses import dataclass

from nmd_immuno.simulate.params import Param, SimulationParams


@dataclass(frozen=True)
class Mechanism:
    """One switchable part of the model, the parameters that drive it and what a reader calls it."""

    key: str
    label: str
    parameters: tuple[str, ...]
    therapy: str | None = None
    """A therapy whose own parameters make the mechanism's output meaningful even with the parameters off
    (azathioprine listed in a strategy from the start is simulated without the add-on parameters)."""

    def is_modelled(self, params: SimulationParams) -> bool:
        """False when every parameter is marked not modelled (and the therapy, if any, has no parameters)."""
        if self.therapy is not None and self.therapy in params.therapies:
            return True
        return any(_param(params, path).status != "not_modelled" for path in self.parameters)


MECHANISMS: tuple[Mechanism, ...] = (
    Mechanism(
        "crises",
        "crises (exacerbations needing hospital and rescue treatment)",
        (
            "population.exacerbation_hazard_per_month",
            "population.exacerbation_points",
            "population.rescue_recovery_probability",
        ),
    ),
    Mechanism(
        "prednisone",
        "prednisone dosing and what follows from it (early steroid-induced worsening, relapse on taper, "
        "steroid adverse events, cumulative dose)",
        (
            "steroid_policy.ceiling_mg",
            "steroid_policy.floor_mg",
            "steroid_policy.escalation_mg_per_month",
            "steroid_policy.taper_fraction_per_month",
            "steroid_policy.early_worsening_points",
        ),
    ),
    Mechanism(
        "azathioprine",
        "azathioprine added during follow-up",
        (
            "population.azathioprine_addon_probability_per_month",
            "population.azathioprine_addon_earliest_month",
        ),
        therapy="azathioprine",
    ),
)


def _param(params: SimulationParams, path: str) -> Param:
    node: object = params
    for name in path.split("."):
        node = getattr(node, name)
    if not isinstance(node, Param):
        raise TypeError(f"{path} is not a parameter")  # a programming error in MECHANISMS, not bad input
    return node


def mechanisms_not_modelled(params: SimulationParams) -> tuple[Mechanism, ...]:
    """The mechanisms this parameter set switches off, in the order of :data:`MECHANISMS`."""
    return tuple(mechanism for mechanism in MECHANISMS if not mechanism.is_modelled(params))
