"""Synthetic townships and villages for the demo, generated the same way every time.

Real township and village lists are not public reference data here, so the demo invents them under the real
counties: codes extend the county's code as the national scheme does (3 digits for a township, 3 more for a
village), and every name is marked as synthetic in each language. Each gets a made-up place near its county's
seat (a township within about 60 km, a village within about 15 km of its township), so that distances from the
seat (the evaluation's bands) mean something in the demo.
"""

import math
import random

from villagelink.geo.models import AdminUnit, Level
from villagelink.geo.services import UnitRow

# (English, Chinese, Tibetan) syllables of place names, and endings that make a place of them.
STEMS = [
    ("Tashi", "扎西", "བཀྲ་ཤིས་"),
    ("Dechen", "德庆", "བདེ་ཆེན་"),
    ("Norbu", "罗布", "ནོར་བུ་"),
    ("Dorje", "多吉", "རྡོ་རྗེ་"),
    ("Pema", "白玛", "པདྨ་"),
    ("Tsering", "次仁", "ཚེ་རིང་"),
    ("Drolma", "卓玛", "སྒྲོལ་མ་"),
    ("Lhamo", "拉姆", "ལྷ་མོ་"),
    ("Namgyal", "朗杰", "རྣམ་རྒྱལ་"),
    ("Kelsang", "格桑", "སྐལ་བཟང་"),
    ("Phuntsok", "平措", "ཕུན་ཚོགས་"),
    ("Gyatso", "嘉措", "རྒྱ་མཚོ་"),
    ("Samdrup", "桑珠", "བསམ་གྲུབ་"),
    ("Yangchen", "央金", "དབྱངས་ཅན་"),
    ("Lhunpo", "伦布", "ལྷུན་པོ་"),
]
ENDINGS = [
    ("gang", "岗", "སྒང་"),
    ("ling", "林", "གླིང་"),
    ("thang", "塘", "ཐང་"),
    ("kha", "卡", "ཁ་"),
]
TOWNSHIPS = 690
VILLAGES = 5400
TOWNSHIP_REACH_KM, VILLAGE_REACH_KM = 60, 15
KM_PER_DEGREE = 111.32


def _names(rng: random.Random, count: int) -> list[tuple[str, str, str]]:
    """`count` distinct place names, numbered once the stems run out."""
    combos = [(s, e) for s in STEMS for e in ENDINGS]
    rng.shuffle(combos)
    names = []
    for i in range(count):
        (en, zh, bo), (en_end, zh_end, bo_end) = combos[i % len(combos)]
        suffix = "" if i < len(combos) else f" {i // len(combos) + 1}"
        names.append((f"{en}{en_end}{suffix}", f"{zh}{zh_end}{suffix}", f"{bo}{bo_end}{suffix}"))
    return names


def _allocate(rng: random.Random, total: int, slots: int) -> list[int]:
    """Splits `total` into `slots` uneven whole parts (each at least 1) that add up exactly."""
    weights = [rng.uniform(0.5, 1.5) for _ in range(slots)]
    scale = (total - slots) / sum(weights)
    shares = [w * scale for w in weights]
    parts = [1 + int(s) for s in shares]
    by_remainder = sorted(range(slots), key=lambda i: shares[i] - int(shares[i]), reverse=True)
    for i in by_remainder[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _near(
    rng: random.Random, place: tuple[float, float] | None, reach_km: float
) -> tuple[float, float] | None:
    """A point within `reach_km` of `place` (longitude, latitude), uniformly over the disc."""
    if place is None:
        return None
    distance, bearing = reach_km * math.sqrt(rng.random()), rng.uniform(0, 2 * math.pi)
    longitude, latitude = place
    return (
        longitude + distance * math.sin(bearing) / (KM_PER_DEGREE * math.cos(math.radians(latitude))),
        latitude + distance * math.cos(bearing) / KM_PER_DEGREE,
    )


def _coordinates(place: tuple[float, float] | None) -> dict[str, str]:
    return {"longitude": f"{place[0]:.6f}", "latitude": f"{place[1]:.6f}"} if place else {}


def synthetic_unit_rows(counties: list[AdminUnit]) -> list[UnitRow]:
    """About 690 townships and 5,400 villages under the given counties, in code order."""
    rng = random.Random(20150101)
    counties = sorted(counties, key=lambda c: c.code)
    townships_per_county = _allocate(rng, TOWNSHIPS, len(counties))
    villages_per_township = _allocate(rng, VILLAGES, TOWNSHIPS)
    rows: list[UnitRow] = []
    line = 1
    township_index = 0
    places = random.Random(29_650_091)  # a stream of its own: the names stay as they were
    for county, township_count in zip(counties, townships_per_county, strict=True):
        seat = (
            (float(county.longitude), float(county.latitude))
            if county.longitude is not None and county.latitude is not None
            else None
        )
        for t, (en, zh, bo) in enumerate(_names(rng, township_count), start=1):
            township_code = f"{county.code}{100 + t:03d}"
            township = _near(places, seat, TOWNSHIP_REACH_KM)
            line += 1
            rows.append(
                UnitRow(
                    row=line,
                    code=township_code,
                    parent_code=county.code,
                    level=Level.TOWNSHIP,
                    name_zh=f"{zh}乡（示例）",
                    name_en=f"{en} Township (synthetic)",
                    name_bo=f"{bo}ཤང་། (དཔེ་)",
                    **_coordinates(township),
                )
            )
            village_count = villages_per_township[township_index] if township_index < TOWNSHIPS else 5
            township_index += 1
            for v, (ven, vzh, vbo) in enumerate(_names(rng, village_count), start=1):
                line += 1
                rows.append(
                    UnitRow(
                        row=line,
                        code=f"{township_code}{200 + v:03d}",
                        parent_code=township_code,
                        level=Level.VILLAGE,
                        name_zh=f"{vzh}村（示例）",
                        name_en=f"{ven} Village (synthetic)",
                        name_bo=f"{vbo}གྲོང་ཚོ། (དཔེ་)",
                        **_coordinates(_near(places, township, VILLAGE_REACH_KM)),
                    )
                )
    return rows
