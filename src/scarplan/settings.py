"""One typed settings object. Environment variables use the SCARPLAN_ prefix.

Clinic policies live here, not in the knowledge base: they are rules a clinic chooses where no
published source gives a number (reference: anticoagulants, procedures in pregnancy, gaps
between different procedures). Each has a conservative default and says so.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from scarplan.domain.errors import FieldProblem, InputError
from scarplan.domain.vocabulary import Modality


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="SCARPLAN_",
        env_nested_delimiter="__",
        extra="forbid",
        frozen=True,
    )

    data_dir: Path = Field(
        default=Path("data"),
        description="Directory for the embedded database, uploads and backups.",
    )
    database_url: str | None = Field(
        default=None,
        description=(
            "Database to use, e.g. postgresql://scarplan@db.example/scarplan. Unset: an SQLite "
            "file scarplan.sqlite3 in `data_dir`."
        ),
    )
    secret_key: SecretStr | None = Field(
        default=None,
        min_length=32,
        description=(
            "Key that signs login cookies (32+ random characters). `scarplan serve` refuses to "
            "start without one; `scarplan serve --demo` makes one in `data_dir`."
        ),
    )
    demo: bool = Field(
        default=False,
        description="Local demo mode (`scarplan serve --demo`): relaxes the production checks "
        "on the secret key and cookies. Never for real patient data.",
    )
    secure_cookies: bool = Field(
        default=True,
        description="Send the login cookie over HTTPS only. Off for `--demo` on localhost.",
    )
    session_hours: int = Field(
        default=12, ge=1, le=24 * 14, description="How long a login lasts without activity."
    )
    photo_max_bytes: int = Field(
        default=15_000_000,
        ge=100_000,
        le=100_000_000,
        description="Largest photo upload accepted, in bytes.",
    )
    photo_max_side_px: int = Field(
        default=4096,
        ge=512,
        le=12_000,
        description="Photos larger than this on their long side are scaled down when stored.",
    )
    knowledge_dir: Path | None = Field(
        default=None,
        description="Use this knowledge-base directory instead of the one shipped in the package.",
    )
    questionnaires_dir: Path | None = Field(
        default=None,
        description="Directory of licensed questionnaire definitions (YAML) the clinic holds a "
        "licence for, offered to patients beside the shipped ones; see docs/operations.md.",
    )
    currency: str = Field(
        default="USD",
        pattern=r"^[A-Z]{3}$",
        description="Currency of the clinic's prices (ISO 4217).",
    )
    prices: dict[Modality, float] = Field(
        default_factory=dict,
        description=(
            "The clinic's own price per session by procedure id, in `currency`; overrides the "
            "knowledge base's published estimates. The clinic app's price list (/admin/prices) "
            "replaces these once a version is saved; they remain the prices of the CLI and of "
            "a clinic without a saved list. Example: "
            "SCARPLAN_PRICES='{\"tca_cross\": 250}'."
        ),
    )
    default_gap_between_modalities_days: int = Field(
        default=14,
        ge=0,
        le=180,
        description=(
            "Clinic policy (no published source): minimum days between two different procedures "
            "when the knowledge base has no sequencing rule for the pair."
        ),
    )
    fallback_sessions: int = Field(
        default=1,
        ge=1,
        le=12,
        description=(
            "Planning convention (no published figure): sessions planned for a procedure whose "
            "course length the knowledge base does not give (e.g. punch techniques). The "
            "clinician re-assesses before adding more."
        ),
    )
    fallback_interval_weeks: int = Field(
        default=4,
        ge=1,
        le=52,
        description=(
            "Planning convention (no published figure): weeks between sessions of a procedure "
            "whose interval the knowledge base does not give."
        ),
    )
    fallback_downtime_days: int = Field(
        default=7,
        ge=0,
        le=60,
        description=(
            "Planning convention (no published figure): downtime assumed for a procedure whose "
            "downtime the knowledge base does not give, when checking avoid dates and the "
            "patient's downtime limit."
        ),
    )
    planning_horizon_months: int = Field(
        default=24,
        ge=1,
        le=120,
        description="The latest a plan may end, in months after its start date.",
    )
    pregnancy_procedure_policy: Literal["defer", "caution"] = Field(
        default="defer",
        description=(
            "Clinic policy (no published safety data): scar procedures wait until after "
            "pregnancy and breastfeeding. Trials excluded pregnant patients."
        ),
    )
    anticoagulant_policy: Literal["caution", "defer"] = Field(
        default="caution",
        description=(
            "Clinic policy (no published source): how anticoagulants affect subcision, needling "
            "and fillers. 'caution' flags bruising risk and a review of the medication."
        ),
    )
    skin_infection_policy: Literal["exclude", "defer"] = Field(
        default="exclude",
        description=(
            "Clinic policy (no published source): no scar procedure is done on skin with an "
            "active bacterial, viral (such as a cold sore) or fungal infection. 'exclude' "
            "removes procedures at the infected site while the infection is present; 'defer' "
            "keeps them in the plan, postponed until it has cleared."
        ),
    )
    active_acne_policy: Literal["defer", "caution"] = Field(
        default="defer",
        description=(
            "Clinic policy (no published source): scar procedures wait until moderate or "
            "severe active acne is controlled. Sources say to clear acne first but give no "
            "waiting time. 'caution' only flags it."
        ),
    )
    keloid_deep_resurfacing_policy: Literal["refer", "caution"] = Field(
        default="refer",
        description=(
            "Clinic policy (no published source): with a history of keloids, the deepest "
            "full-face wounding procedures (dermabrasion, fully ablative resurfacing, deep "
            "peels) are referred for a specialist decision rather than planned. No study gives "
            "the keloid risk per procedure. 'caution' only flags them."
        ),
    )
    isotretinoin_wait_policy: Literal["consensus", "six_months"] = Field(
        default="consensus",
        description=(
            "Clinic policy choice between two published positions on procedures during or after "
            "isotretinoin. 'consensus' follows the 2017 systematic review and consensus: fully "
            "ablative resurfacing and mechanical dermabrasion wait (and, conservatively, deep "
            "peels); the rest proceed with caution. 'six_months' applies the older label wait "
            "of 5-6 months to every effect that names this policy."
        ),
    )
    bleeding_disorder_policy: Literal["refer", "caution"] = Field(
        default="refer",
        description=(
            "Clinic policy (sources say fillers and needling may not be appropriate, but give no "
            "rule): with a bleeding disorder, procedures that puncture or cut the skin "
            "(subcision, needling, punch techniques, fillers, PRP) are referred for a "
            "haematology opinion rather than planned. 'caution' only flags them."
        ),
    )
    impaired_healing_deep_resurfacing_policy: Literal["refer", "caution"] = Field(
        default="refer",
        description=(
            "Clinic policy (sources call these relative contraindications and give no rule): "
            "with immunosuppression or an autoimmune or connective-tissue disease, the deepest "
            "full-face wounding procedures (fully ablative resurfacing, deep peels, "
            "dermabrasion) are referred for a specialist decision. 'caution' only flags them."
        ),
    )
    uncontrolled_diabetes_policy: Literal["defer", "caution"] = Field(
        default="defer",
        description=(
            "Clinic policy (no published rule): with uncontrolled diabetes, procedures that "
            "wound the skin or inject into it wait until the diabetes is controlled. "
            "'caution' only flags them."
        ),
    )
    active_cold_sore_policy: Literal["defer", "caution"] = Field(
        default="defer",
        description=(
            "Clinic policy (guidelines list active viral infection as a contraindication but "
            "give no waiting time): with an active cold sore, procedures wait until it has "
            "healed. 'caution' only flags them."
        ),
    )
    photosensitising_medication_policy: Literal["defer", "caution"] = Field(
        default="defer",
        description=(
            "Clinic policy on a published contraindication (IADVL peel guideline: "
            "photosensitising medication): medium and deep peels wait until the medicine is "
            "stopped. 'caution' only flags them."
        ),
    )
    facial_metal_implant_rf_policy: Literal["exclude", "caution"] = Field(
        default="exclude",
        description=(
            "Clinic policy (only manufacturer and clinic pages; no study): with a metal implant "
            "in the face, RF microneedling is left out. 'caution' keeps it, to be done away "
            "from the implant."
        ),
    )
    recent_ha_filler_rf_policy: Literal["caution", "defer"] = Field(
        default="caution",
        description=(
            "Clinic policy on a published caution (RF microneedling damaged hyaluronic-acid "
            "filler along its needle tracks): with an HA filler in a treated region in the last "
            "12 months, 'caution' flags RF microneedling; 'defer' moves it to 12 months after "
            "the injection, when the filler may have been absorbed."
        ),
    )
    schedule_time_limit_s: float = Field(
        default=60.0,
        gt=0,
        le=3600,
        description=(
            "Longest the clinic scheduler's solver runs, in seconds; it returns the best schedule "
            "found with the bound it proved (`scarplan schedule`, the web optimiser)."
        ),
    )
    schedule_workers: int = Field(
        default=2,
        ge=1,
        le=64,
        description="Solver threads for the clinic scheduler (CP-SAT workers).",
    )
    keep_height_maps: bool = Field(
        default=True,
        description=(
            "Keep each uploaded 3D height map (compressed) with its analysis, so it can be "
            "downloaded and analysed again with a newer pipeline. Off: only the measurements "
            "and the overlay are kept (a 2048 x 2048 map is about 16 MB)."
        ),
    )


def load_settings() -> Settings:
    """Settings from the environment; a bad value is an InputError naming the variable."""
    try:
        return Settings()
    except ValidationError as error:
        problems = [
            FieldProblem(
                f"SCARPLAN_{'__'.join(str(part) for part in item['loc']).upper()}",
                item["msg"],
                "fix or unset the environment variable; see `scarplan config show`",
            )
            for item in error.errors()
        ]
        raise InputError("invalid settings", problems) from None
