"""Score trends as plain SVG geometry: no chart library, no JavaScript, prints as drawn."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

WIDTH = 560
HEIGHT = 180
LEFT = 44
RIGHT = 16
TOP = 14
BOTTOM = 30


@dataclass(frozen=True)
class ChartPoint:
    x: float
    y: float
    day: date
    value: float


@dataclass(frozen=True)
class Chart:
    title: str
    points: list[ChartPoint]
    y_ticks: list[tuple[float, str]]
    x_ticks: list[tuple[float, str]]
    markers: list[tuple[float, str]]
    """Sessions carried out, as vertical lines: x and a label."""
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)

    @property
    def plot_bottom(self) -> int:
        return HEIGHT - BOTTOM

    @property
    def plot_left(self) -> int:
        return LEFT


def trend_chart(
    title: str,
    series: list[tuple[date, float]],
    top_value: float,
    sessions: list[tuple[date, str]],
    *,
    bottom_value: float = 0,
    ticks: int = 4,
) -> Chart:
    """A line chart of `series` (at least one point) over time; y from `bottom_value` to
    `top_value`."""
    if not series:
        raise ValueError("a trend chart needs at least one point")
    days = [d for d, _ in series] + [d for d, _ in sessions]
    first, last = min(days), max(days)
    span_days = max((last - first).days, 1)
    span_value = max(top_value - bottom_value, 1e-9)
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM

    def x_of(day: date) -> float:
        if len(series) == 1 and not sessions:
            return LEFT + plot_w / 2
        return LEFT + plot_w * (day - first).days / span_days

    def y_of(value: float) -> float:
        return TOP + plot_h * (1 - (value - bottom_value) / span_value)

    y_ticks = [
        (y_of(bottom_value + span_value * i / ticks), f"{bottom_value + span_value * i / ticks:g}")
        for i in range(ticks + 1)
    ]
    x_days = sorted({first, last})
    return Chart(
        title=title,
        points=[ChartPoint(x_of(d), y_of(v), d, v) for d, v in series],
        y_ticks=y_ticks,
        x_ticks=[(x_of(d), d.strftime("%b %Y")) for d in x_days],
        markers=[(x_of(d), label) for d, label in sessions],
    )
