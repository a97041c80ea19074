"""Writes villagelink/geo/fixtures/tibet_prefectures.json, the outlines of Tibet's seven prefecture-level
divisions the dashboard's map draws, from Apache ECharts 4.9.0's `map/json/province/xizang.json` (Apache
License 2.0; the npm package `echarts@4.9.0`), simplified for a page: rings thinned with Douglas–Peucker to
0.02° (about 2 km) and coordinates rounded to 0.01°.

    curl -sSLO https://registry.npmjs.org/echarts/-/echarts-4.9.0.tgz
    tar xzf echarts-4.9.0.tgz package/map/json/province/xizang.json
    python3 tools/make_outline.py package/map/json/province/xizang.json
"""

import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "villagelink/geo/fixtures/tibet_prefectures.json"
NAMES = {  # the file's names → the division codes (one feature of Shannan has no id and one has no shape)
    "拉萨市": "540100", "日喀则市": "540200", "昌都市": "540300", "林芝市": "540400", "山南市": "540500",
    "那曲地区": "540600", "阿里地区": "542500",
}  # fmt: skip
TOLERANCE = 0.02


def _distance(point, start, end) -> float:
    (x, y), (x1, y1), (x2, y2) = point, start, end
    dx, dy = x2 - x1, y2 - y1
    if dx == dy == 0:
        return ((x - x1) ** 2 + (y - y1) ** 2) ** 0.5
    return abs(dy * x - dx * y + x2 * y1 - y2 * x1) / (dx * dx + dy * dy) ** 0.5


def thinned(points: list) -> list:
    """Douglas–Peucker: the points that keep the line within TOLERANCE of the original."""
    if len(points) < 3:
        return points
    far, at = 0.0, 0
    for i in range(1, len(points) - 1):
        d = _distance(points[i], points[0], points[-1])
        if d > far:
            far, at = d, i
    if far <= TOLERANCE:
        return [points[0], points[-1]]
    return thinned(points[: at + 1])[:-1] + thinned(points[at:])


def main(source: str) -> None:
    features = json.loads(Path(source).read_text(encoding="utf-8"))["features"]
    outlines: dict[str, list] = {}
    for feature in features:
        geometry = feature["geometry"]
        polygons = (
            geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        )
        code = NAMES[feature["properties"]["name"]]
        for polygon in polygons:
            for ring in polygon:
                # half the ring each way, so that its first and last points stay
                middle = len(ring) // 2
                kept = thinned(ring[: middle + 1])[:-1] + thinned(ring[middle:])
                rounded = [[round(x, 2), round(y, 2)] for x, y in kept]
                if len(rounded) >= 4:
                    outlines.setdefault(code, []).append(rounded)
    OUT.write_text(
        json.dumps(
            {
                "source": "Apache ECharts 4.9.0, map/json/province/xizang.json (Apache License 2.0), simplified",
                "outlines": dict(sorted(outlines.items())),
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )
        + "\n",
        encoding="utf-8",
    )


if __name__ == "__main__":
    main(sys.argv[1])
