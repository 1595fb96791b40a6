"""Checks across an instance's parts that the models alone cannot see, each naming its JSON path.

Impossible requests (a procedure nobody performs, a session beyond the horizon) are not errors:
the schedule reports them as unscheduled with the reason. Errors here are inputs that cannot be
meant as written (a duplicate id, a length that is not whole slots, hours that overlap).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import pairwise

from scarplan.domain.errors import FieldProblem, InputError
from scarplan.knowledge import KnowledgeBase
from scarplan.scheduling.model import MINUTES_PER_DAY, Instance, TimeRange


def require_valid(instance: Instance, knowledge: KnowledgeBase) -> None:
    problems = instance_problems(instance, knowledge)
    if problems:
        raise InputError("the scheduling instance is invalid", problems)


def instance_problems(instance: Instance, knowledge: KnowledgeBase) -> list[FieldProblem]:
    slot = instance.slot_minutes
    if MINUTES_PER_DAY % slot:
        return [
            FieldProblem(
                "slot_minutes",
                f"{slot} does not divide a day of {MINUTES_PER_DAY} minutes",
                "use 5, 10, 15, 20, 30 or 60",
            )
        ]
    return [
        *_unique_ids(instance),
        *_resources(instance, knowledge),
        *_patients(instance),
        *(
            _whole_slots(f"durations.{procedure.value}", minutes, slot)
            for procedure, minutes in instance.durations.items()
            if minutes % slot or minutes > MINUTES_PER_DAY
        ),
    ]


def _duplicates(ids: Sequence[str], paths: Sequence[str], what: str) -> Iterable[FieldProblem]:
    first: dict[str, str] = {}
    for value, path in zip(ids, paths, strict=True):
        if value in first:
            yield FieldProblem(
                path, f"{what} id {value!r} is already used at {first[value]}", "make ids unique"
            )
        else:
            first[value] = path


def _unique_ids(instance: Instance) -> Iterable[FieldProblem]:
    resources = instance.resources
    for name, items in (
        ("practitioners", resources.practitioners),
        ("devices", resources.devices),
        ("rooms", resources.rooms),
    ):
        paths = [f"resources.{name}[{i}].id" for i in range(len(items))]
        yield from _duplicates([item.id for item in items], paths, name[:-1])
    patients = instance.patients
    yield from _duplicates(
        [p.id for p in patients], [f"patients[{i}].id" for i in range(len(patients))], "patient"
    )
    sessions = [
        (f"patients[{i}].sessions[{j}].id", session.id)
        for i, patient in enumerate(patients)
        for j, session in enumerate(patient.sessions)
    ]
    yield from _duplicates([s for _, s in sessions], [p for p, _ in sessions], "session")


def _ranges(ranges: Sequence[TimeRange], path: str, slot: int) -> Iterable[FieldProblem]:
    for k, span in enumerate(ranges):
        for end in ("start", "end"):
            minute = span.minutes[0 if end == "start" else 1]
            if minute % slot:
                yield FieldProblem(
                    f"{path}[{k}].{end}",
                    f"{getattr(span, end)} is not on the {slot}-minute slot grid",
                    f"use a time that is a multiple of {slot} minutes after midnight",
                )
    ordered = sorted(range(len(ranges)), key=lambda k: ranges[k].minutes)
    for before, after in pairwise(ordered):
        if ranges[after].minutes[0] <= ranges[before].minutes[1]:
            yield FieldProblem(
                f"{path}[{after}]",
                f"overlaps or touches {path}[{before}] (a session must fit in one range)",
                "merge the two ranges into one",
            )


def _resources(instance: Instance, knowledge: KnowledgeBase) -> Iterable[FieldProblem]:
    slot = instance.slot_minutes
    for i, practitioner in enumerate(instance.resources.practitioners):
        for weekday, ranges in practitioner.hours.items():
            yield from _ranges(ranges, f"resources.practitioners[{i}].hours.{weekday}", slot)
    kinds = {entry.device for entry in knowledge.modalities.values() if entry.device}
    for i, device in enumerate(instance.resources.devices):
        path = f"resources.devices[{i}]"
        if device.procedures is None:
            if device.kind not in kinds:
                yield FieldProblem(
                    f"{path}.kind",
                    f"no procedure in the knowledge base needs a {device.kind!r}",
                    f"use one of {', '.join(sorted(kinds))}, or list its procedures",
                )
            continue
        for k, procedure in enumerate(device.procedures):
            if knowledge.modalities[procedure].device is None:
                yield FieldProblem(
                    f"{path}.procedures[{k}]",
                    f"{procedure.value} needs no device in the knowledge base",
                    "remove it: sessions that need no device never book one",
                )


def _whole_slots(path: str, minutes: int, slot: int) -> FieldProblem:
    return FieldProblem(
        path,
        f"{minutes} minutes is not a whole number of {slot}-minute slots within one day",
        f"use a multiple of {slot} up to {MINUTES_PER_DAY}",
    )


def _patients(instance: Instance) -> Iterable[FieldProblem]:
    slot = instance.slot_minutes
    for i, patient in enumerate(instance.patients):
        yield from _ranges(patient.availability.hours, f"patients[{i}].availability.hours", slot)
        for j, session in enumerate(patient.sessions):
            path = f"patients[{i}].sessions[{j}]"
            minutes = session.duration_minutes
            if minutes is not None and (minutes % slot or minutes > MINUTES_PER_DAY):
                yield _whole_slots(f"{path}.duration_minutes", minutes, slot)
            low, high = session.min_days_after_previous, session.max_days_after_previous
            if j == 0:
                for name, value in (
                    ("min_days_after_previous", low),
                    ("max_days_after_previous", high),
                ):
                    if value is not None:
                        yield FieldProblem(
                            f"{path}.{name}",
                            "the first session of a patient has no previous session",
                            "remove it; use `earliest` to set the first session's date",
                        )
            elif low is not None and high is not None and high < low:
                yield FieldProblem(
                    f"{path}.max_days_after_previous",
                    f"{high} is less than min_days_after_previous {low}",
                    "make the maximum at least the minimum",
                )
