"""A county's list of poor villages comes in as a file: every row is checked as the form checks one, and any
refused row leaves everything as it was; the page shows each refused row with its reason."""

import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from villagelink.geo.models import AdminUnit
from villagelink.network.imports import PoorVillageImportError, poor_villages_import
from villagelink.network.stock import stock_on, stock_verify

VILLAGES = ("540221101201", "540221101202")
LHASA_VILLAGE = "540102101201"


def _years() -> dict[str, tuple]:
    return {
        code: (registered, exited)
        for code, registered, exited in AdminUnit.objects.filter(
            registered_poor_in__isnull=False
        ).values_list("code", "registered_poor_in", "exited_poverty_in")
    }


def test_a_file_of_poor_villages_is_recorded_whole_and_counted(units, county_officer):
    csv = f"Village_Code,Registered_Poor_In,Exited_Poverty_In\n{VILLAGES[0]},2014,2018\n{VILLAGES[1]},2016,\n"
    assert poor_villages_import(by=county_officer, data=csv.encode(), filename="poor.csv") == 2
    assert _years() == {VILLAGES[0]: (2014, 2018), VILLAGES[1]: (2016, None)}
    assert stock_on(["540221"], datetime.date(2017, 6, 1))["540221"]["units:poor_village"] == 2
    assert stock_on(["540221"], datetime.date(2018, 6, 1))["540221"]["units:poor_village"] == 1
    assert stock_verify() == (0, [])


def test_a_workbook_reads_as_a_csv_file(units, county_officer):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["village_code", "registered_poor_in", "exited_poverty_in"])
    sheet.append([int(VILLAGES[0]), 2014.0, None])  # Excel keeps numbers as numbers
    data = io.BytesIO()
    book.save(data)
    assert poor_villages_import(by=county_officer, data=data.getvalue(), filename="poor.xlsx") == 1
    assert _years() == {VILLAGES[0]: (2014, None)}


def test_any_refused_row_leaves_everything_as_it_was_and_every_one_is_told(units, county_officer):
    csv = (
        "village_code,registered_poor_in,exited_poverty_in\n"
        f"{VILLAGES[0]},2014,2018\n"  # fine on its own
        f"{VILLAGES[1]},2018,2016\n"  # out before it came in
        f"{LHASA_VILLAGE},2014,\n"  # another county's
        "540221,2014,\n"  # a county, not a village
        f"{VILLAGES[0]},2015,\n"  # twice
        "540221101299,two thousand,\n"
    )
    with pytest.raises(PoorVillageImportError) as refused:
        poor_villages_import(by=county_officer, data=csv.encode(), filename="poor.csv")
    details = refused.value.details
    assert len(details) == 5 and "5 row(s) refused" in refused.value.message
    assert details[0].startswith(
        "Row 3: A village leaves poverty in or after the year it was registered poor"
    )
    assert details[1] == f"Row 4: “{LHASA_VILLAGE}” is not the code of a village in your area."
    assert details[2] == "Row 5: “540221” is not the code of a village in your area."
    assert details[3] == f"Row 6: village {VILLAGES[0]} is already on row 2."
    assert details[4] == "Row 7: “two thousand” is not a year."
    assert _years() == {}
    assert stock_verify() == (0, [])


def test_the_page_takes_the_file_and_shows_the_refused_rows(client, units, county_officer, point_operator):
    url = reverse("network:poor_villages")
    client.force_login(county_officer)
    bad = SimpleUploadedFile("poor.csv", f"village_code,registered_poor_in\n{LHASA_VILLAGE},2014\n".encode())
    response = client.post(url, {"action": "upload", "file": bad})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was recorded: 1 row(s) refused" in page and f"Row 2: “{LHASA_VILLAGE}”" in page
    good = SimpleUploadedFile("poor.csv", f"village_code,registered_poor_in\n{VILLAGES[1]},2014\n".encode())
    response = client.post(url, {"action": "upload", "file": good}, follow=True)
    assert "1 village recorded from the file" in response.content.decode()
    assert _years() == {VILLAGES[1]: (2014, None)}
    client.force_login(point_operator)
    again = SimpleUploadedFile("poor.csv", f"village_code,registered_poor_in\n{VILLAGES[0]},2014\n".encode())
    assert client.post(url, {"action": "upload", "file": again}).status_code == 403
