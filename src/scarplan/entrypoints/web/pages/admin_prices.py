"""Admin page: the clinic's price list (the version in force, the published estimate beside
each procedure, the history) and a form that saves a new version."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from scarplan.domain.currencies import ISO_4217
from scarplan.domain.errors import ScarplanError
from scarplan.domain.vocabulary import Modality
from scarplan.entrypoints.web.deps import ActorDep, ClinicDep, require
from scarplan.entrypoints.web.forms import form_date, text
from scarplan.entrypoints.web.pages.common import form_errors, render, see_other
from scarplan.planning.price_list import FOCAL
from scarplan.services.clinic.core.access import Permission
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.plans import prices

router = APIRouter(include_in_schema=False)
MANAGE = [require(Permission.MANAGE_PRICES)]


def _rows(page: prices.PricesPage, entered: dict[str, Any] | None) -> list[dict[str, Any]]:
    """One row per procedure: the clinic's price (in force, or as entered) beside the estimate."""
    current = page.current.price_list.prices if page.current else {}
    estimates = {e.modality: e for e in page.estimates}
    rows = []
    for modality in Modality:
        price = current.get(modality)
        amount = f"{price.amount:.2f}" if price else ""
        if price is None and page.current is None and modality in page.fallback_prices:
            amount = f"{page.fallback_prices[modality]:.2f}"  # settings `prices` as a start
        per = price.per.value if price else "session"
        if entered is not None:
            amount = entered.get(modality.value, {}).get("amount", "")
            per = entered.get(modality.value, {}).get("per", "session")
        rows.append(
            {
                "modality": modality,
                "amount": amount,
                "per": per,
                "focal": modality in FOCAL,
                "estimate": estimates.get(modality),
            }
        )
    return rows


def _context(
    clinic: Clinic,
    actor: Actor,
    entered: dict[str, Any] | None = None,
    currency: str | None = None,
    reason: str = "",
    valid_from: str = "",
) -> dict[str, Any]:
    page = prices.read_prices(clinic, actor)
    in_force = page.current.price_list.currency if page.current else page.fallback_currency
    return {
        "actor": actor,
        "page": page,
        "rows": _rows(page, entered),
        "currency": currency if currency is not None else in_force,
        "currencies": sorted(ISO_4217),
        "reason": reason,
        "valid_from": valid_from or clinic.today().isoformat(),
        "today": clinic.today().isoformat(),
    }


def _entered(form: FormData) -> dict[str, Any]:
    entered: dict[str, Any] = {}
    for modality in Modality:
        amount = text(form, f"amount_{modality.value}")
        if amount:
            per = text(form, f"per_{modality.value}") or "session"
            entered[modality.value] = {"amount": amount, "per": per}
    return entered


@router.get("/admin/prices", dependencies=MANAGE, response_class=HTMLResponse)
def prices_page(request: Request, clinic: ClinicDep, actor: ActorDep) -> HTMLResponse:
    return render(request, "admin/prices.html", _context(clinic, actor))


@router.post("/admin/prices", dependencies=MANAGE, response_model=None)
async def save_prices(
    request: Request, clinic: ClinicDep, actor: ActorDep
) -> HTMLResponse | RedirectResponse:
    form = await request.form()
    entered = _entered(form)
    currency, reason = text(form, "currency").upper(), text(form, "reason")
    valid_from = text(form, "valid_from")
    try:
        await run_in_threadpool(
            prices.save_price_list,
            clinic,
            actor,
            {"currency": currency, "prices": entered},
            reason,
            form_date(valid_from, "valid_from", "the day the prices start") if valid_from else None,
        )
    except ScarplanError as error:
        context = {
            **await run_in_threadpool(
                _context, clinic, actor, entered, currency, reason, valid_from
            ),
            **form_errors(error),
        }
        return render(request, "admin/prices.html", context, 422)
    return see_other("/admin/prices")
