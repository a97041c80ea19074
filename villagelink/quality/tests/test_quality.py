"""Checks on orders: each rule flags the orders it must and leaves the others; confirming a flag takes its
orders out of every figure (through the facts), dismissing keeps them; both are scoped and audited."""

import datetime
import itertools
import json

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from django.urls import reverse

from villagelink.approvals.services import month_approve
from villagelink.orders.bulk import orders_insert
from villagelink.orders.facts import facts_add_orders, facts_verify
from villagelink.orders.models import Channel, Kind, MonthlyFact, Order, Status
from villagelink.quality.models import Flag, FlagStatus, Rule
from villagelink.quality.rules import findings_for, is_season
from villagelink.quality.services import QualityError, flag_confirm, flag_dismiss, quality_check

YUAN = 100
JUNE = datetime.date(2019, 6, 1)
_numbers = itertools.count(1)


def add_orders(shop, rows, *, channel=Channel.PLATFORM, platform="taobao", household_id=None) -> list[int]:
    """Orders of `shop` counted on each (day, amount in yuan[, external id, platform]) of `rows`."""
    fields = [
        "number", "kind", "channel", "status", "shop_id", "unit_id", "platform", "external_id", "total_fen",
        "placed_at", "placed_on", "completed_on", "household_id", "paid_at", "payment_method", "refunded_fen",
    ]  # fmt: skip
    values = []
    for row in rows:
        day, amount = row[0], row[1]
        external = row[2] if len(row) > 2 else f"T{next(_numbers):08d}"
        at = datetime.datetime(day.year, day.month, day.day, 4, tzinfo=datetime.UTC)
        values.append(
            (
                f"Q{next(_numbers):09d}", Kind.SALE, channel, Status.COMPLETED,
                shop.pk if channel != Channel.ASSISTED else None, shop.unit_id,
                row[3] if len(row) > 3 else platform, external if channel == Channel.PLATFORM else "",
                amount * YUAN, at, day, day, household_id, at, "online", 0,
            )
        )  # fmt: skip
    orders_insert(fields, values)
    ids = list(Order.objects.order_by("-pk").values_list("pk", flat=True)[: len(values)])
    facts_add_orders(ids)
    return ids


def steady_history(shop, last=datetime.date(2019, 5, 31), days=120, scale=1) -> None:
    """A shop selling ¥80–¥120 (times `scale`) on two days in three for months: its usual."""
    rows = [
        (last - datetime.timedelta(days=n), scale * (80 + (n * 7) % 41)) for n in range(days) if n % 3 != 1
    ]
    add_orders(shop, rows)


def sales(path="540221", month=JUNE) -> int:
    return sum(
        MonthlyFact.objects.filter(path=path, month=month, kind=Kind.SALE).values_list(
            "amount_fen", flat=True
        )
    )


def test_outsized_round_or_repeated_orders_are_flagged_and_ordinary_ones_are_not(shop):
    steady_history(shop)
    brushed = add_orders(
        shop, [(JUNE.replace(day=5), 3000), (JUNE.replace(day=9), 2480), (JUNE.replace(day=12), 2480)]
    )
    ordinary = add_orders(shop, [(JUNE.replace(day=6), 110), (JUNE.replace(day=7), 2345)])  # large, not round
    found = [f for f in findings_for("540221", JUNE, datetime.date(2019, 6, 30)) if f.rule == Rule.OUTSIZED]
    assert len(found) == 1
    assert set(found[0].order_ids) == set(brushed) and not set(found[0].order_ids) & set(ordinary)
    assert found[0].evidence["median_fen"] < 130 * YUAN


def test_a_day_far_outside_the_shops_history_is_flagged_but_not_its_ordinary_days(shop):
    steady_history(shop, last=datetime.date(2019, 6, 19), days=60)
    spike_ids = add_orders(shop, [(datetime.date(2019, 6, 20), 600)] * 10)  # ¥6,000 in a day
    found = [f for f in findings_for("540221", JUNE, datetime.date(2019, 6, 30)) if f.rule == Rule.SPIKE]
    assert [set(f.order_ids) for f in found] == [set(spike_ids)]
    assert found[0].evidence["day"] == "2019-06-20" and not found[0].evidence["season"]


def test_the_season_raises_the_bar_a_spike_must_pass(shop):
    steady_history(shop, last=datetime.date(2019, 11, 10), days=60, scale=5)  # ¥400–¥600 a day
    add_orders(shop, [(datetime.date(2019, 11, 11), 500)] * 10)  # Double 11: ¥5,000, within twice the bar
    november = (datetime.date(2019, 11, 1), datetime.date(2019, 11, 30))
    assert not [f for f in findings_for("540221", *november) if f.rule == Rule.SPIKE]
    add_orders(shop, [(datetime.date(2019, 11, 20), 500)] * 10)  # the same on an ordinary day
    (found,) = [f for f in findings_for("540221", *november) if f.rule == Rule.SPIKE]
    assert found.evidence["day"] == "2019-11-20" and not found.evidence["season"]
    assert is_season(datetime.date(2019, 11, 11)) and is_season(datetime.date(2019, 2, 6))  # Losar 2019
    assert not is_season(datetime.date(2019, 7, 1))


def test_one_number_on_two_platforms_flags_the_later_copy(shop):
    first = add_orders(shop, [(JUNE.replace(day=3), 150, "SAME-1", "taobao")])
    copy = add_orders(shop, [(JUNE.replace(day=3), 150, "SAME-1", "jd")])
    add_orders(shop, [(JUNE.replace(day=3), 150, "OTHER-1", "jd")])
    found = [
        f for f in findings_for("540221", JUNE, datetime.date(2019, 6, 30)) if f.rule == Rule.SAME_NUMBER
    ]
    assert [f.order_ids for f in found] == [tuple(copy)]
    assert found[0].evidence["first_order"] == first[0]


def test_a_desk_sale_and_the_platforms_report_of_it_flag_the_desk_entry(shop):
    reported = add_orders(shop, [(JUNE.replace(day=10), 260)])
    desk = add_orders(
        shop, [(JUNE.replace(day=11), 260)], channel=Channel.ASSISTED, household_id=shop.household_id
    )
    add_orders(shop, [(JUNE.replace(day=20), 260)], channel=Channel.ASSISTED, household_id=shop.household_id)
    found = [f for f in findings_for("540221", JUNE, datetime.date(2019, 6, 30)) if f.rule == Rule.TWIN_SALE]
    assert [f.order_ids for f in found] == [tuple(desk)]
    assert found[0].evidence["reported_order"] == reported[0]


def test_checking_files_each_finding_once_even_after_it_is_dismissed(shop, county_officer):
    steady_history(shop)
    add_orders(shop, [(JUNE.replace(day=5), 2500)])
    first = quality_check(path="540221", first=JUNE, last=datetime.date(2019, 6, 30))
    assert first.new == 1 and first.by_rule == {Rule.OUTSIZED: 1}
    flag_dismiss(by=county_officer, flag=Flag.objects.get(), reason="A cooperative's wholesale order")
    again = quality_check(path="540221", first=JUNE, last=datetime.date(2019, 6, 30))
    assert (again.found, again.new) == (1, 0) and Flag.objects.count() == 1


def test_confirming_takes_the_orders_out_of_every_figure_and_is_audited(shop, county_officer):
    steady_history(shop)
    add_orders(shop, [(JUNE.replace(day=5), 2500)])
    before = {path: sales(path) for path in ("540221101201", "540221", "5402", "54")}
    quality_check(path="540221", first=JUNE, last=datetime.date(2019, 6, 30))
    flag = Flag.objects.get()
    with pytest.raises(QualityError):
        flag_confirm(by=county_officer, flag=flag, reason="  ")
    flag_confirm(
        by=county_officer, flag=flag, reason="The buyer is the owner's cousin; paid back the next day"
    )
    for path, amount in before.items():
        assert sales(path) == amount - 2500 * YUAN
    assert facts_verify()[0] == 0
    flag.refresh_from_db()
    assert (flag.status, flag.reviewed_by) == (FlagStatus.CONFIRMED, county_officer)
    entry = LogEntry.objects.get_for_object(flag).latest("timestamp")
    assert entry.actor == county_officer and "reason" in entry.changes_dict
    with pytest.raises(QualityError):  # reviewed once
        flag_dismiss(by=county_officer, flag=flag, reason="changed my mind")


def test_an_approved_month_keeps_its_figures(shop, county_officer, units):
    steady_history(shop)
    add_orders(shop, [(JUNE.replace(day=5), 2500)])
    quality_check(path="540221", first=JUNE, last=datetime.date(2019, 6, 30))
    month_approve(by=county_officer, unit=units["540221"], month=JUNE)
    before = sales()
    with pytest.raises(Exception, match="approved"):
        flag_confirm(by=county_officer, flag=Flag.objects.get(), reason="brushing")
    assert sales() == before and Flag.objects.get().status == FlagStatus.OPEN


def test_officers_of_another_county_neither_see_nor_review_the_flag(
    client, shop, other_county_officer, point_operator
):
    steady_history(shop)
    add_orders(shop, [(JUNE.replace(day=5), 2500)])
    quality_check(path="540221", first=JUNE, last=datetime.date(2019, 6, 30))
    flag = Flag.objects.get()
    with pytest.raises(QualityError):
        flag_confirm(by=other_county_officer, flag=flag, reason="not mine")
    client.force_login(other_county_officer)
    assert client.get(reverse("quality:flag", args=[flag.pk])).status_code == 404
    assert client.get(reverse("quality:flags", args=["540221"])).status_code == 404
    client.force_login(point_operator)
    assert client.get(reverse("quality:flags", args=["540221101201"])).status_code == 403


def test_the_review_page_shows_the_evidence_and_a_refused_decision_keeps_what_was_typed(
    client, shop, county_officer
):
    steady_history(shop)
    add_orders(shop, [(JUNE.replace(day=5), 2500)])
    client.force_login(county_officer)
    response = client.post(reverse("quality:check", args=["540221"]), {"period": "2019-06"})
    assert response.status_code == 302
    flag = Flag.objects.get()
    page = client.get(reverse("quality:flags", args=["540221"])).content.decode()
    assert reverse("quality:flag", args=[flag.pk]) in page
    detail = client.get(reverse("quality:flag", args=[flag.pk])).content.decode()
    assert "¥2,500.00" in detail and "median" in detail.lower()
    refused = client.post(reverse("quality:flag", args=[flag.pk]), {"decision": "confirm", "reason": ""})
    assert refused.status_code == 400 and Flag.objects.get().status == FlagStatus.OPEN
    done = client.post(
        reverse("quality:flag", args=[flag.pk]), {"decision": "dismiss", "reason": "Wholesale"}
    )
    assert done.status_code == 302 and Flag.objects.get().status == FlagStatus.DISMISSED


def test_the_command_checks_and_reports_as_json(shop, capsys):
    steady_history(shop)
    add_orders(shop, [(JUNE.replace(day=5), 2500)])
    call_command("quality", unit="540221", month="2019-06", check=True, as_json=True)
    document = json.loads(capsys.readouterr().out)
    assert document["checked"]["new"] == 1 and document["flags"][0]["rule"] == "outsized"
    assert document["flags"][0]["amount"] == "2500.00"
