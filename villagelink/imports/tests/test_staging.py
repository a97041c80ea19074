"""The check leaves the rows it accepted in the batch's staging table; the commit writes from there, not from
the file, and drops it; a commit whose checked rows are gone or short is refused."""

import gc

import pytest

from villagelink.core.exceptions import ApplicationError
from villagelink.imports import scanning, staging
from villagelink.imports.models import BatchStatus, ImportBatch
from villagelink.imports.services import import_commit, import_recheck, imports_discard_stale
from villagelink.imports.storage import _media_dir
from villagelink.orders.facts import facts_verify
from villagelink.orders.models import IncomeShare, Order, OrderEvent, OrderLine, Status
from villagelink.orders.services import income_recompute

from .test_services import TAOBAO, preview

MORE = TAOBAO.replace(
    "合计,,1452.40,,,,,,,\n", "345678901234567899,buyer9,30,交易成功,2019-06-05,青稞酒,3,纳木林酥油店,,\n"
)


def staged_effects(batch: ImportBatch) -> dict[str, str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT external_id, effect FROM {staging.table(batch.pk)}")  # noqa: S608
        return dict(cursor.fetchall())


def test_the_commit_writes_the_checked_rows_without_reading_the_file_again(county_officer, shops):
    import_commit(by=county_officer, batch=preview(county_officer, TAOBAO))
    # A later report: one order paid is now completed, one is new, the others as recorded.
    later = MORE.replace("买家已付款,2019/6/2 8:05", "交易成功,2019/6/2 8:05")
    batch = preview(county_officer, later)
    assert staged_effects(batch) == {
        "345678901234567890": "unchanged",
        "345678901234567891": "updated",
        "345678901234567892": "unchanged",
        "345678901234567893": "unchanged",
        "345678901234567899": "new",
    }
    (_media_dir() / batch.file_path).unlink()  # the commit does not need the file

    import_commit(by=county_officer, batch=batch)

    batch.refresh_from_db()
    assert (batch.status, batch.created, batch.updated, batch.unchanged) == (BatchStatus.COMMITTED, 1, 1, 3)
    assert not staging.exists(batch.pk)
    paid = Order.objects.get(external_id="345678901234567891")
    assert paid.status == Status.COMPLETED and str(paid.completed_on) == "2019-06-02" and paid.paid_at
    assert list(paid.events.values_list("status", flat=True)) == [Status.PAID, Status.COMPLETED]
    new = Order.objects.get(external_id="345678901234567899")
    assert (new.number, new.total_fen, new.unit_id) == (f"I{batch.pk}-7", 3000, shops["taobao"].unit_id)
    line = OrderLine.objects.get(order=new)
    assert (line.description, line.quantity, line.unit_price_fen, line.amount_fen) == (
        "青稞酒",
        3,
        1000,
        3000,
    )
    assert OrderEvent.objects.filter(order=new, status=Status.COMPLETED).count() == 1
    # The income and the facts the few statements wrote are those the order services make of the orders.
    written = sorted(IncomeShare.objects.values_list("order_id", "household_id", "amount_fen", "day"))
    assert written and len(written) == Order.objects.filter(status=Status.COMPLETED).count()
    income_recompute(list(Order.objects.values_list("pk", flat=True)))
    assert sorted(IncomeShare.objects.values_list("order_id", "household_id", "amount_fen", "day")) == written
    assert facts_verify()[0] == 0


def test_a_commit_whose_checked_rows_are_gone_asks_for_a_new_check(county_officer, shops):
    batch = preview(county_officer, TAOBAO)
    staging.drop(batch.pk)  # e.g. checked before an upgrade

    with pytest.raises(ApplicationError, match="no longer kept"):
        import_commit(by=county_officer, batch=batch)

    batch.refresh_from_db()
    assert batch.status == BatchStatus.PREVIEWED and not Order.objects.exists()
    import_recheck(by=county_officer, batch=batch)
    import_commit(by=county_officer, batch=batch)
    assert Order.objects.count() == 4


def test_a_commit_whose_checked_rows_are_short_writes_nothing(county_officer, shops):
    from django.db import connection

    batch = preview(county_officer, TAOBAO)
    with connection.cursor() as cursor:  # as a crash leaves PostgreSQL's unlogged table: emptied
        cursor.execute(f"DELETE FROM {staging.table(batch.pk)} WHERE effect = 'new' AND row_number = 2")  # noqa: S608

    with pytest.raises(ApplicationError, match="incomplete"):
        import_commit(by=county_officer, batch=batch)
    assert not Order.objects.exists() and staging.exists(batch.pk)


def test_the_checked_rows_of_batches_that_will_not_commit_are_dropped(county_officer, shops):
    kept = preview(county_officer, TAOBAO)
    failed = ImportBatch.objects.create(
        uploaded_by=county_officer, file_name="x.csv", status=BatchStatus.FAILED
    )
    staging.create(failed.pk)  # left by a run that stopped between its check and its end
    staging.create(987654)  # and one of a batch that is gone

    imports_discard_stale()

    assert staging.exists(kept.pk) and not staging.exists(failed.pk) and not staging.exists(987654)


@pytest.mark.parametrize("bits", [1 << 26, 8])  # as built, and so small that every number is suspected
def test_a_number_repeated_chunks_later_is_refused_with_its_first_row(
    county_officer, shops, monkeypatch, bits
):
    from villagelink.imports import scanning
    from villagelink.imports.models import ImportRejection

    monkeypatch.setattr(scanning, "CHUNK", 2)
    monkeypatch.setattr(staging.Staged, "BITS", bits)
    repeated = TAOBAO.replace(
        "合计,,1452.40,,,,,,,\n",
        "345678901234567891,buyer2,68.00,交易成功,2019-06-05,青稞,1,纳木林酥油店,,\n",
    )

    batch = preview(county_officer, repeated)

    assert (batch.created, batch.rejected) == (4, 1)
    (rejection,) = ImportRejection.objects.filter(batch=batch)
    assert rejection.row == 7 and "already on row 4 of this file" in str(rejection.reason_text)


def test_a_commit_shows_how_far_it_has_got(county_officer, shops, monkeypatch):
    from villagelink.imports import writing
    from villagelink.imports.progress import progress_of

    batch = preview(county_officer, TAOBAO)
    seen = []
    real = writing.facts_apply

    def noting(delta):
        seen.append(progress_of(ImportBatch.objects.get(pk=batch.pk)))
        real(delta)

    monkeypatch.setattr(writing, "facts_apply", noting)
    import_commit(by=county_officer, batch=batch)

    batch.refresh_from_db()
    assert seen and 0 < seen[0] < batch.rows_total  # before the facts: most of the way
    assert progress_of(batch) == batch.rows_total  # and all of it once committed


def test_new_orders_take_their_ids_in_the_reports_order_and_later_orders_count_on_from_them(
    county_officer, shops
):
    import_commit(by=county_officer, batch=preview(county_officer, TAOBAO))
    first = list(Order.objects.order_by("pk").values_list("pk", "number"))
    assert [number.rsplit("-", 1)[1] for _pk, number in first] == sorted(
        (number.rsplit("-", 1)[1] for _pk, number in first), key=int
    )
    highest = first[-1][0]
    Order.objects.filter(pk=highest).delete()  # an id once given is not given again (SQLite's AUTOINCREMENT)
    import_commit(by=county_officer, batch=preview(county_officer, MORE))
    new = Order.objects.get(external_id="345678901234567899")
    assert new.pk > highest
    later = Order.objects.get(pk=new.pk)
    later.pk, later.number, later.external_id = None, "LATER-1", "later-1"
    later.save()  # as any other order is written: the database gives the id
    assert later.pk > new.pk


def test_the_check_sets_the_cycle_collector_back_even_when_it_fails():
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), scanning._fewer_collections():
        assert gc.get_threshold()[0] == 10_000
        raise RuntimeError
    assert gc.get_threshold() == before
