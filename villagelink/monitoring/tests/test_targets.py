"""Yearly targets: who sets them, how shares pass down, and the dashboard's figures against them."""

from decimal import Decimal

import pytest
from django.urls import reverse

from conftest import make_user
from villagelink.accounts.models import Role
from villagelink.core.exceptions import ApplicationError
from villagelink.monitoring.selectors import targets_for
from villagelink.monitoring.services import target_set

from .test_views import trade  # noqa: F401 - the fixture: 2019 sales in two Namling villages and Lhasa


def test_a_share_passes_down_and_an_amount_does_not(units, region_officer, county_officer):
    target_set(
        by=region_officer, unit=units["540000"], indicator="village_coverage", year=2019, value=Decimal(50)
    )
    target_set(
        by=region_officer, unit=units["540000"], indicator="online_sales", year=2019, value=Decimal(9000)
    )
    found = targets_for(units=[units["540221"], units["540000"]], year=2019)
    assert found["540221"]["village_coverage"].unit == units["540000"]  # inherited
    assert "online_sales" not in found["540221"]  # the region's total is not the county's
    own = target_set(
        by=county_officer, unit=units["540221"], indicator="village_coverage", year=2019, value=Decimal(80)
    )
    assert targets_for(units=[units["540221"]], year=2019)["540221"]["village_coverage"] == own
    assert targets_for(units=[units["540221"]], year=2018)["540221"] == {}


@pytest.mark.parametrize(
    ("who", "code", "indicator", "value", "message"),
    [
        ("county", "540000", "online_sales", 1, "Only officers of Tibet"),
        ("county", "540221101", "online_sales", 1, "not below"),
        ("region", "540221", "village_coverage", 101, "at most 100"),
        ("region", "540221", "households", 1, "Choose one of the indicators"),
        ("operator", "540221", "online_sales", 1, "Only officers of Namling"),
    ],
)
def test_who_sets_what(units, region_officer, county_officer, who, code, indicator, value, message):
    by = {"region": region_officer, "county": county_officer}.get(who) or make_user(
        "op", Role.SITE_OPERATOR, units["540221101201"]
    )
    with pytest.raises(ApplicationError, match=message):
        target_set(by=by, unit=units[code], indicator=indicator, year=2019, value=Decimal(value))


def test_the_dashboard_shows_figures_against_targets_and_who_is_behind(client, units, region_officer, trade):  # noqa: F811
    target_set(
        by=region_officer, unit=units["540221"], indicator="online_sales", year=2019, value=Decimal(2000)
    )
    target_set(
        by=region_officer, unit=units["540102"], indicator="online_sales", year=2019, value=Decimal(400)
    )
    client.force_login(region_officer)
    page = client.get(reverse("monitoring:dashboard", args=["540221"]), {"period": "2019"}).content.decode()
    target = page[page.index('data-testid="target-online_sales"') :].split("</p>")[0]
    assert "Target ¥2,000.00: 62.2 % reached" in target and "behind" in target  # 1,244.56 of 2,000
    month = client.get(
        reverse("monitoring:dashboard", args=["540221"]), {"period": "2019-03"}
    ).content.decode()
    assert 'data-testid="target-online_sales"' not in month  # a month is not measured against a year's aim
    lhasa = client.get(reverse("monitoring:dashboard", args=["540102"]), {"period": "2019"}).content.decode()
    lhasa_target = lhasa[lhasa.index('data-testid="target-online_sales"') :].split("</p>")[0]
    assert "125.0 % reached" in lhasa_target and "behind" not in lhasa_target  # 500.00 of 400
    shigatse = client.get(
        reverse("monitoring:dashboard", args=["540200"]), {"period": "2019"}
    ).content.decode()
    assert 'data-testid="behind-540221-online_sales"' in shigatse  # the ranking names who is behind


def test_a_target_is_set_changed_and_removed_on_its_page(client, units, region_officer, county_officer):
    url = reverse("monitoring:targets", args=["540221"])
    client.force_login(county_officer)
    refused = client.post(url, {"indicator": "online_sales", "year": "2019", "value": "-5"})
    assert refused.status_code == 400
    html = refused.content.decode()
    assert 'value="-5"' in html and "greater than or equal to 0" in html  # kept as typed, the error beside it
    done = client.post(url, {"indicator": "online_sales", "year": "2019", "value": "2500"})
    assert done.status_code == 302
    client.post(url, {"indicator": "online_sales", "year": "2019", "value": "3000"})
    page = client.get(url, {"year": "2019"}).content.decode()
    assert "¥3,000.00" in page and "2,500" not in page
    target = targets_for(units=[units["540221"]], year=2019)["540221"]["online_sales"]
    client.post(url, {"remove": str(target.pk)})
    assert targets_for(units=[units["540221"]], year=2019)["540221"] == {}
    assert client.get(reverse("monitoring:targets", args=["540000"])).status_code == 404  # not their area
    assert client.get(url, {"year": "999999999"}).status_code == 200  # a year out of range: this year
    assert client.post(reverse("monitoring:targets", args=["540102"]), {"remove": "1"}).status_code == 404


def test_an_inherited_share_is_named_with_the_unit_that_set_it(client, units, region_officer, county_officer):
    target_set(
        by=region_officer, unit=units["540000"], indicator="village_coverage", year=2019, value=Decimal(50)
    )
    client.force_login(county_officer)
    page = client.get(reverse("monitoring:targets", args=["540221"]), {"year": "2019"}).content.decode()
    assert "50.0 %" in page and "set by Tibet Autonomous Region" in page


def test_a_growth_target_passes_down_and_measures_the_year_against_the_year_before(
    client,
    units,
    points,
    region_officer,
    trade,  # noqa: F811
):
    """Namling sold ¥1,244.56 in 2019 (the `trade` fixture) and ¥1,000.00 in 2018: it grew 24.5 %. Lhasa sold
    ¥500.00 in 2019 and ¥250.00 in 2018: it grew 100 %. The region asks for 50 % growth of its units."""
    import datetime

    from villagelink.desk.services import assisted_sale_record

    from .conftest import LHASA_VILLAGE, NAMLING_VILLAGES

    for code, amount in ((NAMLING_VILLAGES[0], 100_000), (LHASA_VILLAGE, 25_000)):
        site, operator = points[code]
        assisted_sale_record(
            by=operator, site=site, platform="taobao", description="Butter", category="dairy", quantity=1,
            amount_fen=amount, day=datetime.date(2018, 3, 15),
        )  # fmt: skip
    target_set(
        by=region_officer, unit=units["540000"], indicator="online_sales", year=2019, value=Decimal(50),
        kind="growth",
    )  # fmt: skip
    assert targets_for(units=[units["540221"]], year=2019)["540221"]["online_sales"].kind == "growth"
    client.force_login(region_officer)
    page = client.get(reverse("monitoring:dashboard", args=["540221"]), {"period": "2019"}).content.decode()
    target = page[page.index('data-testid="target-online_sales"') :].split("</p>")[0]
    assert "Target +50.0 % on a year before: grown 24.5 %" in target and "behind" in target
    assert "set by Tibet Autonomous Region" in target
    lhasa = client.get(reverse("monitoring:dashboard", args=["540102"]), {"period": "2019"}).content.decode()
    lhasa_target = lhasa[lhasa.index('data-testid="target-online_sales"') :].split("</p>")[0]
    assert "grown 100.0 %" in lhasa_target and "behind" not in lhasa_target
    region = client.get(reverse("monitoring:dashboard", args=["540000"]), {"period": "2019"}).content.decode()
    assert 'data-testid="behind-540200-online_sales"' in region  # Shigatse grew as Namling did
    assert 'data-testid="behind-540100-online_sales"' not in region
    with pytest.raises(ApplicationError, match="not a growth"):
        target_set(
            by=region_officer, unit=units["540000"], indicator="village_coverage", year=2019, value=Decimal(10),
            kind="growth",
        )  # fmt: skip
    page = client.get(reverse("monitoring:targets", args=["540221"]), {"year": "2019"}).content.decode()
    assert "+50.0 %" in page
    form = {"indicator": "online_purchases", "year": "2019", "value": "30", "kind": "growth"}
    assert client.post(reverse("monitoring:targets", args=["540221"]), form).status_code == 302
    assert (
        targets_for(units=[units["540221101"]], year=2019)["540221101"]["online_purchases"].kind == "growth"
    )
