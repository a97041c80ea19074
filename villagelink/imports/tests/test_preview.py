"""The preview an officer decides on (per status, what counts, the change per county and month, the first rows),
the workbook of rejected rows with the rows themselves, and the words an office gives meanings to."""

import io

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from villagelink.core.notes import note_text
from villagelink.imports.models import OfficeWord
from villagelink.imports.services import (
    import_commit,
    import_preview,
    import_recheck,
    office_word_give,
)
from villagelink.imports.tests.test_exports import TAOBAO, TAOBAO_LATER
from villagelink.orders.models import MonthlyFact

NAMLING_PATH = "540221"


def preview(user, text: str, **kwargs):
    return import_preview(by=user, data=text.encode(), filename="export.csv", **kwargs)


def test_the_preview_gives_each_status_with_its_orders_and_amount_and_what_counts(county_officer, shops):
    batch = preview(county_officer, TAOBAO)

    statuses = batch.summary["statuses"]
    assert statuses == {
        "completed": [2, 30000, 5000],
        "paid": [1, 6800, 0],
        "shipped": [1, 5000, 0],
        "refunded": [1, 8000, 8000],
        "cancelled": [1, 3000, 0],
        "placed": [1, 1500, 0],
    }
    # Paid, shipped and completed count, less refunds: what the commit then adds to the figures.
    assert batch.summary["counted"] == [4, 10000 + 6800 + 5000 + 15000]
    assert batch.summary["months"] == [[NAMLING_PATH, "2019-06", 4, 36800]]


def test_the_months_change_is_what_the_commit_adds_to_the_county_figures(county_officer, shops):
    batch = preview(county_officer, TAOBAO)
    import_commit(by=county_officer, batch=batch)

    fact = MonthlyFact.objects.filter(path=NAMLING_PATH, month="2019-06-01", kind="sale")
    assert sum(fact.values_list("amount_fen", flat=True)) == 36800
    # A later report: T7 closed unpaid, T2 and T3 move on, nothing changes in what counts.
    later = preview(
        county_officer, TAOBAO_LATER.replace("纳木林酥油店,50.00,退款成功", "纳木林酥油店,200.00,退款成功")
    )
    # T4 refunded in full now: 150 yuan less for June, one order less.
    assert later.summary["months"] == [[NAMLING_PATH, "2019-06", -1, -15000]]
    assert later.updated == 4


def test_the_first_twenty_rows_are_shown_as_read_with_what_each_does(county_officer, shops):
    rows = "".join(
        f"X{i},b,10.00,10.00,交易成功,2019-06-01 10:00:00,2019-06-01 10:01:00,,酥油,1,纳木林酥油店,0.00,\n"
        for i in range(30)
    )
    text = TAOBAO.split("\n")[0] + "\n" + rows.replace("X3,b,10.00,10.00", "X3,b,10.00,ten")
    batch = preview(county_officer, text)

    sample = batch.summary["sample"]
    assert [entry["row"] for entry in sample] == list(range(2, 22))
    assert sample[0] == {
        "row": 2,
        "order": "X0",
        "placed_at": "2019-06-01 10:00",
        "status": "completed",
        "amount_fen": 1000,
        "refunded_fen": 0,
        "shop": "纳木林酥油店",
        "effect": "new",
    }
    assert sample[3]["effect"] == "rejected" and "ten" in note_text(sample[3]["reason"])


def test_the_preview_is_on_the_page_in_the_api_and_in_the_cli(client, county_officer, shops, tmp_path):
    batch = preview(county_officer, TAOBAO)
    client.force_login(county_officer)

    page = client.get(reverse("imports:batch", args=[batch.pk])).content.decode()
    assert 'data-testid="statuses"' in page and "368.00" in page  # counted: ¥368.00
    assert 'data-testid="months"' in page and "2019-06" in page and "Namling" in page
    assert 'data-testid="sample"' in page and ">T1<" in page

    api = client.get(reverse("importbatch-detail", args=[batch.pk])).json()["preview"]
    assert api["counted"] == {"orders": 4, "amount": "368.00"}
    assert api["months"][0] | {"county": ""} == {
        "county": "",
        "county_path": NAMLING_PATH,
        "month": "2019-06",
        "orders_change": 4,
        "amount_change": "368.00",
        "amount_now": "0.00",
    }
    assert [r["order"] for r in api["first_rows"]][:3] == ["T1", "T2", "T3"]

    path = tmp_path / "export.csv"
    path.write_bytes(TAOBAO.encode())
    out = io.StringIO()
    call_command("import_orders", str(path), "--as", "namling", stdout=out)
    text = out.getvalue()
    assert "Counted as sales: 4 orders, ¥368.00 (paid, less refunds)" in text
    assert "2019-06: ¥0.00 now, +¥368.00 (+4 orders)" in text
    assert "row 2: T1, 2019-06-01 10:00, Completed, ¥100.00, 纳木林酥油店: new order" in text


def test_the_rejected_rows_workbook_holds_the_rows_as_the_report_has_them(client, county_officer, shops):
    text = TAOBAO.replace("T2,buyer2,68.00,68.00,", "T2,buyer2,68.00,sixty,")
    batch = preview(county_officer, text)
    client.force_login(county_officer)

    response = client.get(reverse("imports:batch_rejections", args=[batch.pk]))

    assert response["Content-Disposition"] == f'attachment; filename="import-{batch.pk}-rejected.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    header, row = list(sheet.iter_rows(values_only=True))
    assert header[:5] == ("Row", "Why it was refused", "订单编号", "买家会员名", "总金额")
    assert row[0] == 3 and "sixty" in row[1]
    assert row[2:6] == ("T2", "buyer2", "68.00", "sixty")
    page = client.get(reverse("imports:batch", args=[batch.pk])).content.decode()
    assert 'download hx-boost="false"' in page  # a boosted link would swallow the file


def test_an_office_gives_an_unknown_status_a_meaning_and_the_report_is_checked_again(
    client, county_officer, shops
):
    text = TAOBAO.replace("买家已付款，等待卖家发货", "已付款待发")
    batch = preview(county_officer, text)
    assert batch.rejected == 1
    rejection = batch.rejections.get()
    assert (rejection.unknown_kind, rejection.unknown) == ("status", "已付款待发")
    assert "give the word its meaning on this import's page" in rejection.reason_text
    client.force_login(county_officer)
    page = client.get(reverse("imports:batch", args=[batch.pk])).content.decode()
    assert 'data-testid="words"' in page and "已付款待发" in page

    response = client.post(
        reverse("imports:batch_word", args=[batch.pk]),
        {"kind": "status", "word": "已付款待发", "meaning": "paid"},
    )

    assert response.status_code == 302
    batch.refresh_from_db()
    assert (batch.status, batch.rejected, batch.created) == ("previewed", 0, 7)
    word = OfficeWord.objects.get()
    assert (word.scope_path, word.platform, word.meaning, word.created_by) == (
        NAMLING_PATH,
        "taobao",
        "paid",
        county_officer,
    )
    assert LogEntry.objects.get_for_object(word).get().actor == county_officer
    # Later checks in the area know it.
    assert preview(county_officer, text).rejected == 0


def test_a_refused_word_form_keeps_the_choice_and_says_why_beside_it(client, county_officer, shops):
    batch = preview(county_officer, TAOBAO.replace("买家已付款，等待卖家发货", "已付款待发"))
    client.force_login(county_officer)

    response = client.post(
        reverse("imports:batch_word", args=[batch.pk]),
        {"kind": "status", "word": "已付款待发", "meaning": ""},
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "This field is required." in page and 'class="field has-error"' in page
    assert not OfficeWord.objects.exists()


def test_an_office_word_holds_in_its_area_only(county_officer, other_county_officer, shops):
    text = TAOBAO.replace("买家已付款，等待卖家发货", "已付款待发").replace("纳木林酥油店", "拉萨手工艺")
    theirs = preview(other_county_officer, text)
    mine = preview(county_officer, TAOBAO.replace("买家已付款，等待卖家发货", "已付款待发"))
    office_word_give(by=county_officer, batch=mine, kind="status", word="已付款待发", meaning="paid")

    assert import_recheck(by=county_officer, batch=mine).rejected == 0
    assert import_recheck(by=other_county_officer, batch=theirs).rejected == 1


def test_a_column_heading_is_given_a_field(county_officer, shops):
    # The report calls the refund column 已退金额, which no profile knows: the refund goes unread.
    text = TAOBAO.replace("退款金额,退款状态", "已退金额,退款状态")
    batch = preview(county_officer, text)
    assert "已退金额" in batch.summary["unused"] and "refund" in batch.summary["missing"]

    office_word_give(by=county_officer, batch=batch, kind="column", word="已退金额", meaning="refund")
    batch = import_recheck(by=county_officer, batch=batch)

    assert "refund" not in batch.summary["missing"]
    assert batch.summary["statuses"]["completed"] == [2, 30000, 5000]


@pytest.mark.parametrize(
    ("who", "kind", "word", "meaning", "message"),
    [
        ("point_operator", "status", "已付款待发", "paid", "Only officers of a county or above"),
        ("county_officer", "status", "已付款待发", "gone", "Choose what the word means."),
        ("county_officer", "status", "交易成功", "paid", "This report does not use that word"),
        ("county_officer", "column", "不存在", "refund", "This report does not use that word"),
        ("other_county_officer", "status", "已付款待发", "paid", "No such import."),
    ],
)
def test_a_word_is_refused_saying_why(request, county_officer, shops, who, kind, word, meaning, message):
    from villagelink.core.exceptions import ApplicationError

    batch = preview(county_officer, TAOBAO.replace("买家已付款，等待卖家发货", "已付款待发"))
    with pytest.raises(ApplicationError, match=message):
        office_word_give(by=request.getfixturevalue(who), batch=batch, kind=kind, word=word, meaning=meaning)
    assert not OfficeWord.objects.exists()


def test_the_columns_form_offers_the_unread_headings_and_the_missing_fields(client, county_officer, shops):
    batch = preview(county_officer, TAOBAO.replace("退款金额,退款状态", "已退金额,退款状态"))
    client.force_login(county_officer)
    page = client.get(reverse("imports:batch", args=[batch.pk])).content.decode()
    assert '<option value="已退金额">已退金额</option>' in page and '<option value="refund">' in page
    assert '<option value="amount">' not in page  # the report has its amount column

    refused = client.post(
        reverse("imports:batch_word", args=[batch.pk]), {"kind": "column", "word": "已退金额", "meaning": ""}
    )
    assert refused.status_code == 400
    assert '<option value="已退金额" selected>' in refused.content.decode()

    client.post(
        reverse("imports:batch_word", args=[batch.pk]),
        {"kind": "column", "word": "已退金额", "meaning": "refund"},
    )
    batch.refresh_from_db()
    assert "refund" not in batch.summary["missing"]


def test_a_commit_that_would_change_the_figures_otherwise_than_the_check_showed_is_refused(
    client, county_officer, shops
):
    first = preview(county_officer, TAOBAO)
    # Meanwhile someone imports the same orders: the first check's figures no longer hold.
    import_commit(by=county_officer, batch=preview(county_officer, TAOBAO))
    client.force_login(county_officer)

    response = client.post(reverse("imports:batch_commit", args=[first.pk]), follow=True)

    assert "The recorded orders changed since this report was checked" in response.content.decode()
    first.refresh_from_db()
    assert first.status == "previewed" and first.summary["months"] == [[NAMLING_PATH, "2019-06", 4, 36800]]
    client.post(reverse("imports:batch_recheck", args=[first.pk]))
    first.refresh_from_db()
    assert (first.unchanged, first.summary["months"]) == (7, [])
    client.post(reverse("imports:batch_commit", args=[first.pk]))
    first.refresh_from_db()
    assert first.status == "committed"
