"""The dashboard workbook holds the dashboard's figures as real numbers, and no text in it can be a formula."""

import datetime
from io import BytesIO

import pytest
from django.conf import settings
from django.utils import translation
from openpyxl import load_workbook

from villagelink.core.periods import period_parse
from villagelink.desk.services import assisted_purchase_record, assisted_sale_record
from villagelink.geo.models import AdminUnit
from villagelink.geo.selectors import unit_get
from villagelink.monitoring.exports import _safe, dashboard_workbook
from villagelink.monitoring.indicators import INDICATORS, Measure
from villagelink.monitoring.selectors import dashboard_for, figures_for
from villagelink.network.services import designation_record
from villagelink.orders.tests.factories import household

from .conftest import LHASA_VILLAGE, NAMLING_VILLAGES

YEAR_2019 = period_parse("2019")
HEADER_ROW = 5  # after the three title rows and a blank one


@pytest.fixture
def trades(points, units, admin_user):
    """A purchase in Namling in January 2019, a poor household's sale in Lhasa in June 2019, a sale in
    December 2018 (outside the year); Namling designated in 2016, Chengguan in 2020 (after 2019)."""
    site, operator = points[NAMLING_VILLAGES[0]]
    assisted_purchase_record(
        by=operator, site=site, platform="jd", description="Fertiliser", category="agri_inputs",
        amount_fen=12_345, service_fee_fen=500, local_price_fen=15_000, day=datetime.date(2019, 1, 15),
    )  # fmt: skip
    site, operator = points[LHASA_VILLAGE]
    poor = household(admin_user, units[LHASA_VILLAGE], "401", poor=2016)
    assisted_sale_record(
        by=operator, site=site, platform="taobao", description="Butter", category="dairy", quantity=2,
        amount_fen=1_234_567, household=poor, day=datetime.date(2019, 6, 10),
    )  # fmt: skip
    assisted_sale_record(
        by=operator, site=site, platform="taobao", description="Bowls", category="crafts", quantity=1,
        amount_fen=999, day=datetime.date(2018, 12, 31),
    )  # fmt: skip
    designation_record(by=admin_user, county=units["540221"], year=2016, note="=SUM(A1:A9)")
    designation_record(by=admin_user, county=units["540102"], year=2020)


def _open(data: bytes):
    return load_workbook(BytesIO(data))


def _workbook(*, user, unit, period):
    return _open(dashboard_workbook(dashboard=dashboard_for(user=user, unit=unit, period=period)))


def _region(region_officer):
    return unit_get(user=region_officer, code="540000")


def _expected(indicator, fen_or_value):
    if fen_or_value is None:
        return None
    return fen_or_value / 100 if indicator.measure == Measure.YUAN else fen_or_value


def test_the_indicators_sheet_holds_the_dashboards_figures_as_numbers(trades, region_officer):
    region = _region(region_officer)
    figures = figures_for(unit=region, start=YEAR_2019.start, end=YEAR_2019.end)
    assert figures["online_sales"] == 1_234_567 and figures["online_purchases"] == 12_345

    sheet = _workbook(user=region_officer, unit=region, period=YEAR_2019)["Indicators"]

    assert (sheet["B1"].value, sheet["C1"].value) == (region.name, "540000")
    assert sheet["B2"].value == "2019-01-01 – 2019-12-31"
    assert sheet["C3"].value == settings.VILLAGELINK_REGION_TIME_ZONE
    assert [c.value for c in sheet[HEADER_ROW]] == [
        "Indicator", "Value", "Unit of measure", "Definition",
        "On open flags", "Share on open flags", "Excluded by confirmed flags",
    ]  # fmt: skip
    assert sheet.freeze_panes == f"A{HEADER_ROW + 1}"
    rows = list(sheet.iter_rows(min_row=HEADER_ROW + 1, max_row=HEADER_ROW + len(INDICATORS)))
    assert sheet.max_row == HEADER_ROW + len(INDICATORS)  # a year: no approval below the table
    for indicator, (label, value, measure, definition, *_flags) in zip(INDICATORS, rows, strict=True):
        assert label.value == str(indicator.label)
        assert definition.value == str(indicator.definition)
        assert measure.value
        expected = _expected(indicator, figures[indicator.name])
        if expected is None:
            assert value.value is None, indicator.name
            continue
        assert value.data_type == "n" and isinstance(value.value, int | float), indicator.name
        assert value.value == pytest.approx(expected), indicator.name
        assert (
            value.number_format
            == {
                Measure.YUAN: "#,##0.00",
                Measure.COUNT: "#,##0",
                Measure.SHARE: "0.0%",
            }[indicator.measure]
        )
    by_name = {indicator.name: row[1].value for indicator, row in zip(INDICATORS, rows, strict=True)}
    assert by_name["online_sales"] == 12_345.67
    assert by_name["purchase_savings"] == 26.55
    assert by_name["village_points"] == 3
    assert 0 < by_name["village_coverage"] < 1


def test_the_children_sheet_adds_up_to_the_unit(trades, region_officer):
    region = _region(region_officer)
    figures = figures_for(unit=region, start=YEAR_2019.start, end=YEAR_2019.end)

    sheet = _workbook(user=region_officer, unit=region, period=YEAR_2019)["Children"]

    header = [c.value for c in sheet[1]]
    flags = ["Open flags", "On open flags (yuan)", "Excluded by confirmed flags (yuan)"]
    assert header == ["Code", "Name", *(str(i.label) for i in INDICATORS), *flags]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in rows] == list(region.children.order_by("code").values_list("code", flat=True))
    sales = 2 + [i.name for i in INDICATORS].index("online_sales")
    assert sum(round(row[sales] * 100) for row in rows) == figures["online_sales"]
    for indicator in INDICATORS:
        if indicator.additive:
            column = header.index(str(indicator.label))
            total = sum(
                round(row[column] * 100) if indicator.measure == Measure.YUAN else row[column] for row in rows
            )
            assert total == figures[indicator.name], indicator.name
    for cells in sheet.iter_rows(min_row=2, min_col=3):
        assert all(c.data_type == "n" for c in cells)
    assert sheet.freeze_panes == "C2"


def test_a_village_has_a_children_sheet_with_its_header_only(trades, admin_user):
    village = AdminUnit.objects.get(code=NAMLING_VILLAGES[0])

    workbook = _workbook(user=admin_user, unit=village, period=YEAR_2019)

    assert workbook["Children"].max_row == 1
    assert workbook["Children"]["A1"].value == "Code"
    assert workbook["Designations"].max_row == 1
    online_purchases = [i.name for i in INDICATORS].index("online_purchases")
    assert workbook["Indicators"].cell(row=HEADER_ROW + 1 + online_purchases, column=2).value == 123.45


def test_the_trend_sheet_has_one_row_per_month(trades, region_officer):
    sheet = _workbook(user=region_officer, unit=_region(region_officer), period=YEAR_2019)["Monthly trend"]

    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in rows] == [f"2019-{month:02d}" for month in range(1, 13)]
    assert rows[0] == ("2019-01", 0, 0, 123.45, 1)
    assert rows[5] == ("2019-06", 12_345.67, 1, 0, 0)
    assert sum(row[2] + row[4] for row in rows) == 2  # the sale of December 2018 is not in 2019
    for cells in sheet.iter_rows(min_row=2, min_col=2):
        assert all(c.data_type == "n" for c in cells)


def test_the_channel_and_category_sheets_split_the_trade(trades, region_officer):
    workbook = _workbook(user=region_officer, unit=_region(region_officer), period=YEAR_2019)

    channels = list(workbook["Channels"].iter_rows(values_only=True))
    assert channels == [
        ("Channel", "Sales (yuan)", "Sales orders", "Purchases (yuan)", "Purchases orders"),
        ("This storefront", 0, 0, 0, 0),
        ("External platform", 0, 0, 0, 0),
        ("Assisted at a service point", 12_345.67, 1, 123.45, 1),
    ]
    categories = {row[0]: row[1:] for row in workbook["Purchases by category"].iter_rows(values_only=True)}
    assert categories["Agricultural inputs"] == (123.45, 1)
    assert sum(row[1] for name, row in categories.items() if name != "Category") == 1


def test_the_designations_sheet_lists_the_counties_designated_by_the_periods_end(trades, region_officer):
    region = _region(region_officer)

    sheet = _workbook(user=region_officer, unit=region, period=YEAR_2019)["Designations"]
    rows = list(sheet.iter_rows(values_only=True))

    assert rows[0] == ("Year", "Batch", "County code", "County name", "Note")
    assert rows[1:] == [(2016, 1, "540221", AdminUnit.objects.get(code="540221").name, "'=SUM(A1:A9)")]
    later = _workbook(user=region_officer, unit=region, period=period_parse("2020"))["Designations"]
    assert [row[2] for row in later.iter_rows(min_row=2, values_only=True)] == ["540221", "540102"]
    lhasa = AdminUnit.objects.get(code="540100")
    elsewhere = _workbook(user=region_officer, unit=lhasa, period=YEAR_2019)["Designations"]
    assert elsewhere.max_row == 1


def test_the_definitions_sheet_names_every_indicator(units, admin_user):
    sheet = _workbook(user=admin_user, unit=units["540000"], period=YEAR_2019)["Definitions"]

    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert rows == [(i.name, str(i.label), str(i.definition)) for i in INDICATORS]


def test_a_name_that_looks_like_a_formula_is_written_as_text(trades, region_officer):
    AdminUnit.objects.filter(code="540200").update(name_en='=HYPERLINK("http://x")', name_zh="=1+1")
    prefecture = AdminUnit.objects.get(code="540200")

    own = _workbook(user=region_officer, unit=prefecture, period=YEAR_2019)
    parents = _workbook(user=region_officer, unit=_region(region_officer), period=YEAR_2019)
    with translation.override("zh-hans"):
        chinese = _workbook(user=region_officer, unit=prefecture, period=YEAR_2019)

    assert own["Indicators"]["B1"].value == '\'=HYPERLINK("http://x")'
    assert own["Indicators"]["B1"].data_type == "s"
    (row,) = [row for row in parents["Children"].iter_rows(min_row=2) if row[0].value == "540200"]
    assert row[1].value == '\'=HYPERLINK("http://x")' and row[1].data_type == "s"
    assert chinese.worksheets[0]["B1"].value == "'=1+1"
    for workbook in (own, parents, chinese):
        for sheet in workbook.worksheets:
            for cells in sheet.iter_rows():
                assert not any(c.data_type == "f" for c in cells), sheet.title


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+86 891", "'+86 891"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("Namling", "Namling"),
        ("a=b", "a=b"),
        ("bell\x07", "bell"),
    ],
)
def test_safe_neutralises_what_a_spreadsheet_would_take_for_a_formula(text, written):
    assert _safe(text) == written


def test_the_children_sheet_has_a_row_for_what_is_recorded_at_the_unit_itself(points, units, admin_user):
    from villagelink.catalog.services import shop_open
    from villagelink.registry.models import OrganisationKind
    from villagelink.registry.services import organisation_register

    cooperative = organisation_register(
        by=admin_user, kind=OrganisationKind.COOPERATIVE, name="County co-op", unit=units["540221"]
    )
    shop_open(
        by=admin_user, name="Co-op shop", platform="jd", opened_on=datetime.date(2018, 1, 1),
        organisation=cooperative, external_id="jd-77",
    )  # fmt: skip
    namling = AdminUnit.objects.get(code="540221")
    sheet = _workbook(user=admin_user, unit=namling, period=YEAR_2019)["Children"]

    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    shops = 2 + [i.name for i in INDICATORS].index("online_shops")
    assert rows[-1][:2] == (None, "Recorded at Namling County itself") and rows[-1][shops] == 1
    assert sum(row[shops] or 0 for row in rows) == 1
