"""Who may do what: roles, their permissions, and the patient scope of the patient portal.

The table below is the policy; every use case calls `authorize` before it reads or changes
anything, so the web pages, the REST API and the CLI enforce the same rules. A patient signed in
to the portal sees only their own records: asking for another patient's record is answered as
if it did not exist (404), so ids cannot be probed.
"""

from __future__ import annotations

from enum import StrEnum

from scarplan.domain.errors import FieldProblem, NotFoundError, PermissionDeniedError
from scarplan.services.clinic.core.context import Actor


class Role(StrEnum):
    ADMIN = "admin"
    """Users, settings and the audit trail; patient erasure on request. No clinical records:
    not the export, and no portal account (it would let them sign in as the patient)."""
    CLINICIAN = "clinician"
    """Full clinical records of the clinic."""
    STAFF = "staff"
    """Scheduling and intake: patient details and the calendar, no scores, plans or notes."""
    PATIENT = "patient"
    """The portal: only their own plan, routine, sessions and photos; fills their intake, but
    asks the clinic to change their name or date of birth (and never sets a clinic code)."""
    RESEARCHER = "researcher"
    """De-identified exports only."""


class Permission(StrEnum):
    LIST_PATIENTS = "patients.list"
    CREATE_PATIENT = "patients.create"
    READ_PATIENT = "patients.read"
    """Demographics and the intake questionnaire."""
    WRITE_INTAKE = "patients.write"
    READ_SCHEDULE = "schedule.read"
    """Planned and performed session dates and procedures, without clinical detail."""
    MANAGE_SCHEDULE = "schedule.manage"
    """The clinic calendar: resources, optimiser runs, confirming and cancelling bookings."""
    READ_CLINICAL = "clinical.read"
    """Assessments, scores, plans with their reasons, sessions with notes, photos, trends."""
    WRITE_CLINICAL = "clinical.write"
    EXPORT_PATIENT = "patients.export"
    """A patient's own data export (the right of access): the whole clinical record, so a
    clinician's or the patient's own, never an admin's."""
    ERASE_PATIENT = "patients.erase"
    MANAGE_USERS = "users.manage"
    READ_AUDIT = "audit.read"
    EXPORT_RESEARCH = "research.export"
    MANAGE_SETUP = "setup.manage"
    """The clinic's set-up: practitioners, devices, rooms, opening hours, days off and session
    lengths (admin, clinician, staff: the front desk knows who is away; docs/clinic-day.md)."""
    MANAGE_PRICES = "prices.manage"
    """The clinic's price list: read its versions and save a new one."""
    INVITE_PATIENT = "patients.invite"
    """Give a patient a portal account: an e-mailed invitation to set their own password."""
    REVIEW_IDENTITY = "patients.identity"
    """Approve or decline a portal patient's request to correct their name or birth date."""
    FILL_PORTAL_FORMS = "portal.forms"
    """The patient's own forms at home: the intake steps a patient may answer, questionnaires."""
    SIGN_CONSENT = "consents.sign"
    """Read a procedure's consent form and sign it: the patient their own (portal), or a
    clinician or the front desk handing the tablet over for the patient to sign."""
    MANAGE_CONSENT = "consents.manage"
    """Countersign a patient's consent and record its withdrawal: clinicians only."""


P = Permission
POLICY: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(
        {
            P.LIST_PATIENTS,
            P.MANAGE_USERS,
            P.READ_AUDIT,
            P.ERASE_PATIENT,
            P.MANAGE_PRICES,
            P.MANAGE_SETUP,
        }
    ),
    Role.CLINICIAN: frozenset(
        {
            P.LIST_PATIENTS,
            P.CREATE_PATIENT,
            P.READ_PATIENT,
            P.WRITE_INTAKE,
            P.READ_SCHEDULE,
            P.MANAGE_SCHEDULE,
            P.MANAGE_SETUP,
            P.READ_CLINICAL,
            P.WRITE_CLINICAL,
            P.EXPORT_PATIENT,
            P.INVITE_PATIENT,
            P.REVIEW_IDENTITY,
            P.SIGN_CONSENT,
            P.MANAGE_CONSENT,
        }
    ),
    Role.STAFF: frozenset(
        {
            P.LIST_PATIENTS,
            P.CREATE_PATIENT,
            P.READ_PATIENT,
            P.WRITE_INTAKE,
            P.READ_SCHEDULE,
            P.MANAGE_SCHEDULE,
            P.MANAGE_SETUP,
            P.INVITE_PATIENT,
            P.REVIEW_IDENTITY,
            P.SIGN_CONSENT,
        }
    ),
    Role.PATIENT: frozenset(
        {
            P.READ_PATIENT,
            P.WRITE_INTAKE,
            P.READ_SCHEDULE,
            P.READ_CLINICAL,
            P.EXPORT_PATIENT,
            P.FILL_PORTAL_FORMS,
            P.SIGN_CONSENT,
        }
    ),
    Role.RESEARCHER: frozenset({P.EXPORT_RESEARCH}),
}


def can(actor: Actor, permission: Permission) -> bool:
    try:
        return permission in POLICY[Role(actor.role)]
    except ValueError:
        return False


def authorize(actor: Actor, permission: Permission, patient_id: int | None = None) -> None:
    """Raise unless `actor` may do `permission` (on `patient_id`'s records, when given).

    A portal patient reaching for someone else's record gets NotFoundError, as for a record
    that does not exist; anyone else lacking the permission gets PermissionDeniedError.
    """
    if actor.role == Role.PATIENT and patient_id is not None and patient_id != actor.patient_id:
        raise not_found("patient_id", patient_id, "patient")
    if not can(actor, permission):
        raise PermissionDeniedError(
            f"the {actor.role} role may not do this ({permission.value})",
        )


def authorize_record(
    actor: Actor, permission: Permission, owner: int, field: str, record_id: int, what: str
) -> None:
    """`authorize` for a record reached by its own id (a plan, a session, a photo) whose
    patient is `owner`: to a portal patient, someone else's record does not exist."""
    if actor.role == Role.PATIENT and owner != actor.patient_id:
        raise not_found(field, record_id, what)
    authorize(actor, permission)


def not_found(field: str, value: object, what: str) -> NotFoundError:
    return NotFoundError(f"no such {what}", [FieldProblem(field, f"{value} names no {what}", "")])
