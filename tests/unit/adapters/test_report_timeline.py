"""The plan timeline's geometry: rows by procedure, session marks and downtime to scale."""

from __future__ import annotations

from datetime import date

from scarplan.adapters.reports.content import DateWindow, SessionRow
from scarplan.adapters.reports.timeline import CHART_WIDTH, LABEL_WIDTH, build_timeline


def session(day: date, modality: str, downtime: int = 7, number: int = 1) -> SessionRow:
    return SessionRow(day, modality, number, 2, ("cheek_left",), downtime, "not priced")


def test_no_sessions_draw_no_chart() -> None:
    assert build_timeline([]) is None


def test_one_row_per_procedure_in_order_of_first_session() -> None:
    timeline = build_timeline(
        [
            session(date(2027, 1, 11), "subcision"),
            session(date(2027, 1, 25), "tca_cross"),
            session(date(2027, 2, 8), "subcision", number=2),
        ]
    )
    assert timeline is not None
    assert [row.modality for row in timeline.rows] == ["subcision", "tca_cross"]
    first, _, third = timeline.bars
    assert first.y == third.y


def test_the_axis_runs_from_the_first_month_to_the_month_after_the_last_recovery() -> None:
    # 11 Jan 2027 to 28 Feb 2027 + 7 days of downtime = 7 Mar: months Jan, Feb, Mar (90 days).
    timeline = build_timeline(
        [session(date(2027, 1, 11), "subcision"), session(date(2027, 2, 28), "tca_cross")]
    )
    assert timeline is not None
    assert [tick.text for tick in timeline.ticks] == ["Jan 2027", "Feb 2027", "Mar 2027"]
    per_day = CHART_WIDTH / 90
    first, second = timeline.bars
    assert first.x == round(LABEL_WIDTH + 10 * per_day, 1)
    assert second.x == round(LABEL_WIDTH + 58 * per_day, 1)
    assert first.downtime_width == round(7 * per_day, 1)


def test_dates_to_avoid_are_shaded_inside_the_axis_only() -> None:
    timeline = build_timeline(
        [session(date(2027, 4, 1), "tca_cross", downtime=5)],
        [
            DateWindow(date(2027, 4, 10), date(2027, 4, 18), "wedding"),
            DateWindow(date(2028, 1, 1), date(2028, 1, 2), "far away"),
        ],
    )
    assert timeline is not None
    # April 2027 is the whole axis (30 days); the 9 avoided days are 9/30 of its width.
    (shade,) = timeline.avoid
    assert shade.width == round(9 * CHART_WIDTH / 30, 1)
    assert "wedding" in shade.title
