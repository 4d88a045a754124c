"""Teaching dose calculators for immunotherapy in neuromuscular disease. NOT a prescribing tool.

Each calculator returns a result object (numbers, ``warnings``, ``references``, ``notes``, the disclaimer,
``as_dict()`` and an HTML table for notebooks) or raises :class:`~nmd_immuno.errors.DoseInputError` for
impossible input (naming the field, the value and the allowed range) or
:class:`~nmd_immuno.errors.DoseRefused` for a safety hard stop. Every number comes from
``data/dosing.yaml`` with its sources.

>>> from nmd_immuno.dosing import ivig_dose
>>> ivig_dose(70, 175, "male").rounded_total_g
140.0
"""

from nmd_immuno.dosing.azathioprine import METABOLIZER_STATUSES, AzathioprineDose, azathioprine_dose
from nmd_immuno.dosing.body import (
    adjusted_body_weight_kg,
    body_surface_area_m2,
    estimated_plasma_volume_l,
    ideal_body_weight_kg,
)
from nmd_immuno.dosing.common import DoseResult, Refusal, attempt
from nmd_immuno.dosing.complement import ComplementDose, complement_drugs, complement_inhibitor_dose
from nmd_immuno.dosing.fcrn import FcrnDose, fcrn_drugs, fcrn_inhibitor_dose
from nmd_immuno.dosing.ivig import WEIGHT_BASES, IvigDose, ivig_dose, ivig_presets, ivig_risk_factor_labels
from nmd_immuno.dosing.methotrexate import SCHEDULES, MethotrexateDose, methotrexate_dose, methotrexate_routes
from nmd_immuno.dosing.mycophenolate import MycophenolateDose, mycophenolate_dose
from nmd_immuno.dosing.parameters import (
    IVIG_RISK_FACTORS,
    RITUXIMAB_REGIMENS,
    dosing_parameters,
    mg_antibody_labels,
)
from nmd_immuno.dosing.plasma_exchange import PlasmaExchangePlan, exchange_schedule, plasma_exchange_plan
from nmd_immuno.dosing.rituximab import RituximabDose, rituximab_dose, rituximab_regimens
from nmd_immuno.dosing.steroids import (
    MethylprednisoloneDose,
    SteroidDose,
    methylprednisolone_pulse,
    prednisone_dose,
    steroid_indications,
)
from nmd_immuno.dosing.taper import TaperStep, steroid_taper, taper_html
from nmd_immuno.errors import DoseInputError, DoseRefused

__all__ = [
    "IVIG_RISK_FACTORS",
    "METABOLIZER_STATUSES",
    "RITUXIMAB_REGIMENS",
    "SCHEDULES",
    "WEIGHT_BASES",
    "AzathioprineDose",
    "ComplementDose",
    "DoseInputError",
    "DoseRefused",
    "DoseResult",
    "FcrnDose",
    "IvigDose",
    "MethotrexateDose",
    "MethylprednisoloneDose",
    "MycophenolateDose",
    "PlasmaExchangePlan",
    "Refusal",
    "RituximabDose",
    "SteroidDose",
    "TaperStep",
    "adjusted_body_weight_kg",
    "attempt",
    "azathioprine_dose",
    "body_surface_area_m2",
    "complement_drugs",
    "complement_inhibitor_dose",
    "dosing_parameters",
    "estimated_plasma_volume_l",
    "exchange_schedule",
    "fcrn_drugs",
    "fcrn_inhibitor_dose",
    "ideal_body_weight_kg",
    "ivig_dose",
    "ivig_presets",
    "ivig_risk_factor_labels",
    "methotrexate_dose",
    "methotrexate_routes",
    "methylprednisolone_pulse",
    "mg_antibody_labels",
    "mycophenolate_dose",
    "plasma_exchange_plan",
    "prednisone_dose",
    "rituximab_dose",
    "rituximab_regimens",
    "steroid_indications",
    "steroid_taper",
    "taper_html",
]
