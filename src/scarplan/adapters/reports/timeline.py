"""The plan's timeline as a Gantt-style chart: one row per procedure, a mark on each session day,
its downtime as a lighter bar after it, and the dates to avoid as hatched columns. Pure geometry
(SVG user units); the template draws it, so the same chart prints and shows on screen."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from scarplan.adapters.reports.content import DateWindow, SessionRow

LABEL_WIDTH = 150.0
CHART_WIDTH = 520.0
ROW_HEIGHT = 22.0
AXIS_HEIGHT = 22.0
BAR_HEIGHT = 12.0
MIN_MARK = 4.0


@dataclass(frozen=True)
class Tick:
    x: float
    text: str


@dataclass(frozen=True)
class Row:
    y: float
    modality: str


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    downtime_width: float
    title: str
    done: bool


@dataclass(frozen=True)
class Shade:
    x: float
    width: float
    title: str


@dataclass(frozen=True)
class Timeline:
    width: float
    height: float
    chart_left: float
    chart_top: float
    ticks: tuple[Tick, ...]
    rows: tuple[Row, ...]
    bars: tuple[Bar, ...]
    avoid: tuple[Shade, ...]


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def build_timeline(
    sessions: Sequence[SessionRow], avoid: Sequence[DateWindow] = ()
) -> Timeline | None:
    """None when there is no session to draw."""
    if not sessions:
        return None
    first = _month_start(min(s.day for s in sessions))
    last_day = max(s.day + timedelta(days=s.downtime_days) for s in sessions)
    end = _next_month(last_day)
    span = (end - first).days
    scale = CHART_WIDTH / span

    def x_of(day: date) -> float:
        return LABEL_WIDTH + (day - first).days * scale

    ticks = []
    month = first
    while month < end:
        ticks.append(Tick(round(x_of(month), 1), month.strftime("%b %Y")))
        month = _next_month(month)

    order: list[str] = []
    for s in sessions:
        if s.modality not in order:
            order.append(s.modality)
    rows = tuple(Row(AXIS_HEIGHT + i * ROW_HEIGHT, modality) for i, modality in enumerate(order))
    row_y = {row.modality: row.y for row in rows}

    bars = tuple(
        Bar(
            x=round(x_of(s.day), 1),
            y=row_y[s.modality] + (ROW_HEIGHT - BAR_HEIGHT) / 2,
            width=max(MIN_MARK, round(scale, 1)),
            downtime_width=round(s.downtime_days * scale, 1),
            title=f"{s.day.isoformat()}: session {s.number} of {s.of}, "
            f"{s.downtime_days} days downtime",
            done=s.done,
        )
        for s in sessions
    )
    shades = tuple(
        Shade(
            x=round(x_of(max(w.start, first)), 1),
            width=round(max(1, (min(w.end, end) - max(w.start, first)).days + 1) * scale, 1),
            title=f"avoid {w.start.isoformat()} to {w.end.isoformat()}"
            + (f": {w.reason}" if w.reason else ""),
        )
        for w in avoid
        if w.end >= first and w.start < end
    )
    height = AXIS_HEIGHT + len(rows) * ROW_HEIGHT + 4
    return Timeline(
        width=LABEL_WIDTH + CHART_WIDTH + 10,
        height=height,
        chart_left=LABEL_WIDTH,
        chart_top=AXIS_HEIGHT,
        ticks=tuple(ticks),
        rows=rows,
        bars=bars,
        avoid=shades,
    )
