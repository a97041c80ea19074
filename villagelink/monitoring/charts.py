"""Charts drawn by the server as SVG geometry (the template draws the shapes; the same numbers go in a table)."""

import math
from dataclasses import dataclass

from django.utils.translation import gettext as _

from villagelink.core.numbers import yuan_scaled, yuan_text

from .selectors import Month

WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 720, 240, 56, 28, 12


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    series: str  # "sales" or "purchases"
    title: str


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    baseline: float
    bars: list[Bar]
    ticks: list[Tick]
    labels: list[tuple[float, str]]  # x, month label (every few months)


def nice_ceiling(value: int) -> int:
    """The smallest 1, 2 or 5 × 10ⁿ at or above `value` (so the axis reads in round numbers)."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def _short(fen: int) -> str:
    """An axis label in yuan: "2.5 m", "40 k", "300"."""
    yuan = fen / 100
    if yuan >= 1e6:
        return _("%(number)s m") % {"number": f"{yuan / 1e6:g}"}
    if yuan >= 1e3:
        return _("%(number)s k") % {"number": f"{yuan / 1e3:g}"}
    return f"{yuan:g}"


def _tooltip(month: str, series: str, fen: int) -> str:
    """What a bar says when pointed at: "2019-03 · Online sales: ¥18.86 million (¥18,858,120.90)"."""
    exact = f"¥{yuan_text(fen)}"
    scaled = yuan_scaled(fen)
    return f"{month} · {series}: {f'{scaled} ({exact})' if scaled else exact}"


def trend_chart(months: list[Month]) -> Chart:
    """Grouped bars: sales and purchases for each month."""
    top = nice_ceiling(max([m.sales_fen for m in months] + [m.purchases_fen for m in months] + [100]))
    plot_height = HEIGHT - BOTTOM - TOP
    baseline = HEIGHT - BOTTOM
    slot = (WIDTH - LEFT) / max(len(months), 1)
    bar = max(slot * 0.4, 0.5)
    bars, labels = [], []
    every = max(1, len(months) // 12)
    for i, month in enumerate(months):
        x = LEFT + i * slot + slot * 0.1
        label = month.start.strftime("%Y-%m")
        for offset, series, fen, name in (
            (0, "sales", month.sales_fen, _("Online sales")),
            (bar, "purchases", month.purchases_fen, _("Online purchases")),
        ):
            height = plot_height * fen / top
            bars.append(
                Bar(
                    round(x + offset, 2),
                    round(baseline - height, 2),
                    round(bar, 2),
                    round(height, 2),
                    series,
                    _tooltip(label, name, fen),
                )
            )
        if i % every == 0:
            labels.append((round(x + bar, 2), label))
    ticks = [Tick(round(baseline - plot_height * k / 4, 2), _short(top * k // 4)) for k in range(5)]
    return Chart(WIDTH, HEIGHT, LEFT, baseline, bars, ticks, labels)


@dataclass(frozen=True)
class Whisker:
    x: float
    y: float  # the estimate
    low: float  # its interval's ends (y coordinates)
    high: float
    base: bool  # the year before designation: zero by construction
    title: str


@dataclass(frozen=True)
class EventChart:
    width: int
    height: int
    left: int
    zero: float
    whiskers: list[Whisker]
    ticks: list[Tick]
    labels: list[tuple[float, str]]  # x, event time ("−2", "0", "+1")


EVENT_WIDTH, EVENT_HEIGHT = 360, 220


def _percent_step(span: float) -> int:
    """A round step that gives three to six ticks over `span` percentage points."""
    for step in (5, 10, 20, 25, 50, 100, 200, 500, 1000):
        if span / step <= 6:
            return step
    return 2000


def event_chart(events) -> EventChart | None:
    """An event study: the effect (in percent) in each year from designation, with its 95 % interval, and the
    year before designation at zero (the base). `events` are `evaluation.EventTime`s."""
    if not events:
        return None
    points = {e.event: e.estimate for e in events}
    first, last = min([*points, -1]), max([*points, -1])
    lows = [min(0.0, est.percent_low) for est in points.values()]
    highs = [max(0.0, est.percent_high) for est in points.values()]
    # an interval reaching past +1000 % is drawn to the top (the table and the title give its end)
    bottom_value, top_value = max(min(lows), -100.0), min(max(highs), 1000.0)
    step = _percent_step(top_value - bottom_value)
    bottom_value = max(step * math.floor(bottom_value / step), -100)  # nothing falls by more than all of it
    top_value = step * math.ceil(top_value / step) or step
    plot_height = EVENT_HEIGHT - BOTTOM - TOP

    def y(percent: float) -> float:
        return round(TOP + plot_height * (top_value - percent) / (top_value - bottom_value), 2)

    slot = (EVENT_WIDTH - LEFT) / (last - first + 1)
    whiskers, labels = [], []
    for event in range(first, last + 1):
        x = round(LEFT + (event - first + 0.5) * slot, 2)
        labels.append((x, f"{event:+d}" if event else "0"))
        if event == -1:
            whiskers.append(Whisker(x, y(0), y(0), y(0), True, _("The year before designation: the base")))
        elif (estimate := points.get(event)) is not None:
            title = _("%(event)s: %(percent)s %% (95 %% interval %(low)s %% to %(high)s %%)") % {
                "event": f"{event:+d}" if event else "0",
                "percent": f"{estimate.percent:+.0f}",
                "low": f"{estimate.percent_low:+.0f}",
                "high": f"{estimate.percent_high:+.0f}",
            }
            whiskers.append(
                Whisker(
                    x,
                    y(min(estimate.percent, top_value)),
                    y(estimate.percent_low),
                    y(min(estimate.percent_high, top_value)),
                    False,
                    title,
                )
            )
    ticks = [
        Tick(y(value), f"{value:+d} %" if value else "0")
        for value in range(step * math.ceil(bottom_value / step), int(top_value) + 1, step)
    ]
    return EventChart(EVENT_WIDTH, EVENT_HEIGHT, LEFT, y(0), whiskers, ticks, labels)
