"""The questionnaire instruments this clinic offers: shipped ones plus its licensed ones."""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

from scarplan.domain.errors import FieldProblem, NotFoundError
from scarplan.knowledge.instrument_catalogue import InstrumentCatalogue, load_instruments
from scarplan.knowledge.schema.instruments import Instrument
from scarplan.services.clinic.core.context import Clinic

log = logging.getLogger(__name__)


@lru_cache(maxsize=8)
def _catalogue(clinic_dir: Path | None) -> InstrumentCatalogue:
    found = load_instruments(clinic_dir)
    log.info(
        "questionnaire instruments: %s (licensed from %s: %s)",
        ", ".join(i.id for i in found.instruments),
        clinic_dir,
        ", ".join(sorted(found.licensed)) or "none",
    )
    return found


def instrument_catalogue(clinic: Clinic) -> InstrumentCatalogue:
    """Read once per process and directory: a new licensed file needs a restart."""
    return _catalogue(clinic.settings.questionnaires_dir)


def find_instrument(clinic: Clinic, instrument_id: str) -> Instrument:
    found = instrument_catalogue(clinic).get(instrument_id)
    if found is None:
        raise NotFoundError(
            "no such questionnaire",
            [FieldProblem("instrument_id", f"{instrument_id!r} names no questionnaire", "")],
        )
    return found
