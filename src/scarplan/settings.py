"""One typed settings object. Environment variables use the SCARPLAN_ prefix.

Clinic policies live here, not in the knowledge base: they are rules a clinic chooses where no
published source gives a number (reference: anticoagulants, procedures in pregnancy, gaps
between different procedures). Each has a conservative default and says so.
"""

from __future__ import annotations

from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from scarplan.domain.errors import InputError
from scarplan.domain.validation import field_problems
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
    server_timing: bool = Field(
        default=False,
        description=(
            "Send `Server-Timing: app;dur=MS` on every response: the time the app took, for "
            "measuring (bench/web.py). Off by default: it tells any client how long each "
            "request made the server work."
        ),
    )
    trusted_proxies: Annotated[tuple[IPv4Network | IPv6Network, ...], NoDecode] = Field(
        default=(),
        description=(
            "Addresses or networks (comma-separated IPs or CIDRs, e.g. 127.0.0.1,10.0.0.0/8) of "
            "the reverse proxies in front of the web app. Only a request whose direct peer is "
            "one of them may name the client in X-Forwarded-For (the rightmost address not in "
            "this set counts). Empty: the header is ignored and the peer is the client."
        ),
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
    photo_max_pixels: int = Field(
        default=40_000_000,
        ge=1_000_000,
        le=200_000_000,
        description=(
            "Most pixels (width x height) a photo may have, checked from its header before it "
            "is decoded: a small file can declare a huge image (a decompression bomb). 40 "
            "megapixels covers clinical cameras up to 40 Mpx; raise it for larger sensors."
        ),
    )
    height_map_max_pixels: int = Field(
        default=4096 * 4096,
        ge=64 * 64,
        le=100_000_000,
        description=(
            "Most pixels (rows x columns) a 3D height map may have, checked from the file's "
            "header before its heights are decoded. 4096 x 4096 (16.7 Mpx) is more than 3D "
            "skin scanners deliver for a face region (bench/topo.py measures 512 to 4096 px "
            "square maps)."
        ),
    )
    log_format: Literal["json", "console"] | None = Field(
        default=None,
        description=(
            "How `scarplan serve` writes its log: `json` (one object per line, for a log "
            "collector) or `console` (readable). Unset: json, or console in `--demo`."
        ),
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", description="Least severe log level written."
    )
    metrics_token: SecretStr | None = Field(
        default=None,
        min_length=32,
        description=(
            "Bearer token a Prometheus scraper sends to read /metrics (32+ random characters). "
            "Unset: /metrics answers 404, so nothing about the clinic's traffic is public."
        ),
    )
    worker_memory_limit_mb: int | None = Field(
        default=None,
        ge=512,
        le=1_048_576,
        description=(
            "Address space each `scarplan serve` worker process may use, in MB (RLIMIT_AS). "
            "Heavy jobs (3D analysis, scheduling) run inside the worker: with a limit, a job that "
            "needs more fails with a plain message and the worker keeps serving, instead of the "
            "machine swapping or the kernel killing a process. Unset: no limit. Size it from "
            "the worker's normal virtual size (VmSize in /proc/PID/status) plus the largest job."
        ),
    )
    job_runner: Literal["auto", "in_process", "queue"] = Field(
        default="auto",
        description=(
            "Where heavy jobs (3D analysis, scheduling) run. `queue`: on a PostgreSQL queue that "
            "`scarplan worker` processes on any host take them from (run at least one). "
            "`in_process`: on a thread of the app process that accepted them (lost if it stops). "
            "`auto`: the queue on PostgreSQL, in-process on SQLite."
        ),
    )
    worker_concurrency: int = Field(
        default=2,
        ge=1,
        le=64,
        description="Jobs one `scarplan worker` runs at the same time.",
    )
    worker_heartbeat_s: float = Field(
        default=10.0,
        gt=0,
        le=300,
        description="How often a `scarplan worker` tells the queue it is alive, in seconds.",
    )
    worker_stalled_after_s: float = Field(
        default=30.0,
        gt=0,
        le=3600,
        description=(
            "A worker silent this long (seconds) is taken for dead: its running jobs are queued "
            "again for another worker. Keep it at three heartbeats or more."
        ),
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
    smtp_host: str | None = Field(
        default=None,
        description=(
            "Mail server that sends invitations and reminders, e.g. smtp.example.org. Unset: "
            "messages stay queued in the outbox (`scarplan mail status` shows them)."
        ),
    )
    smtp_port: int = Field(default=587, ge=1, le=65535, description="Mail server port.")
    smtp_security: Literal["starttls", "ssl", "none"] = Field(
        default="starttls",
        description=(
            "How the connection to the mail server is encrypted: 'starttls' (port 587), 'ssl' "
            "(implicit TLS, port 465) or 'none' (only for a relay on the same machine)."
        ),
    )
    smtp_username: str | None = Field(
        default=None, description="Mail server login, if it asks for one."
    )
    smtp_password: SecretStr | None = Field(
        default=None, description="Mail server password (with `smtp_username`)."
    )
    smtp_timeout_s: float = Field(
        default=20.0, gt=0, le=300, description="Seconds to wait for the mail server."
    )
    mail_from: str = Field(
        default="scarplan@localhost",
        min_length=3,
        max_length=254,
        description="Sender address of the clinic's e-mails, e.g. appointments@clinic.example.",
    )
    clinic_name: str = Field(
        default="Your clinic",
        min_length=1,
        max_length=120,
        description="The clinic's name as patients know it, used in e-mails.",
    )
    public_base_url: str = Field(
        default="http://127.0.0.1:8000",
        pattern=r"^https?://[^/\s]+(/[^\s]*)?$",
        description=(
            "Address patients open the app at, for links in e-mails (invitations, unsubscribe), "
            "e.g. https://portal.clinic.example."
        ),
    )
    invitation_hours: int = Field(
        default=72,
        ge=1,
        le=24 * 30,
        description="How long an invitation link to set a portal password stays valid.",
    )
    reminder_days_before: int = Field(
        default=3,
        ge=1,
        le=30,
        description=(
            "Days before a booked session that its reminder (with the preparation steps) is "
            "sent; routine changes are reminded as soon as they fall in this window."
        ),
    )
    mail_max_attempts: int = Field(
        default=12,
        ge=1,
        le=50,
        description=(
            "Tries to deliver one e-mail before it is marked failed. The wait doubles after "
            "each failure from `mail_retry_base_s`, up to six hours (12 tries: about 1.5 days)."
        ),
    )
    mail_retry_base_s: float = Field(
        default=60.0, gt=0, le=3600, description="Wait after the first failed delivery, seconds."
    )
    mail_poll_s: float = Field(
        default=30.0,
        gt=0,
        le=3600,
        description=(
            "How often `scarplan serve` delivers queued e-mails and queues due reminders, in "
            "seconds (only when `smtp_host` is set)."
        ),
    )

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split_addresses(cls, value: object) -> object:
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        if isinstance(value, list | tuple):
            return tuple(_network(item) if isinstance(item, str) else item for item in value)
        return value


def _network(text: str) -> IPv4Network | IPv6Network:
    """An address (its own /32 or /128) or a network; host bits set are taken for a typo."""
    try:
        return ip_network(text)
    except ValueError:
        raise ValueError(
            f"{text!r} is not an IP address or a network (write e.g. 127.0.0.1 or 10.0.0.0/8)"
        ) from None


def _variable(location: tuple[int | str, ...]) -> str:
    return f"SCARPLAN_{'__'.join(str(part) for part in location).upper()}"


def load_settings() -> Settings:
    """Settings from the environment; a bad value is an InputError naming the variable."""
    try:
        return Settings()
    except ValidationError as error:
        # Never repeat a value: settings hold the secret key and database passwords.
        problems = field_problems(
            error,
            docs="`scarplan config show`, or unset the variable",
            locate=_variable,
            show_input=False,
        )
        raise InputError("invalid settings", problems) from None
