"""Charts drawn by the server as SVG geometry (the template draws the shapes; the same numbers go in a table)."""

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
