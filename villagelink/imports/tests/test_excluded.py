"""A report that comes back to orders an officer excluded (by confirming a data-quality flag): the check shows
what the commit will do to the figures — nothing, for an excluded order, whatever the report now says of it —
the commit is accepted, and the orders stay excluded (a platform's report does not undo an officer's
decision)."""

import pytest
from django.db.models import Sum

from villagelink.imports.errors import ImportError_
from villagelink.imports.services import import_commit, import_preview, import_recheck
from villagelink.imports.tests.test_exports import TAOBAO
from villagelink.orders.facts import facts_verify
from villagelink.orders.models import Kind, MonthlyFact, Order, Status
from villagelink.orders.services import orders_exclude

JUNE = "2019-06-01"
# Namling County, its prefecture (Shigatse) and the region: every level that counted the orders.
LEVELS = ("540221", "5402", "54")
# T1 amended (¥100.00 → ¥130.00), T2 refunded after payment, T4 refunded in full (¥50.00 → ¥200.00).
LATER = (
    TAOBAO.replace("T1,buyer1,120.00,100.00,", "T1,buyer1,130.00,130.00,")
    .replace(
        "T2,buyer2,68.00,68.00,买家已付款，等待卖家发货,2019-06-02 11:00:00,2019-06-02 11:02:00,,青稞,1,"
        "纳木林酥油店,0.00,",
        "T2,buyer2,68.00,68.00,付款以后用户退款成功，交易自动关闭,2019-06-02 11:00:00,2019-06-02 11:02:00,,青稞,1,"
        "纳木林酥油店,68.00,",
    )
    .replace("纳木林酥油店,50.00,退款成功", "纳木林酥油店,200.00,退款成功")
)


def preview(user, text: str):
    return import_preview(by=user, data=text.encode(), filename="export.csv", background=False)


def june_sales(path: str) -> tuple[int, int]:
    """(orders, fen) of the unit's June 2019 sales, as the monthly facts hold them."""
    totals = MonthlyFact.objects.filter(path=path, month=JUNE, kind=Kind.SALE).aggregate(
        orders=Sum("orders"), fen=Sum("amount_fen")
    )
    return totals["orders"] or 0, totals["fen"] or 0


def order(external_id: str) -> Order:
    return Order.objects.get(platform="taobao", external_id=external_id)


@pytest.fixture
def excluded(county_officer, shops):
    """The first report imported, then T1 (completed) and T2 (paid) excluded by an officer."""
    import_commit(by=county_officer, batch=preview(county_officer, TAOBAO), background=False)
    assert june_sales("540221") == (4, 10000 + 6800 + 5000 + 15000)
    orders_exclude(ids=[order("T1").pk, order("T2").pk], excluded=True)
    assert june_sales("540221") == (2, 5000 + 15000)


@pytest.mark.usefixtures("excluded")
def test_a_report_changing_excluded_orders_shows_and_makes_only_the_other_orders_change(county_officer):
    before = {path: june_sales(path) for path in LEVELS}

    batch = preview(county_officer, LATER)

    # Only T4's refund moves a figure: the excluded T1 and T2 counted nothing and still count nothing.
    assert batch.summary["months"] == [["540221", "2019-06", -1, -15000]]
    assert batch.summary["counted"] == [1, 5000]  # T3; T1 is excluded, T2 and T4 refunded
    assert batch.updated == 3

    import_commit(by=county_officer, batch=batch, background=False)

    batch.refresh_from_db()
    assert batch.status == "committed"
    for path, (orders, fen) in before.items():
        assert june_sales(path) == (orders - 1, fen - 15000), path
    # The report's news is recorded, and the officer's decision stands.
    t1, t2 = order("T1"), order("T2")
    assert (t1.total_fen, t1.excluded) == (13000, True)
    assert (t2.status, t2.refunded_fen, t2.excluded) == (Status.REFUNDED, 6800, True)
    assert facts_verify()[0] == 0


@pytest.mark.usefixtures("excluded")
def test_an_excluded_order_counted_again_counts_what_the_last_report_said(county_officer):
    import_commit(by=county_officer, batch=preview(county_officer, LATER), background=False)

    orders_exclude(ids=[order("T1").pk], excluded=False)

    assert june_sales("540221") == (2, 13000 + 5000)  # T1 as amended, and T3
    assert facts_verify()[0] == 0


def test_an_order_excluded_between_the_check_and_the_commit_refuses_the_commit(county_officer, shops):
    import_commit(by=county_officer, batch=preview(county_officer, TAOBAO), background=False)
    amended = TAOBAO.replace("T1,buyer1,120.00,100.00,", "T1,buyer1,130.00,130.00,")
    batch = preview(county_officer, amended)
    assert batch.summary["months"] == [["540221", "2019-06", 0, 3000]]

    orders_exclude(ids=[order("T1").pk], excluded=True)  # an officer confirms a flag meanwhile

    with pytest.raises(ImportError_, match="changed since this report was checked"):
        import_commit(by=county_officer, batch=batch, background=False)
    assert order("T1").total_fen == 10000

    # Checked again, the report changes no figure; committed, it records the amendment, T1 still excluded.
    batch = import_recheck(by=county_officer, batch=batch, background=False)
    assert batch.summary["months"] == []
    before = june_sales("540221")
    import_commit(by=county_officer, batch=batch, background=False)
    assert june_sales("540221") == before
    assert (order("T1").total_fen, order("T1").excluded) == (13000, True)
    assert facts_verify()[0] == 0
