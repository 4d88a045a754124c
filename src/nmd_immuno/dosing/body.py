"""Body-size formulas behind weight- and surface-based doses (Mosteller, Devine, adjusted weight, Kaplan).

Kept apart from the calculators so a student can check each formula by hand, and so the constants live in
``data/dosing.yaml`` with their sources rather than as bare numbers in code.
"""

from __future__ import annotations

import math

from nmd_immuno.dosing import common
from nmd_immuno.dosing.parameters import dosing_parameters
from nmd_immuno.errors import DoseInputError


def body_surface_area_m2(height_cm: float, weight_kg: float) -> float:
    """Body surface area by Mosteller: sqrt(height_cm × weight_kg / 3600), in m².

    Used for rituximab's 375 mg/m² regimen. Height and weight are validated, alone and together (BMI).
    """
    h, w = common.height(height_cm), common.weight(weight_kg)
    common.body_mass_index(w, h)
    return math.sqrt(h * w / dosing_parameters().body_size.mosteller.divisor)


def devine_defined(height_cm: float) -> bool:
    """Whether the Devine formula applies at this height (from its 60-inch base upward)."""
    return height_cm >= dosing_parameters().body_size.devine.min_height_cm - 1e-9


def ideal_body_weight_kg(height_cm: float, sex: str) -> float:
    """Ideal body weight by Devine: 50 kg (male) or 45.5 kg (female) + 2.3 kg per inch over 60 inches.

    The formula starts at 60 inches (152.4 cm); below that it would extrapolate (to negative weights for a
    child), so a shorter height is refused with a message rather than given a made-up number.
    """
    h, s = common.height(height_cm), common.sex(sex)
    devine = dosing_parameters().body_size.devine
    if not devine_defined(h):
        raise DoseInputError(
            f"height_cm: {h:g} is below {devine.min_height_cm:g} cm (60 inches), where the Devine ideal body "
            "weight formula starts; it is not defined for this height"
        )
    inches = h / devine.cm_per_inch
    return devine.base_kg[s] + devine.kg_per_inch * (inches - devine.base_height_in)


def adjusted_body_weight_kg(weight_kg: float, height_cm: float, sex: str) -> float:
    """Adjusted body weight: IBW + 0.4 × (actual − IBW) when actual weight exceeds IBW, else actual weight.

    Why: immunoglobulin distributes mostly outside fat, so many programmes dose obese patients on this weight.
    A patient at or below ideal weight has no excess to discount, so the actual weight is returned.
    """
    w = common.weight(weight_kg)
    ibw = ideal_body_weight_kg(height_cm, sex)
    common.body_mass_index(w, float(height_cm))
    if w <= ibw:
        return w
    return ibw + dosing_parameters().body_size.adjusted_weight.excess_fraction * (w - ibw)


def estimated_plasma_volume_l(weight_kg: float, hematocrit: float) -> float:
    """Estimated plasma volume (L) by Kaplan: 0.07 × weight (kg) × (1 − haematocrit).

    Haematocrit is a fraction (0.40), not a percentage (40): a percentage is refused by the range check.
    """
    w, hct = common.weight(weight_kg), common.hematocrit(hematocrit)
    return dosing_parameters().plasma_exchange.epv_l_per_kg.value * w * (1.0 - hct)
