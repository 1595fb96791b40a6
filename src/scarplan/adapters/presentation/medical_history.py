"""People's words for the medical history of the intake (conditions, allergies, implants,
medicines, earlier procedures), and how the intake form groups them."""

from __future__ import annotations

from dataclasses import dataclass

from scarplan.adapters.presentation.wording import MODALITY_LABELS, label
from scarplan.domain.vocabulary import (
    PERMANENT_FILLER,
    Allergy,
    Implant,
    MedicalCondition,
    Medication,
)

C = MedicalCondition
HISTORY_LABELS: dict[str, str] = {
    C.VITILIGO: "Vitiligo",
    C.PSORIASIS: "Psoriasis",
    C.LICHEN_PLANUS: "Lichen planus",
    C.PIH_HISTORY: "Dark marks after earlier spots or treatments (PIH)",
    C.HYPERTROPHIC_SCAR_HISTORY: "Raised scars after earlier injuries or treatments",
    C.ACTIVE_COLD_SORE: "Cold sore now",
    C.LUPUS: "Lupus",
    C.SCLERODERMA: "Scleroderma or morphoea",
    C.AUTOIMMUNE_OTHER: "Another autoimmune disease",
    C.IMMUNOSUPPRESSED: "Weakened immune system",
    C.BLEEDING_DISORDER: "Bleeding or clotting disorder",
    C.DIABETES_UNCONTROLLED: "Poorly controlled diabetes",
    C.BODY_DYSMORPHIC_DISORDER: "Body dysmorphic disorder",
    Allergy.LIDOCAINE: "Lidocaine allergy",
    Allergy.LOCAL_ANAESTHETIC_OTHER: "Allergy to another local anaesthetic",
    Allergy.BOVINE_COLLAGEN: "Bovine collagen allergy",
    Allergy.HYALURONIC_ACID: "Hyaluronic acid (filler) allergy",
    Allergy.HYALURONIDASE: "Hyaluronidase allergy",
    Implant.IMPLANTED_ELECTRONIC_DEVICE: (
        "Implanted electronic device (pacemaker, defibrillator, neurostimulator)"
    ),
    Implant.FACIAL_METAL_IMPLANT: "Metal implant in the face (plates, screws, wires)",
    Medication.PHOTOSENSITISING: "A medicine that makes the skin sensitive to light",
    Medication.IMMUNOSUPPRESSANT: "A medicine that suppresses the immune system",
    PERMANENT_FILLER: "Permanent filler (silicone, PMMA)",
}
"""By id string, like `wording.label`'s table."""


def history_label(value: object) -> str:
    """A person's words for a history id or an earlier procedure's kind."""
    return HISTORY_LABELS.get(str(value)) or label(value)


@dataclass(frozen=True)
class HistoryGroup:
    title: str | None
    ids: tuple[str, ...]


@dataclass(frozen=True)
class HistoryList:
    """One list of the intake's medical history, as the form shows it."""

    field: str
    """The case file's `patient` field."""
    title: str
    groups: tuple[HistoryGroup, ...]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(i for group in self.groups for i in group.ids)


def _all(ids: type[MedicalCondition | Allergy | Implant | Medication]) -> tuple[str, ...]:
    return tuple(item.value for item in ids)


HISTORY_LISTS = (
    HistoryList(
        "conditions",
        "Conditions",
        (
            HistoryGroup(
                "Skin",
                (
                    C.VITILIGO,
                    C.PSORIASIS,
                    C.LICHEN_PLANUS,
                    C.PIH_HISTORY,
                    C.HYPERTROPHIC_SCAR_HISTORY,
                    C.ACTIVE_COLD_SORE,
                ),
            ),
            HistoryGroup(
                "Immune system",
                (C.LUPUS, C.SCLERODERMA, C.AUTOIMMUNE_OTHER, C.IMMUNOSUPPRESSED),
            ),
            HistoryGroup(
                "Other",
                (C.BLEEDING_DISORDER, C.DIABETES_UNCONTROLLED, C.BODY_DYSMORPHIC_DISORDER),
            ),
        ),
    ),
    HistoryList("allergies", "Allergies", (HistoryGroup(None, _all(Allergy)),)),
    HistoryList("implants", "Implants", (HistoryGroup(None, _all(Implant)),)),
    HistoryList("medications", "Medicines taken now", (HistoryGroup(None, _all(Medication)),)),
)
"""The intake form's medical history, list by list; every vocabulary id is in one group."""

PRIOR_PROCEDURE_KINDS: tuple[tuple[str, str], ...] = (
    *((modality.value, shown) for modality, shown in MODALITY_LABELS.items()),
    (PERMANENT_FILLER, HISTORY_LABELS[PERMANENT_FILLER]),
)
"""(id, words) of each kind an earlier procedure may be: scarplan's procedures and a permanent
filler."""
