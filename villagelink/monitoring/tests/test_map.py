"""The dashboard's map: the region's prefectures shaded by the chosen indicator, counties as circles at their
seats sized by it, each shape a link to the unit's dashboard for the same period; a prefecture's map; none
below; an unknown indicator falls back to online sales."""

import datetime
import re

import pytest
from django.urls import reverse

from villagelink.desk.services import assisted_sale_record

from .conftest import LHASA_VILLAGE, NAMLING_VILLAGES


@pytest.fixture
def trade(points):
    for code, amount in [(NAMLING_VILLAGES[0], 900_00), (LHASA_VILLAGE, 300_00)]:
        site, operator = points[code]
        assisted_sale_record(
            by=operator, site=site, platform="taobao", description="Butter", category="dairy", quantity=1,
            amount_fen=amount, day=datetime.date(2019, 3, 15),
        )  # fmt: skip


def _map(client, code, **query) -> str:
    page = client.get(reverse("monitoring:dashboard", args=[code]), query).content.decode()
    found = re.search(r'<svg[^>]*data-testid="map".*?</svg>', page, re.S)
    return found.group(0) if found else ""


def _areas(svg: str) -> dict[str, str]:
    """{unit code: shade class} of each area."""
    return dict(
        re.findall(r'<a href="/monitoring/(\d+)/\?period=[^"]+"><path d="[^"]+" class="area (shade-\d)"', svg)
    )


def _radii(svg: str) -> dict[str, float]:
    found = re.findall(
        r'<a href="/monitoring/(\d+)/\?[^"]+"><circle cx="[\d.]+" cy="[\d.]+" r="([\d.]+)"', svg
    )
    return {code: float(r) for code, r in found}


def test_the_region_map_shades_prefectures_and_sizes_counties_by_the_chosen_indicator(
    client, region_officer, trade
):
    client.force_login(region_officer)
    svg = _map(client, "540000", period="2019", map="online_sales")
    areas = _areas(svg)
    assert len(areas) == 7  # the seven prefecture-level divisions, Nagqu under its present code
    assert areas["540200"] == "shade-5"  # Shigatse: ¥900, the largest
    assert areas["540100"] == "shade-2"  # Lhasa: ¥300, a third of it
    assert areas["540600"] == "shade-1"  # Nagqu: nothing sold
    radii = _radii(svg)
    assert len(radii) == 60  # the counties with coordinates; the other 14 are named under the map
    assert radii["540221"] == max(radii.values()) > radii["540102"] > radii["540121"]
    assert 'href="/monitoring/540200/?period=2019&amp;map=online_sales"' in svg
    page = client.get(reverse("monitoring:dashboard", args=["540000"]), {"period": "2019"}).content.decode()
    assert "Seni District" in page.split('data-testid="map-unplaced"')[1].split("</p>")[0]
    legend = page.split('data-testid="map-legend"')[1].split("</ul>")[0]
    assert "800.00 – 1,000.00" in legend  # five classes of ¥200 (a round width), the top one


def test_another_indicator_reshades_the_map_and_an_unknown_one_falls_back(client, region_officer, trade):
    client.force_login(region_officer)
    points = _areas(_map(client, "540000", period="2019", map="village_points"))
    assert points["540200"] == "shade-5" and points["540100"] == "shade-3"  # two points against one
    assert _areas(_map(client, "540000", period="2019", map="<script>")) == _areas(
        _map(client, "540000", period="2019")
    )


def test_a_prefecture_shows_its_outline_and_its_counties_and_a_county_no_map(client, region_officer, trade):
    client.force_login(region_officer)
    svg = _map(client, "540200", period="2019")
    assert list(_areas(svg)) == ["540200"]
    radii = _radii(svg)
    assert "540221" in radii and all(code.startswith("5402") for code in radii)
    assert _map(client, "540221", period="2019") == ""


def test_a_county_officer_gets_no_map_of_the_region(client, county_officer):
    client.force_login(county_officer)
    response = client.get(reverse("monitoring:dashboard", args=["540000"]), {"map": "online_sales"})
    assert response.status_code in (403, 404)


def test_the_printable_report_carries_the_map_without_its_form(client, region_officer, trade):
    client.force_login(region_officer)
    page = client.get(reverse("monitoring:report", args=["540000"]), {"period": "2019"}).content.decode()
    assert 'data-testid="map"' in page
    assert 'class="filters no-print"' in page  # the indicator's form is not printed


def test_the_map_and_the_chart_draw_in_french_too(client, region_officer, trade):
    """Coordinates are written with a decimal point whatever the language (a French decimal comma made every
    circle and bar invalid SVG)."""
    client.force_login(region_officer)
    page = client.get(
        reverse("monitoring:dashboard", args=["540000"]), {"period": "2019"}, HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    assert 'lang="fr"' in page
    coordinates = re.findall(r' (?:cx|cy|r|x|y|width|height)="([^"]*)"', page.split('data-testid="map"')[1])
    assert coordinates and all("," not in value for value in coordinates)
    bars = re.findall(r'<rect x="([^"]*)" y="([^"]*)"', page)  # the monthly chart
    assert bars and all("," not in x + y for x, y in bars)
    assert len(_radii(_map(client, "540000", period="2019"))) == 60
