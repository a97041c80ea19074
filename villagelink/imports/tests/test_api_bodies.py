"""The import API takes reports up to the import's own limit, base64-encoded in JSON, far above Django's
2.5 MB default for a body; any other body over that default is refused as JSON, saying so."""

import base64

from django.test import override_settings
from rest_framework.test import APIClient

from villagelink.imports.models import ImportBatch


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def report(rows: int) -> str:
    header = "订单编号,店铺名称,订单状态,订单创建时间,买家实际支付金额\n".encode()
    return base64.b64encode(
        header + b"".join(b"%d,X,TRADE_FINISHED,2019-06-01,1.00\n" % n for n in range(rows))
    ).decode()


def test_a_report_of_several_megabytes_reaches_the_import(county_officer, units):
    content = report(120_000)
    assert len(content) > 2.5 * 1024 * 1024
    answer = api(county_officer).post(
        "/api/v1/imports/", {"file_name": "big.csv", "content": content}, format="json"
    )
    assert answer.status_code != 413 and answer["Content-Type"] == "application/json"
    assert "could not be understood" not in answer.content.decode()


@override_settings(VILLAGELINK_IMPORT_MAX_BYTES=1024 * 1024)
def test_a_report_over_the_imports_limit_is_refused_before_it_is_read(county_officer, units):
    answer = api(county_officer).post(
        "/api/v1/imports/", {"file_name": "big.csv", "content": report(60_000)}, format="json"
    )
    assert answer.status_code == 413 and answer.json()["code"] == "too_large"
    assert "larger than 1 MB" in answer.json()["detail"]
    assert not ImportBatch.objects.exists()


def test_another_body_over_the_default_is_refused_as_json(county_officer, units):
    answer = api(county_officer).post(
        "/api/v1/assistance-events/", {"note": "x" * (3 * 1024 * 1024)}, format="json"
    )
    assert answer.status_code == 413 and answer["Content-Type"] == "application/json"
    assert "larger than 2.5 MB" in answer.json()["detail"]
