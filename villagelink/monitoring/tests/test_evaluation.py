"""The evaluation: the staggered comparison (checked by hand, against the `csdid` package and by simulation),
who gains (recounted from the records, small groups hidden), and the page (scoped)."""

import datetime
import math
import random
import re
import statistics

import pytest
from django.urls import reverse

from conftest import make_user
from villagelink.accounts.models import Role
from villagelink.core.periods import period_parse
from villagelink.desk.services import assisted_purchase_record, assisted_sale_record
from villagelink.geo.models import AdminUnit
from villagelink.monitoring.evaluation import (
    OUTCOMES,
    SMALLEST_GROUP,
    Group,
    OutcomeEvaluation,
    _suppressed,
    critical_value,
    distance_km,
    staggered_did,
    who_gains,
)
from villagelink.monitoring.evaluation_page import _reading
from villagelink.network.services import designation_record
from villagelink.registry.idnumbers import check_digit
from villagelink.registry.models import Household
from villagelink.registry.services import HouseholdData, household_register

from .conftest import NAMLING_VILLAGES

YEARS = range(2015, 2020)


def _panel(rng: random.Random, cohorts: list[int | None], effect: float, noise: float) -> dict:
    """Log-linear outcomes: a unit's own level, a common trend, `effect` from the designation year, noise."""
    outcomes, cohort_of = {}, {}
    for i, g in enumerate(cohorts):
        level = rng.gauss(0, 1)
        unit = f"c{i:02d}"
        cohort_of[unit] = g
        outcomes[unit] = {
            t: math.exp(level + 0.3 * (t - 2015) + (effect if g and t >= g else 0) + rng.gauss(0, noise))
            for t in YEARS
        }
    return {"outcomes": outcomes, "cohort_of": cohort_of}


COHORTS = [2016] * 6 + [2017] * 7 + [2018] * 5 + [None] * 12


def test_each_comparison_is_the_designated_counties_change_less_the_not_yet_designated_ones():
    logs = {"a": (1.0, 1.5, 2.5), "b": (2.0, 2.4, 3.6), "c": (1.0, 1.2, 1.3), "d": (0.5, 0.9, 1.0)}
    logs |= {"e": (3.0, 3.1, 3.9), "f": (1.0, 1.3, 2.1)}
    cohort_of = {"a": 2016, "b": 2016, "c": None, "d": None, "e": 2017, "f": 2017}
    outcomes = {
        unit: dict(zip(range(2015, 2018), map(math.exp, values), strict=True))
        for unit, values in logs.items()
    }
    result = staggered_did(outcomes, cohort_of)
    cells = {(c.cohort, c.year): c for c in result.cells}
    # 2016 in 2016: a and b against c, d and also e and f, not yet designated
    treated, controls = [0.5, 0.4], [0.2, 0.4, 0.1, 0.3]
    first = cells[2016, 2016]
    assert first.estimate.value == pytest.approx(statistics.mean(treated) - statistics.mean(controls))
    assert first.estimate.se == pytest.approx(
        math.sqrt(statistics.variance(treated) / 2 + statistics.variance(controls) / 4)
    )
    assert first.treated == {"a", "b"} and first.controls == 4
    # in 2017, e and f are designated themselves: only c and d compare
    assert cells[2016, 2017].estimate.value == pytest.approx(
        statistics.mean([1.5, 1.6]) - statistics.mean([0.3, 0.5])
    )
    assert cells[2016, 2017].controls == 2
    # e and f against c and d, from 2016 to 2017; and the year before theirs, 2015 against 2016
    assert cells[2017, 2017].estimate.value == pytest.approx(
        statistics.mean([0.8, 0.8]) - statistics.mean([0.1, 0.1])
    )
    assert cells[2017, 2015].estimate.value == pytest.approx(
        statistics.mean([-0.1, -0.3]) - statistics.mean([-0.2, -0.4])
    )
    assert (2017, 2016) not in cells  # the base year
    assert [e.event for e in result.events] == [-2, 0, 1]
    # event time 0 weights the two cohorts by their sizes (two each)
    assert result.events[1].estimate.value == pytest.approx(
        (cells[2016, 2016].estimate.value + cells[2017, 2017].estimate.value) / 2
    )
    after = [cells[2016, 2016], cells[2016, 2017], cells[2017, 2017]]  # two counties each: equal weights
    assert result.overall.value == pytest.approx(statistics.mean(c.estimate.value for c in after))


def test_a_county_year_without_trade_leaves_the_comparisons_that_need_it():
    panel = _panel(random.Random(3), COHORTS, 0.4, 0.2)
    full = staggered_did(**panel)
    panel["outcomes"]["c00"][2015] = 0  # cohort 2016: its base year
    panel["outcomes"]["c20"].pop(2017)  # never designated
    cells = {(c.cohort, c.year): c for c in staggered_did(**panel).cells}
    assert "c00" not in cells[2016, 2016].treated and len(cells[2016, 2016].treated) == 5
    assert cells[2016, 2017].controls == {(c.cohort, c.year): c for c in full.cells}[2016, 2017].controls - 1


def test_the_estimates_agree_with_the_csdid_package():
    """The same panel through `csdid` 0.4.3 (ATTgt(control_group="notyettreated"), est_method="reg", no
    covariates; its aggte "simple" and "dynamic"): the effects after designation agree; the standard errors
    differ only by this module's small-sample factor (csdid's are some 5 % smaller)."""
    rng = random.Random(7)
    rows = []
    for i, g in enumerate(COHORTS):
        a = rng.gauss(0, 1)
        for t in YEARS:
            rows.append(
                (
                    f"c{i:02d}",
                    t,
                    g,
                    math.exp(a + 0.3 * (t - 2015) + (0.4 if g and t >= g else 0) + rng.gauss(0, 0.2)),
                )
            )
    outcomes, cohort_of = {}, {}
    for unit, t, g, y in rows:
        outcomes.setdefault(unit, {})[t] = y
        cohort_of[unit] = g
    result = staggered_did(outcomes, cohort_of)
    csdid = {  # (g, t): (att, se)
        (2016, 2016): (0.3162708, 0.0807239), (2016, 2017): (0.5056734, 0.0846412),
        (2016, 2018): (0.3771806, 0.1338644), (2016, 2019): (0.4936096, 0.1202151),
        (2017, 2017): (0.5188835, 0.1253896), (2017, 2018): (0.3692040, 0.1655423),
        (2017, 2019): (0.6517855, 0.1282380), (2018, 2018): (0.5592608, 0.1221294),
        (2018, 2019): (0.6552740, 0.1213484),
    }  # fmt: skip
    cells = {(c.cohort, c.year): c for c in result.cells if c.event >= 0}
    after = {key: cell.estimate for key, cell in cells.items()}
    assert after.keys() == csdid.keys()
    for key, (att, se) in csdid.items():
        assert after[key].value == pytest.approx(att, abs=1e-6)
        # csdid's variance, split between the two groups, each scaled by n / (n - 1) here
        n, controls = len(cells[key].treated), cells[key].controls
        assert (
            math.sqrt(controls / (controls - 1)) - 1e-6 <= after[key].se / se <= math.sqrt(n / (n - 1)) + 1e-6
        )
    assert result.overall.value == pytest.approx(0.4911, abs=1e-4)
    dynamic = {e.event: e.estimate.value for e in result.events}
    for event, att in {0: 0.4626, 1: 0.4942, 2: 0.5250, 3: 0.4936}.items():
        assert dynamic[event] == pytest.approx(att, abs=1e-4)


def test_the_intervals_hold_the_true_effect_about_95_times_in_100_and_find_a_real_one():
    """Simulated panels like the region's (30 counties, 18 designated over three years): the overall interval
    holds the effect put in, with or without one; a large effect is found nearly every time."""
    rng = random.Random(11)
    for effect in (0.0, 0.25):
        results = [staggered_did(**_panel(rng, COHORTS, effect, 0.3)).overall for _ in range(300)]
        held = sum(r.low <= effect <= r.high for r in results) / len(results)
        assert 0.92 <= held <= 0.995, (effect, held)
        assert statistics.mean(r.value for r in results) == pytest.approx(effect, abs=0.03)
    found = [staggered_did(**_panel(rng, COHORTS, 0.5, 0.15)).overall.clear for _ in range(100)]
    assert sum(found) >= 95


def test_few_treated_counties_widen_the_interval():
    assert critical_value(2) == pytest.approx(12.706)
    assert critical_value(6) == pytest.approx(2.571)
    assert critical_value(31) == pytest.approx(2.042)
    assert critical_value(32) == critical_value(500) == 1.96


def test_a_small_group_is_hidden_with_the_next_smallest():
    groups = [Group("a", 4), Group("b", 12), Group("c", 40), Group("d", 0)]
    shown = {g.label: g.households for g in _suppressed(groups)}
    assert shown == {"a": None, "b": None, "c": 40, "d": 0}
    two = {g.label: g.households for g in _suppressed([Group("a", 4), Group("b", 9), Group("c", 40)])}
    assert two == {"a": None, "b": None, "c": 40}
    assert all(g.households for g in _suppressed([Group("a", SMALLEST_GROUP), Group("b", 50)]))


def test_distance_is_along_the_earth():
    lhasa, shigatse = (91.1172, 29.6469), (88.8808, 29.2671)
    assert distance_km(lhasa, shigatse) == pytest.approx(220, abs=10)
    assert distance_km(lhasa, lhasa) == 0


def _id_number(born: str, serial: int) -> str:
    first17 = f"540221{born}{serial:03d}"
    return first17 + check_digit(first17)


@pytest.fixture
def households(units, points):
    """Two groups in a Namling village: 12 women born in 1960 (registered poor, each with a purchase that saved
    10 yuan) and 11 men born in 1990 (not poor, each with a sale of 100 yuan), and one man born in 1950."""
    site, operator = points[NAMLING_VILLAGES[0]]
    village = units[NAMLING_VILLAGES[0]]
    made = []
    for i in range(12):  # an even 17th digit: a woman
        made.append(
            household_register(
                by=operator, village=village, id_number=_id_number("19600101", 2 * i),
                data=HouseholdData(head_name=f"W{i}", registered_poor_in=2016),
            )
        )  # fmt: skip
        assisted_purchase_record(
            by=operator, site=site, platform="taobao", description="Flour", category="food", amount_fen=5000,
            local_price_fen=6000, household=made[-1], day=datetime.date(2019, 5, 1),
        )  # fmt: skip
    for i in range(12):
        born = "19900101" if i < 11 else "19500101"
        made.append(
            household_register(
                by=operator,
                village=village,
                id_number=_id_number(born, 2 * i + 1),
                data=HouseholdData(head_name=f"M{i}"),
            )
        )
        if i < 11:
            assisted_sale_record(
                by=operator, site=site, platform="taobao", description="Butter", category="dairy", quantity=1,
                amount_fen=10000, household=made[-1], day=datetime.date(2019, 6, 1),
            )  # fmt: skip
    return made


def test_who_gains_groups_the_households_by_what_their_id_numbers_say(households, units):
    assert Household.objects.filter(head_sex="f", head_born_in=1960).count() == 12
    gains = who_gains(unit=units["540221"], period=period_parse("2019"))
    assert gains.households == 24
    assert gains.total.savings_yuan == pytest.approx(12 * 10 / 24)
    assert gains.total.income_yuan == pytest.approx(11 * 100 / 24)
    poverty, sex, age, distance = ({g.label: g for g in split.groups} for split in gains.splits)
    assert poverty["registered poor"].households == 12 and poverty["registered poor"].savings_yuan == 10
    assert poverty["registered poor"].income_yuan == 0 and poverty["registered poor"].with_savings == 1
    assert poverty["not registered poor"].income_yuan == pytest.approx(1100 / 12)
    assert sex["women"].households == 12 and sex["men"].households == 12
    # in 2019 the women are 59, the men 29 but one, 69: alone in his band, hidden with the next smallest
    assert age["50 to 64"].households == 12
    assert age["65 and over"].households is None and age["under 35"].households is None
    assert distance["not known"].households == 24  # the test villages have no coordinates
    # a year before the purchases and sales: nobody gained; and out of the county, nobody is counted
    assert who_gains(unit=units["540221"], period=period_parse("2018")).total.savings_yuan == 0
    assert who_gains(unit=units["540102"], period=period_parse("2019")).households == 0


def test_the_distance_band_comes_from_the_village_and_its_county_seat(households, units):
    AdminUnit.objects.filter(code="540221").update(longitude="89.0989", latitude="29.6855")
    AdminUnit.objects.filter(code=NAMLING_VILLAGES[0]).update(longitude="89.2000", latitude="29.8000")
    gains = who_gains(unit=units["540221"], period=period_parse("2019"))
    distance = {g.label: g.households for g in gains.splits[3].groups}
    assert distance == {"10 to 30 km": 24}  # about 16 km


def test_the_page_reads_the_comparison_and_the_groups_for_the_officers_area_only(
    client, households, units, admin_user
):
    for year, codes in ((2016, ["540221", "540222", "540223"]), (2018, ["540224", "540225"])):
        for code in codes:
            designation_record(by=admin_user, county=units[code], year=year, batch=year - 2014)
    officer = make_user("officer", Role.OFFICER, units["540221"])
    client.force_login(officer)
    page = client.get(reverse("monitoring:evaluation", args=["540221"]), {"period": "2019"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Did designation help?" in html and "Who gains?" in html
    assert "too few counties" in html  # one county, no comparison
    assert ">12<" in html and "¥10<" in html
    assert client.get(reverse("monitoring:evaluation", args=["540000"])).status_code == 404
    assert client.get(reverse("monitoring:evaluation", args=["540102"])).status_code == 404
    client.force_login(make_user("op", Role.SITE_OPERATOR, units[NAMLING_VILLAGES[0]]))
    assert client.get(reverse("monitoring:evaluation", args=[NAMLING_VILLAGES[0]])).status_code == 403
    client.logout()
    assert client.get(reverse("monitoring:evaluation", args=["540221"])).status_code == 302
    client.force_login(make_user("region-eval", Role.OFFICER, units["540000"]))
    page = client.get(reverse("monitoring:evaluation", args=["540000"]), {"period": "2019"}).content.decode()
    assert "Counties designated, by year:" in page and "2016: 3" in page


def _read(effect: float, noise: float, pretrend: float = 0.0) -> str:
    panel = _panel(random.Random(5), COHORTS, effect, noise)
    for unit, g in panel["cohort_of"].items():  # counties designated later were already rising before it
        if g is not None:
            for t in panel["outcomes"][unit]:
                panel["outcomes"][unit][t] *= math.exp(pretrend * (t - 2015))
    evaluated = OutcomeEvaluation(OUTCOMES[1], staggered_did(**panel), None)
    return " ".join(_reading(evaluated))


def test_the_reading_says_what_the_interval_allows():
    rise = re.search(r"grew by about (\d+) % more", _read(0.4, 0.05))
    assert rise and 44 <= int(rise[1]) <= 54  # exp(0.4) - 1 = 49 %
    fall = re.search(r"did about (\d+) % worse", _read(-0.4, 0.05))
    assert fall and 28 <= int(fall[1]) <= 38  # 1 - exp(-0.4) = 33 %
    unclear = _read(0.0, 0.6)
    assert "cannot tell an effect from chance" in unclear and "moved like the counties" in unclear
    assert "already moved differently" in _read(0.0, 0.05, pretrend=0.2)


def test_the_event_chart_puts_the_base_at_zero_and_keeps_wild_intervals_on_the_page():
    from villagelink.monitoring.charts import EVENT_HEIGHT, event_chart
    from villagelink.monitoring.evaluation import Estimate, EventTime

    chart = event_chart(
        [
            EventTime(-2, Estimate(0.0, 0.1), (2018,)),
            EventTime(0, Estimate(0.3, 0.1), (2017, 2018)),
            EventTime(1, Estimate(0.5, 5.0), (2017,)),  # an interval up to some +2,000,000 %
        ]
    )
    base = next(w for w in chart.whiskers if w.base)
    assert base.y == chart.zero and [label for _x, label in chart.labels] == ["-2", "-1", "0", "+1"]
    wild = chart.whiskers[-1]
    assert 0 <= wild.high < wild.y < wild.low <= EVENT_HEIGHT
    labels = [tick.label for tick in chart.ticks]
    assert labels == ["0", "+200 %", "+400 %", "+600 %", "+800 %", "+1000 %"]  # nothing below -100 %
    assert "95 % interval" in wild.title
