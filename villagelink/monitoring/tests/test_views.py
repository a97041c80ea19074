import datetime
import re

import pytest
from django.urls import reverse

from conftest import make_user
from villagelink.accounts.models import Role
from villagelink.core.dates import region_today
from villagelink.desk.services import assisted_sale_record

from .conftest import LHASA_VILLAGE, NAMLING_VILLAGES


@pytest.fixture
def trade(points):
    for code, amount in [(NAMLING_VILLAGES[0], 123456), (NAMLING_VILLAGES[1], 1000), (LHASA_VILLAGE, 50000)]:
        site, operator = points[code]
        assisted_sale_record(
            by=operator, site=site, platform="taobao", description="Butter", category="dairy", quantity=1,
            amount_fen=amount, day=datetime.date(2019, 3, 15),
        )  # fmt: skip


def _dashboard(client, code, **query):
    return client.get(reverse("monitoring:dashboard", args=[code]), query)


def test_the_region_officer_sees_cards_trend_ranking_and_drills_down(client, region_officer, trade):
    client.force_login(region_officer)
    assert client.get(reverse("monitoring:home"))["Location"] == reverse(
        "monitoring:dashboard", args=["540000"]
    )
    page = _dashboard(client, "540000", period="2019").content.decode()
    assert 'data-testid="value-online_sales">1,744.56<' in page
    assert 'data-testid="value-online_sales_orders">3<' in page
    assert "2019-03" in page and "<svg" in page
    assert page.index('data-code="540200"') < page.index('data-code="540100"')  # Shigatse sold more
    by_name = _dashboard(client, "540000", period="2019", sort="name", dir="asc").content.decode()
    assert 'data-code="540100"' in by_name

    page = _dashboard(client, "540221", period="2019-Q1").content.decode()
    assert 'data-testid="value-online_sales">1,244.56<' in page
    assert reverse("monitoring:dashboard", args=["540221101"]) + "?period=2019-Q1" in page
    page = _dashboard(client, NAMLING_VILLAGES[1], year="2019", part="03").content.decode()
    assert 'data-testid="value-online_sales">10.00<' in page
    assert (
        _dashboard(client, "540221", period="2019-04").content.decode().count('value-online_sales">0.00<')
        == 1
    )


def test_a_county_officer_sees_only_namling(client, county_officer, trade):
    client.force_login(county_officer)
    assert client.get(reverse("monitoring:home"))["Location"] == reverse(
        "monitoring:dashboard", args=["540221"]
    )
    for code in ("540000", "540200", "540102", LHASA_VILLAGE):
        assert _dashboard(client, code).status_code == 404
        assert client.get(reverse("monitoring:report", args=[code])).status_code == 404
        assert client.get(reverse("monitoring:workbook", args=[code])).status_code == 404
    assert _dashboard(client, "540221", period="2019").status_code == 200


def test_a_bad_period_says_what_to_give_and_shows_this_year(client, region_officer):
    client.force_login(region_officer)
    for query, message in [
        ({"period": "2019-13"}, "names no month"),
        ({"start": "2019-06-30", "end": "2019-01-01"}, "starts after it ends"),
        ({"start": "yesterday", "end": ""}, "YYYY-MM-DD"),
    ]:
        response = _dashboard(client, "540000", **query)
        assert response.status_code == 200
        assert message in response.content.decode()


def test_the_printable_report_has_every_indicator_with_its_definition(client, region_officer, trade):
    client.force_login(region_officer)
    page = client.get(reverse("monitoring:report", args=["540000"]), {"period": "2019"}).content.decode()
    assert "1,744.56" in page and "Cancelled, refunded and reversed orders do not count" in page


def test_sellers_and_buyers_have_no_dashboard(client, units):
    for role, scope in [(Role.SELLER, units[NAMLING_VILLAGES[0]]), (Role.BUYER, None)]:
        client.force_login(make_user(f"someone-{role}", role, scope))
        assert client.get(reverse("monitoring:home")).status_code == 403
        assert _dashboard(client, NAMLING_VILLAGES[0]).status_code in (403, 404)


def _row(page: str, testid: str, key: str) -> list[str]:
    """The cells of the row `data-…="key"` of the table `testid`, as text."""
    import re

    table = page[page.index(f'data-testid="{testid}"') :]
    row = re.search(rf'<tr[^>]* data-\w+="{key}">(.*?)</tr>', table, re.S).group(1)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def test_the_dashboard_shows_where_the_trade_was_made_and_what_purchases_brought_in(
    client, region_officer, trade, points
):
    from villagelink.desk.services import assisted_purchase_record

    site, operator = points[NAMLING_VILLAGES[0]]
    for category, amount in [("agri_inputs", 30000), ("agri_inputs", 2000), ("appliances", 99900)]:
        assisted_purchase_record(
            by=operator, site=site, platform="pinduoduo", description="Goods", category=category,
            amount_fen=amount, day=datetime.date(2019, 5, 2),
        )  # fmt: skip
    client.force_login(region_officer)
    page = _dashboard(client, "540221", period="2019").content.decode()

    assert _row(page, "channels", "assisted") == [
        "Assisted at a service point",
        "1,244.56",
        "2",
        "1,319.00",
        "3",
    ]
    assert _row(page, "channels", "platform") == ["External platform", "0.00", "0", "0.00", "0"]
    assert _row(page, "categories", "agri_inputs") == ["Agricultural inputs", "320.00", "2"]
    assert _row(page, "categories", "appliances") == ["Appliances and electronics", "999.00", "1"]
    assert _row(page, "categories", "food") == ["Food", "0.00", "0"]
    assert 'data-testid="value-online_purchases">1,319.00<' in page  # the rows add up to the card


def test_what_is_recorded_at_the_county_itself_has_its_own_row(
    client, county_officer, trade, admin_user, units
):
    from conftest import make_user
    from villagelink.network.models import SiteKind
    from villagelink.network.services import SiteData, site_open, site_operator_assign

    client.force_login(county_officer)
    page = _dashboard(client, "540221", period="2019").content.decode()
    assert 'data-testid="own"' not in page  # everything is in its villages so far

    centre = site_open(
        by=admin_user, kind=SiteKind.COUNTY_CENTRE, unit=units["540221"],
        data=SiteData(name="Namling centre", opened_on=datetime.date(2017, 1, 1)),
    )  # fmt: skip
    clerk = make_user("centre-clerk", Role.SITE_OPERATOR, units["540221"])
    site_operator_assign(by=admin_user, site=centre, user=clerk)
    clerk.refresh_from_db()
    assisted_sale_record(
        by=clerk, site=centre, platform="jd", description="Barley", category="grain", quantity=1,
        amount_fen=70_000, day=datetime.date(2019, 8, 1),
    )  # fmt: skip
    page = _dashboard(client, "540221", period="2019").content.decode()

    own = _row(page, "ranking", "own")
    assert own[0] == "Recorded at Namling County itself" and own[1] == "700.00"  # 1,244.56 in its township
    assert 'data-testid="value-online_sales">1,944.56<' in page
    assert _dashboard(client, "540221101", period="2019").content.decode().count('data-testid="own"') == 0


@pytest.mark.parametrize(
    ("language", "scaled"),
    [("zh-hans", "1.23万元"), ("bo", "སྒོར་ཁྲི་1.23"), ("en", None), ("fr", None)],
)
def test_money_on_the_cards_is_in_the_scale_words_of_the_readers_language(
    client, region_officer, points, language, scaled
):
    site, operator = points[NAMLING_VILLAGES[0]]
    assisted_sale_record(
        by=operator, site=site, platform="taobao", description="Butter", category="dairy", quantity=1,
        amount_fen=1_234_567, day=datetime.date(2019, 3, 15),
    )  # fmt: skip
    client.force_login(region_officer)
    client.post(reverse("set_language"), {"language": language, "next": "/"})

    page = _dashboard(client, "540000", period="2019").content.decode()

    exact = "12\u202f345,67" if language == "fr" else "12,345.67"  # French groups with a narrow space
    assert f'data-testid="value-online_sales">{exact}<' in page  # the exact figure stays on the card
    if scaled:
        assert f'data-testid="scaled-online_sales">{scaled}<' in page
    else:  # English and French start at a million
        assert 'data-testid="scaled-online_sales"' not in page
    tooltips = re.findall(r"<title>(2019-03 · [^<]*)</title>", page)  # the chart's bars, when pointed at
    assert len(tooltips) == 2 and f"¥{exact}" in tooltips[0] and (not scaled or scaled in tooltips[0])


def test_the_dashboard_opens_on_the_latest_year_with_trade(client, region_officer, trade):
    client.force_login(region_officer)
    page = _dashboard(client, "540000").content.decode()
    assert '<option value="2019" selected>' in page  # the records end in 2019, not this year
    assert 'data-testid="value-online_sales">1,744.56<' in page
    workbook = client.get(reverse("monitoring:workbook", args=["540000"]))
    assert "villagelink-540000-2019.xlsx" in workbook["Content-Disposition"]
    lhasa = _dashboard(client, "540102").content.decode()
    assert '<option value="2019" selected>' in lhasa
    shigatse_county_without_trade = _dashboard(client, "540202").content.decode()  # no trade: this year
    assert f'<option value="{region_today().year}" selected>' in shigatse_county_without_trade


@pytest.mark.parametrize(
    ("code", "shown", "left_out"),
    [
        ("540221", {"county_centres", "township_stations", "demonstration_counties", "township_coverage",
                    "village_coverage"}, set()),
        ("540221101", {"township_stations", "village_coverage", "village_points"},
         {"county_centres", "demonstration_counties", "township_coverage"}),
        (NAMLING_VILLAGES[0], {"village_points", "online_sales"},
         {"county_centres", "township_stations", "demonstration_counties", "township_coverage",
          "village_coverage"}),
    ],
)  # fmt: skip
def test_cards_that_mean_nothing_at_the_units_level_are_left_out(
    client, region_officer, trade, code, shown, left_out
):
    client.force_login(region_officer)
    page = _dashboard(client, code, period="2019").content.decode()
    for name in shown:
        assert f'data-testid="value-{name}"' in page, name
    for name in left_out:
        assert f'data-testid="value-{name}"' not in page, name


def test_cards_show_the_change_on_earlier_periods_and_the_share_of_the_parent(
    client, region_officer, county_officer, trade, points
):
    site, operator = points[NAMLING_VILLAGES[0]]
    assisted_sale_record(
        by=operator, site=site, platform="taobao", description="Butter", category="dairy", quantity=1,
        amount_fen=61728, day=datetime.date(2018, 3, 10),
    )  # fmt: skip
    client.force_login(region_officer)
    page = _dashboard(client, "540221", period="2019-03").content.decode()
    judged = page[page.index('data-testid="judged-online_sales"') :].split("</ul>")[0]
    assert "new since 2019-02" in judged  # nothing in February
    assert "up 101.6 % on 2018-03" in judged  # 1,244.56 against 617.28
    assert "100.0 % of Shigatse" in judged
    village = _dashboard(client, NAMLING_VILLAGES[0], period="2019-03").content.decode()
    assert "99.2 % of" in village  # 1,234.56 of the township's 1,244.56
    year = _dashboard(client, "540221", period="2019").content.decode()
    judged = year[year.index('data-testid="judged-online_sales"') :].split("</ul>")[0]
    assert "up 101.6 % on 2018" in judged and "2018-12" not in judged  # a year: one comparison

    client.force_login(county_officer)  # the prefecture is not theirs to see: no share of it
    page = _dashboard(client, "540221", period="2019-03").content.decode()
    assert "up 101.6 % on 2018-03" in page and "% of Shigatse" not in page


def test_the_report_sets_each_figure_beside_a_year_earlier_and_its_target_and_draws_the_trend(
    client, region_officer, trade, points
):
    from decimal import Decimal

    from villagelink.monitoring.services import target_set

    site, operator = points[NAMLING_VILLAGES[0]]
    assisted_sale_record(
        by=operator, site=site, platform="taobao", description="Butter", category="dairy", quantity=1,
        amount_fen=20000, day=datetime.date(2018, 7, 1),
    )  # fmt: skip
    target_set(
        by=region_officer,
        unit=region_officer.scope_unit,
        indicator="online_sales",
        year=2019,
        value=Decimal(2000),
    )
    client.force_login(region_officer)
    page = client.get(reverse("monitoring:report", args=["540000"]), {"period": "2019"}).content.decode()
    assert "Same period a year earlier (2018)" in page
    cells = _row(page, "report-indicators", "online_sales")
    assert cells[:3] == ["Online sales", "1,744.56", "200.00"]
    assert "Target ¥2,000.00: 87.2 % reached" in " ".join(cells[3].split())
    assert _row(page, "report-indicators", "online_purchases")[3] == "—"  # no target set
    assert 'class="bar-sales"' in page  # the monthly chart, as on the dashboard


def test_the_programme_cards_show_poor_households_training_shops_and_parcels(
    client, region_officer, points, admin_user, units
):
    from villagelink.assistance.services import training_record
    from villagelink.desk.services import parcel_log, parcel_pick_up
    from villagelink.orders.tests.factories import household

    site, operator = points[NAMLING_VILLAGES[0]]
    site.offers_training = True
    site.save(update_fields=["offers_training"])
    poor = household(admin_user, units[NAMLING_VILLAGES[0]], "901", poor=2018)
    other = household(admin_user, units[NAMLING_VILLAGES[0]], "902", poor=None)
    day = datetime.date(2019, 5, 6)
    training_record(by=operator, site=site, day=day, topic="Photos", households=[poor, other])
    for n, cost in enumerate((1000, 1500, None)):
        parcel = parcel_log(
            by=operator, site=site, direction="received", carrier="EMS", tracking_number=f"E{n}", day=day,
            cost_fen=cost,
        )  # fmt: skip
        if n < 2:
            parcel_pick_up(by=operator, parcel=parcel, day=day + datetime.timedelta(days=2 + n))
    client.force_login(region_officer)
    page = _dashboard(client, "540221", period="2019").content.decode()
    cards = page[page.index('data-testid="programme-cards"') :]
    for name, shown in [
        ("poor_households", "1"),
        ("poor_households_assisted", "1"),
        ("poor_households_assisted_share", "100.0%"),
        ("training_sessions", "1"),
        ("training_person_times", "2"),
        ("parcels", "3"),
        ("parcel_cost", "12.50"),  # the average of the two costs recorded
        ("pickup_days", "2.5"),
    ]:
        assert f'data-testid="value-{name}">{shown}<' in cards, name
    assert '<small>¥</small><span data-testid="value-parcel_cost">' in cards
    page = _dashboard(client, "540221", period="2018").content.decode()
    assert (
        'data-testid="value-parcel_cost">—<' in page
        and '¥</small><span data-testid="value-parcel_cost"' not in page
    )
    assert 'data-testid="value-pickup_days">—<' in page
