"""Reports refused as a whole: a file without orders, a shop chosen on another platform than the report's;
a refused report leaves no batch and no stored upload (real reports carry buyers' names and addresses)."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from villagelink.approvals.services import month_approve
from villagelink.core.exceptions import ApplicationError
from villagelink.imports.models import ImportBatch
from villagelink.imports.services import import_preview
from villagelink.imports.storage import _media_dir
from villagelink.orders.models import Order

from .test_services import TAOBAO

# A Taobao report without a shop column: its rows belong to the shop chosen for it.
NO_SHOP = (
    "订单编号,买家实际支付金额,订单状态,订单创建时间,宝贝标题\n"
    "5001,10.00,交易成功,2019-06-01 10:00:00,酥油\n"
    "5002,20.00,买家已付款，等待卖家发货,2019-06-02 10:00:00,青稞\n"
)


def stored_files() -> list:
    return sorted(_media_dir().iterdir()) if _media_dir().is_dir() else []


@pytest.mark.parametrize(
    "text",
    [
        "订单编号,买家实际支付金额,订单状态,订单创建时间,店铺名称\n",
        "订单编号,买家实际支付金额,订单状态,订单创建时间,店铺名称\n\n,,,,\n合计,0,,,\n",
    ],
)
def test_a_file_with_no_orders_is_refused(county_officer, shops, text):
    with pytest.raises(ApplicationError, match="header row but no orders"):
        import_preview(by=county_officer, data=text.encode(), filename="empty.csv")
    assert not ImportBatch.objects.exists() and stored_files() == []


def test_the_cli_refuses_a_file_with_no_orders(tmp_path, county_officer, shops):
    path = tmp_path / "empty.csv"
    path.write_bytes("订单编号,买家实际支付金额,订单状态,订单创建时间,店铺名称\n".encode("gbk"))
    with pytest.raises(CommandError, match="header row but no orders"):
        call_command("import_orders", str(path), "--as", "namling", "--commit", stdout=io.StringIO())
    assert not ImportBatch.objects.exists() and stored_files() == []


def test_a_shop_chosen_on_the_page_must_be_on_the_reports_platform(client, county_officer, shops):
    client.force_login(county_officer)
    response = client.post(
        reverse("imports:upload"),
        {"file": SimpleUploadedFile("taobao.csv", NO_SHOP.encode()), "platform": "", "shop": shops["jd"].pk},
    )
    page = response.content.decode()
    assert response.status_code == 200 and "“纳木林青稞” is on JD, but this report is from Taobao" in page
    assert not ImportBatch.objects.exists() and stored_files() == []

    client.post(
        reverse("imports:upload"),
        {"file": SimpleUploadedFile("taobao.csv", NO_SHOP.encode()), "shop": shops["taobao"].pk},
    )
    assert ImportBatch.objects.get().created == 2


def test_the_cli_imports_a_report_without_shops_under_the_shop_given(tmp_path, county_officer, shops):
    path = tmp_path / "taobao.csv"
    path.write_bytes(NO_SHOP.encode("gbk"))
    out = io.StringIO()

    with pytest.raises(CommandError, match="is on JD, but this report is from Taobao"):
        call_command("import_orders", str(path), "--as", "namling", "--shop", str(shops["jd"].pk), stdout=out)
    with pytest.raises(CommandError, match="no shop 999999"):
        call_command("import_orders", str(path), "--as", "namling", "--shop", "999999", stdout=out)
    with pytest.raises(CommandError, match="outside your area"):
        call_command(
            "import_orders", str(path), "--as", "namling", "--shop", str(shops["lhasa"].pk), stdout=out
        )
    assert not Order.objects.exists()

    call_command(
        "import_orders",
        str(path),
        "--as",
        "namling",
        "--shop",
        str(shops["taobao"].pk),
        "--commit",
        stdout=out,
    )
    assert {o.shop for o in Order.objects.all()} == {shops["taobao"]} and Order.objects.count() == 2
    assert stored_files() == []


def test_a_commit_refused_on_the_cli_leaves_no_upload(tmp_path, county_officer, units, shops):
    month_approve(by=county_officer, unit=units["540221"], month=datetime.date(2019, 6, 1))
    path = tmp_path / "taobao.csv"
    path.write_bytes(TAOBAO.encode())

    with pytest.raises(CommandError, match="approved"):
        call_command("import_orders", str(path), "--as", "namling", "--commit", stdout=io.StringIO())

    assert not Order.objects.exists() and not ImportBatch.objects.exists()
    assert stored_files() == []
