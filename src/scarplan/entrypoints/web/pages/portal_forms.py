"""The patient's forms at home: the intake step by step, and questionnaires before visits.

Patients see plain words: errors are sentences next to the question, never field paths.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from scarplan.domain.errors import InputError
from scarplan.entrypoints.web.deps import ActorDep, ClinicDep, require
from scarplan.entrypoints.web.forms import intake_step, questionnaire_answers
from scarplan.entrypoints.web.pages.common import render, see_other
from scarplan.services.clinic.accounts.identity_requests import patient_requests
from scarplan.services.clinic.accounts.portal_intake import intake_step as intake_step_named
from scarplan.services.clinic.accounts.portal_intake import my_intake, save_intake_step
from scarplan.services.clinic.core.access import Permission
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.records.patient_fields import STEP_FIELDS, IntakeStep
from scarplan.services.clinic.records.questionnaires import (
    answer_questionnaire,
    patient_questionnaires,
    questionnaire,
)

router = APIRouter(include_in_schema=False, dependencies=[require(Permission.FILL_PORTAL_FORMS)])

STEPS: tuple[tuple[IntakeStep, str], ...] = (
    (IntakeStep.ABOUT, "About you"),
    (IntakeStep.SKIN, "Your skin"),
    (IntakeStep.HISTORY, "Your health"),
    (IntakeStep.PREFERENCES, "What suits you"),
)

# (where the problem is, where the page shows it, what to tell the patient)
PLAIN: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (
        re.compile(r"(patient\.fitzpatrick_answers\[\d+\])"),
        r"\1",
        "Please choose the answer that fits best.",
    ),
    (re.compile(r"(patient\.fitzpatrick_answers)$"), r"\1", "Please answer all ten questions."),
    (
        re.compile(r"(patient\.isotretinoin)(\..*)?"),
        r"\1",
        "Give the day you stopped taking it; it cannot be in the future.",
    ),
    (
        re.compile(r"(patient\.prior_procedures\[\d+\]).*"),
        r"\1",
        "Choose what was done, and a day that is not in the future (or leave the day empty).",
    ),
    (
        re.compile(r"(preferences\.budget).*"),
        r"\1",
        "Write the amount as a number, for example 2000.",
    ),
    (
        re.compile(r"(preferences\.max_downtime_days).*"),
        r"\1",
        "Write a whole number of days, for example 7.",
    ),
    (
        re.compile(r"(preferences\.avoid\[\d+\]).*"),
        r"\1",
        "Give the first and the last day; the first cannot be after the last.",
    ),
    (re.compile(r"(answers\.[a-z0-9_]+)"), r"\1", "Please choose one answer."),
)


def plain_errors(error: InputError) -> dict[str, str]:
    """Each problem as a sentence for a patient, keyed by where the page shows it."""
    shown: dict[str, str] = {}
    for problem in error.problems:
        for pattern, key, words in PLAIN:
            if found := pattern.match(problem.path):
                shown.setdefault(found.expand(key), words)
                break
        else:
            shown.setdefault(problem.path, "This answer cannot be saved: please ask the clinic.")
    return shown


def _step_context(clinic: Clinic, actor: Actor, step: IntakeStep) -> dict[str, Any]:
    me = my_intake(clinic, actor)
    index = [s for s, _ in STEPS].index(step)
    return {
        "me": me,
        "p": me.intake["patient"],
        "pref": me.intake["preferences"],
        "steps": STEPS,
        "step": step,
        "next_step": STEPS[index + 1][0] if index + 1 < len(STEPS) else None,
        "questionnaire": clinic.knowledge.scales.fitzpatrick_questionnaire,
        "agents": sorted(clinic.knowledge.agents),
        "currency": clinic.settings.currency,
        "actor": actor,
        "field_errors": {},
    }


def _as_entered(
    stored: dict[str, Any], entered: dict[str, Any], step: IntakeStep, section: str
) -> dict[str, Any]:
    """The record with this step's answers as the patient just sent them (shown again)."""
    fields = STEP_FIELDS[step].get(section, frozenset())
    return {
        **{k: v for k, v in stored.items() if k not in fields},
        **entered.get(section, {}),
    }


@router.get("/portal/intake", response_class=HTMLResponse)
def intake_home(request: Request, clinic: ClinicDep, actor: ActorDep) -> HTMLResponse:
    saved = request.query_params.get("saved") == "all"
    context = {**_step_context(clinic, actor, IntakeStep.ABOUT), "all_saved": saved}
    return render(request, "portal/intake/start.html", context)


@router.get("/portal/intake/{step}", response_class=HTMLResponse)
def intake_page(request: Request, clinic: ClinicDep, actor: ActorDep, step: str) -> HTMLResponse:
    chosen = intake_step_named(step)
    context = {**_step_context(clinic, actor, chosen), "saved": request.query_params.get("saved")}
    if chosen is IntakeStep.ABOUT and actor.patient_id is not None:
        # Name and birth date are the clinic's: the patient asks for a correction here.
        context["patient_id"] = actor.patient_id
        context["identity_requests"] = patient_requests(clinic, actor, actor.patient_id)
    return render(request, f"portal/intake/{chosen.value}.html", context)


@router.post("/portal/intake/{step}", response_model=None)
async def save_step(
    request: Request, clinic: ClinicDep, actor: ActorDep, step: str
) -> HTMLResponse | RedirectResponse:
    chosen = intake_step_named(step)
    form = await request.form()
    entered = intake_step(form, chosen)
    try:
        await run_in_threadpool(save_intake_step, clinic, actor, chosen.value, entered)
    except InputError as error:
        context = await run_in_threadpool(_step_context, clinic, actor, chosen)
        for key, section in (("p", "patient"), ("pref", "preferences")):
            context[key] = _as_entered(context[key], entered, chosen, section)
        context.update(field_errors=plain_errors(error), not_saved=True)
        return render(request, f"portal/intake/{chosen.value}.html", context, status=422)
    index = [s for s, _ in STEPS].index(chosen)
    following = STEPS[index + 1][0].value if index + 1 < len(STEPS) else None
    if following is None:
        return see_other("/portal/intake?saved=all")
    return see_other(f"/portal/intake/{following}?saved={chosen.value}")


@router.get("/portal/questionnaires", response_class=HTMLResponse)
def questionnaires_page(request: Request, clinic: ClinicDep, actor: ActorDep) -> HTMLResponse:
    state = patient_questionnaires(clinic, actor, actor.patient_id or 0)
    context = {"state": state, "actor": actor, "thanks": request.query_params.get("saved")}
    return render(request, "portal/questionnaires/list.html", context)


@router.get("/portal/questionnaires/{instrument_id}", response_class=HTMLResponse)
def questionnaire_page(
    request: Request, clinic: ClinicDep, actor: ActorDep, instrument_id: str
) -> HTMLResponse:
    context = {
        "instrument": questionnaire(clinic, actor, instrument_id),
        "chosen": {},
        "field_errors": {},
        "actor": actor,
    }
    return render(request, "portal/questionnaires/answer.html", context)


@router.post("/portal/questionnaires/{instrument_id}", response_model=None)
async def answer_page(
    request: Request, clinic: ClinicDep, actor: ActorDep, instrument_id: str
) -> HTMLResponse | RedirectResponse:
    sent = questionnaire_answers(await request.form(), instrument_id)
    try:
        answered = await run_in_threadpool(
            answer_questionnaire, clinic, actor, actor.patient_id or 0, sent
        )
    except InputError as error:
        context = {
            "instrument": await run_in_threadpool(questionnaire, clinic, actor, instrument_id),
            "chosen": sent["answers"],
            "field_errors": plain_errors(error),
            "not_saved": True,
            "actor": actor,
        }
        return render(request, "portal/questionnaires/answer.html", context, status=422)
    return see_other(f"/portal/questionnaires?saved={answered.instrument_id}")
