"""Pure assessment logic: scar typing, the published scales, skin type. No I/O."""

from scarplan.assessment.assess import assess_case
from scarplan.assessment.results import AssessmentResult

__all__ = ["AssessmentResult", "assess_case"]
