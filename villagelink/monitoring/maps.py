"""The map of a region or a prefecture, drawn by the server as SVG geometry (the template draws the shapes; the
same figures are in the ranking table): the prefectures filled by an indicator's value in five classes (a
choropleth), the counties as circles at their seats, their area proportional to the value. Each shape links
to the unit's dashboard.

Outlines: `geo/fixtures/tibet_prefectures.json`, from Apache ECharts 4.9.0's map of Tibet (Apache License
2.0), simplified by `tools/make_outline.py`. A county is placed at the coordinates recorded for it; one without
coordinates is named under the map instead.
"""

import functools
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources

from django.urls import reverse

from villagelink.core.numbers import yuan_scaled
from villagelink.geo.models import AdminUnit, Level

from .charts import nice_ceiling
from .indicators import Indicator, Measure
from .selectors import Figures
from .templatetags.indicators import figure

WIDTH, MARGIN, MAX_RADIUS, MIN_RADIUS = 720, 8, 16.0, 2.5
CLASSES = 5


@dataclass(frozen=True)
class Area:
    href: str
    d: str  # the SVG path
    shade: int  # 0: no value; 1–5: the class of the value
    title: str


@dataclass(frozen=True)
class Seat:
    href: str
    cx: float
    cy: float
    r: float
    title: str


@dataclass(frozen=True)
class Map:
    width: int
    height: int
    indicator: Indicator
    areas: list[Area]
    seats: list[Seat]
    legend: list[tuple[int, str]]  # (shade, the range it stands for)
    unplaced: list[AdminUnit]  # counties without recorded coordinates


@functools.cache
def _outlines() -> dict[str, list[list[tuple[float, float]]]]:
    """The prefectures' rings of (longitude, latitude), by division code."""
    text = resources.files("villagelink.geo").joinpath("fixtures/tibet_prefectures.json").read_text("utf-8")
    return {
        code: [[(x, y) for x, y in ring] for ring in rings]
        for code, rings in json.loads(text)["outlines"].items()
    }


def _projection(
    points: list[tuple[float, float]],
) -> tuple[Callable[[float, float], tuple[float, float]], int]:
    """Longitude and latitude to the SVG's x and y (equirectangular, a degree of longitude shortened to its
    length at the middle latitude), fitted to WIDTH; and the height."""
    xs, ys = [x for x, _y in points], [y for _x, y in points]
    squeeze = math.cos(math.radians((min(ys) + max(ys)) / 2))
    scale = (WIDTH - 2 * MARGIN) / max((max(xs) - min(xs)) * squeeze, 1e-9)
    west, north = min(xs), max(ys)

    def place(longitude: float, latitude: float) -> tuple[float, float]:
        return (
            round(MARGIN + (longitude - west) * squeeze * scale, 1),
            round(MARGIN + (north - latitude) * scale, 1),
        )

    return place, round(2 * MARGIN + (max(ys) - min(ys)) * scale)


def _path(rings: list[list[tuple[float, float]]], place) -> str:
    parts = []
    for ring in rings:
        points = [place(x, y) for x, y in ring]
        parts.append("M" + " L".join(f"{x},{y}" for x, y in points) + " Z")
    return " ".join(parts)


def _value(figures: Figures, indicator: Indicator) -> float | None:
    value = figures.values.get(indicator.name)
    return None if value is None else float(value)


def _bounds(top: float, indicator: Indicator) -> list[float]:
    """Up to five classes of one round width (¥5 million, 20 points, 2 sites) that reach `top`."""
    if top <= 0:
        return []
    if indicator.measure == Measure.SHARE:
        step = nice_ceiling(math.ceil(top * 100 / CLASSES)) / 100
    else:
        step = nice_ceiling(math.ceil(top / CLASSES))
    return [step * k for k in range(1, math.ceil(top / step - 1e-9) + 1)]


def _shade(value: float | None, bounds: list[float]) -> int:
    """0 for no value; else the value's class, spread over the five shades whatever the number of classes."""
    if value is None or not bounds:
        return 0
    k = next((k + 1 for k, bound in enumerate(bounds) if value <= bound), len(bounds))
    return math.ceil(k * CLASSES / len(bounds))


def _href(unit: AdminUnit, query: str) -> str:
    return reverse("monitoring:dashboard", args=[unit.code]) + query


def unit_map(
    *, unit: AdminUnit, prefectures: list[Figures], counties: list[Figures], indicator: Indicator, query: str
) -> Map | None:
    """The map of `unit` (a region: its `prefectures` shaded; a prefecture: its own outline) with `counties`
    as circles; None where no outline is known (a region other than Tibet, a county or below). `query`
    follows each link (the period shown)."""
    outlines = _outlines()
    shown = [f for f in prefectures if f.unit.code in outlines]
    if unit.level == Level.PREFECTURE and unit.code in outlines:
        own_rings = outlines[unit.code]
    elif unit.level == Level.REGION and shown:
        own_rings = [ring for f in shown for ring in outlines[f.unit.code]]
    else:
        return None
    place, height = _projection([point for ring in own_rings for point in ring])

    values = [v for v in (_value(f, indicator) for f in shown) if v is not None]
    bounds = _bounds(max(values), indicator) if values else []
    areas = [
        Area(
            _href(f.unit, query),
            _path(outlines[f.unit.code], place),
            _shade(_value(f, indicator), bounds),
            f"{f.unit.name}: {figure(f.values.get(indicator.name), indicator)}",
        )
        for f in shown
    ]
    if unit.level == Level.PREFECTURE:
        areas = [Area(_href(unit, query), _path(own_rings, place), 0, unit.name)]

    placed = [f for f in counties if f.unit.longitude is not None and f.unit.latitude is not None]
    largest = max((abs(_value(f, indicator) or 0) for f in placed), default=0)
    seats = []
    for f in sorted(placed, key=lambda f: -(abs(_value(f, indicator) or 0))):  # small circles on top
        x, y = place(float(f.unit.longitude or 0), float(f.unit.latitude or 0))  # placed: both recorded
        share = abs(_value(f, indicator) or 0) / largest if largest else 0
        radius = MIN_RADIUS + (MAX_RADIUS - MIN_RADIUS) * math.sqrt(share)
        title = f"{f.unit.name}: {figure(f.values.get(indicator.name), indicator)}"
        seats.append(Seat(_href(f.unit, query), x, y, round(radius, 1), title))

    legend = []
    low = 0.0
    for bound in bounds:
        legend.append((_shade(bound, bounds), f"{_label(low, indicator)} – {_label(bound, indicator)}"))
        low = bound
    return Map(
        width=WIDTH,
        height=height,
        indicator=indicator,
        areas=areas,
        seats=seats,
        legend=legend if unit.level == Level.REGION else [],
        unplaced=[f.unit for f in counties if f not in placed],
    )


def _label(value: float, indicator: Indicator) -> str:
    """A class bound as people read it: money in the words officials use (500万元, ¥5 million)."""
    if value == 0:
        return "0"
    if indicator.measure == Measure.YUAN:
        return yuan_scaled(round(value)) or figure(round(value), indicator)
    if indicator.measure == Measure.SHARE:
        return f"{value * 100:g}%"
    return figure(round(value), indicator)
