import base64
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from villagelink.imports.models import ImportBatch
from villagelink.orders.models import Order

from .test_services import TAOBAO, preview

EVIL = '订单编号,买家实际支付金额,订单状态,订单创建时间,店铺名称\n1,10,交易成功,2019-06-01,=HYPERLINK("x")\n'


def test_upload_preview_and_commit_through_the_pages(client, county_officer, shops):
    client.force_login(county_officer)
    form = client.get(reverse("imports:upload")).content.decode()
    assert "纳木林酥油店 · Taobao" in form and "纳木林青稞 · JD" in form  # a shop with its platform
    assert "拉萨手工艺" not in form  # Chengguan's shop is not offered
    response = client.post(
        reverse("imports:upload"),
        {"file": SimpleUploadedFile("taobao.csv", TAOBAO.encode("gb18030")), "platform": ""},
    )
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("imports:batch", args=[batch.pk])
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="created">4<' in page and "csrfmiddlewaretoken" in page
    assert not Order.objects.exists()

    client.post(reverse("imports:batch_commit", args=[batch.pk]))
    assert Order.objects.count() == 4
    assert "taobao.csv" in client.get(reverse("imports:batches")).content.decode()


def test_a_bad_file_shows_the_message_on_the_form(client, county_officer, shops):
    client.force_login(county_officer)
    response = client.post(
        reverse("imports:upload"), {"file": SimpleUploadedFile("x.csv", b"name,price\nbutter,1\n")}
    )
    assert response.status_code == 200 and "order number or the amount" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_a_zip_bomb_is_refused_on_the_form_unread(client, county_officer, shops):
    """A 1 MB .xlsx whose sheet unpacks to 1 GB: refused on its stated size, before any of it is unpacked."""
    from villagelink.core.tests.workbooks import zip_bomb

    client.force_login(county_officer)
    bomb = zip_bomb("订单编号", "买家实际支付金额", "订单状态", "订单创建时间", "店铺名称")
    response = client.post(reverse("imports:upload"), {"file": SimpleUploadedFile("bomb.xlsx", bomb)})
    assert response.status_code == 200 and "unpacks to more than 200 MB" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_rejections_download_neutralises_formulas(client, county_officer, shops):
    from openpyxl import load_workbook

    batch = preview(county_officer, EVIL)
    client.force_login(county_officer)
    response = client.get(reverse("imports:batch_rejections", args=[batch.pk]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == 2 and "cannot be matched" in rows[1][1]
    page = client.get(reverse("imports:batch", args=[batch.pk])).content.decode()
    assert "Row 2" in page


def test_another_countys_batch_is_not_found(client, county_officer, other_county_officer, shops):
    batch = preview(other_county_officer, TAOBAO)
    client.force_login(county_officer)
    for name in ("imports:batch", "imports:batch_rejections", "imports:batch_progress"):
        assert client.get(reverse(name, args=[batch.pk])).status_code == 404
    assert client.post(reverse("imports:batch_commit", args=[batch.pk])).status_code == 404
    assert client.get(reverse("importbatch-detail", args=[batch.pk])).status_code == 404
    assert client.post(reverse("importbatch-commit", args=[batch.pk])).status_code == 404
    assert batch.file_name not in client.get(reverse("imports:batches")).content.decode()


def test_the_api_uploads_and_commits(client, county_officer, shops):
    client.force_login(county_officer)
    body = {"file_name": "r.csv", "content": base64.b64encode(TAOBAO.encode()).decode(), "platform": "taobao"}
    response = client.post(reverse("importbatch-list"), body, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["created"] == 4 and response.json()["status"] == "previewed"
    pk = response.json()["id"]
    committed = client.post(reverse("importbatch-commit", args=[pk]))
    assert committed.status_code == 200 and committed.json()["status"] == "committed"
    assert Order.objects.count() == 4
    assert [b["id"] for b in client.get(reverse("importbatch-list")).json()["results"]] == [pk]


def test_the_api_explains_a_bad_file(client, county_officer, shops):
    client.force_login(county_officer)
    body = {"file_name": "r.xlsx", "content": base64.b64encode(b"PK\x03\x04junk").decode()}
    response = client.post(reverse("importbatch-list"), body, content_type="application/json")
    assert response.status_code == 400 and "Excel workbook" in response.json()["detail"]


def _write(tmp_path, text):
    path = tmp_path / "report.csv"
    path.write_text(text, encoding="utf-8-sig")
    return path


def test_the_cli_without_commit_writes_nothing(tmp_path, admin_user, shops):
    out = io.StringIO()
    call_command("import_orders", str(_write(tmp_path, TAOBAO)), "--as", "root", stdout=out)
    assert "4 new" in out.getvalue() and "Nothing was written" in out.getvalue()
    assert not ImportBatch.objects.exists() and not Order.objects.exists()


def test_the_cli_commits_and_reports_rejections(tmp_path, county_officer, shops):
    out = io.StringIO()
    call_command("import_orders", str(_write(tmp_path, EVIL)), "--as", "namling", "--commit", stdout=out)
    assert "row 2:" in out.getvalue()
    call_command("import_orders", str(_write(tmp_path, TAOBAO)), "--as", "namling", "--commit", stdout=out)
    assert Order.objects.count() == 4


def test_the_cli_fails_clearly_on_a_bad_file(tmp_path, admin_user, shops):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(b"PK\x03\x04junk")
    with pytest.raises(CommandError, match="Excel workbook"):
        call_command("import_orders", str(path), "--as", "root")
