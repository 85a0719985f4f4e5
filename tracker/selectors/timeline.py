"""A red line's life on a date axis: lanes, ticks and marks for the server-drawn SVG timeline."""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from tracker.models import Event

LANES: tuple[tuple[str, str], ...] = (
    ("declaration", "Declared"),
    ("restatement", "Restated"),
    ("crossing", "Crossed"),
    ("response", "Response"),
    ("withdrawal", "Withdrawn"),
)
LEGEND: tuple[tuple[str, str], ...] = (
    ("declaration", "Declaration"),
    ("restatement", "Restatement"),
    ("crossing", "Crossing (hollow when partial)"),
    ("response", "Response"),
    ("withdrawal", "Withdrawal"),
)
KIND_LABELS = dict(Event.Kind.choices)
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Mark:
    kind: str
    label: str
    on: date
    x: float
    y: float
    summary: str
    anchor: str
    source: Mapping[str, Any] | None
    partial: bool = False


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class Lane:
    kind: str
    label: str
    y: float


@dataclass
class Timeline:
    width: int
    height: int
    plot_left: int
    plot_right: int
    axis_y: float
    start: date
    end: date
    today_x: float | None
    lanes: list[Lane] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)
    legend: tuple[tuple[str, str], ...] = LEGEND


def _first(sources: Iterable[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    return next(iter(sources), None)


def _ticks(start: date, end: date, scale: Callable[[date], float], *, most: int) -> list[Tick]:
    span_days = (end - start).days
    if span_days > 3 * 365:
        years = span_days / 365.25
        step = next(s for s in (1, 2, 5, 10, 20, 50) if years / s <= most)
        first = (start.year // step + 1) * step
        return [Tick(scale(date(y, 1, 1)), str(y)) for y in range(first, end.year + 1, step)]
    months = max(1, round(span_days / 30.44))
    step = next(s for s in (1, 2, 3, 6, 12) if months / s <= most)
    ticks: list[Tick] = []
    index = start.year * 12 + start.month  # the month after start's month, zero-based index
    while True:
        y, m = divmod(index, 12)
        if m % step == 0:
            d = date(y, m + 1, 1)
            if d > end:
                break
            ticks.append(Tick(scale(d), f"{MONTHS[m]} {y}"))
        index += 1
    if not ticks:  # a short span with no month boundary: label the ends instead
        ticks = [Tick(scale(d), f"{d.day} {MONTHS[d.month - 1]} {d.year}") for d in (start, end)]
    return ticks


def red_line_timeline(
    *,
    line: Mapping[str, Any],
    events: Sequence[Mapping[str, Any]],
    today: date,
    width: int = 900,
) -> Timeline:
    """Lay out the declaration and each event of a line read by `red_line_detail` on a shared date axis.

    The axis runs to today unless the last event is long past, in which case it stops
    shortly after that event so close events stay apart. Each kind has its own lane, so
    marks of different kinds never hide each other; marks in one lane that fall within a
    few pixels are nudged up and down alternately. `width` is in SVG units: the page
    draws a wide and a narrow version and shows the one that fits the screen.
    """
    declared = line["declared_on"]
    last_event = max((e["occurred_on"] for e in events), default=None)
    if last_event is None or (today - last_event).days <= 0.5 * max((last_event - declared).days, 1):
        last, shows_today = max(today, last_event or today), True
    else:
        last, shows_today = last_event, False
    span = max((last - declared).days, 30)
    start = declared - timedelta(days=max(1, round(span * 0.03)))
    end = last + timedelta(days=max(1, round(span * 0.03)))
    plot_left, plot_right = (96 if width >= 600 else 72), width - 16
    total = (end - start).days

    def scale(d: date) -> float:
        return round(plot_left + (d - start).days / total * (plot_right - plot_left), 1)

    used = {"declaration", "restatement", "crossing", "response"} | {e["kind"] for e in events}
    lane_h, top = 34, 22
    lanes = [
        Lane(kind, label, top + i * lane_h)
        for i, (kind, label) in enumerate(k for k in LANES if k[0] in used)
    ]
    lane_y = {lane.kind: lane.y for lane in lanes}
    axis_y = top + len(lanes) * lane_h - lane_h / 2 + 6

    marks = [
        Mark(
            kind="declaration",
            label="Declaration",
            on=declared,
            x=scale(declared),
            y=lane_y["declaration"],
            summary=line["title"],
            anchor="statement",
            source=_first(line["sources"]),
        )
    ]
    last_x: dict[str, float] = {}
    nudge: dict[str, int] = {}
    for event in events:
        kind = event["kind"]
        x = scale(event["occurred_on"])
        y = lane_y[kind]
        if kind in last_x and x - last_x[kind] < 9:
            nudge[kind] = nudge.get(kind, 0) + 1
            y += 7 if nudge[kind] % 2 else -7
        else:
            nudge[kind] = 0
        last_x[kind] = x
        marks.append(
            Mark(
                kind=kind,
                label=KIND_LABELS.get(kind, kind) + (" (partial)" if event["partial"] else ""),
                on=event["occurred_on"],
                x=x,
                y=y,
                summary=event["summary"],
                anchor=f"event-{event['id']}",
                source=_first(event["sources"]),
                partial=event["partial"],
            )
        )
    return Timeline(
        width=width,
        height=int(axis_y + 28),
        plot_left=plot_left,
        plot_right=plot_right,
        axis_y=axis_y,
        start=start,
        end=end,
        today_x=scale(today) if shows_today else None,
        lanes=lanes,
        ticks=_ticks(start, end, scale, most=8 if width >= 600 else 4),
        marks=marks,
    )
