import io
import time
import tracemalloc

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from villagelink.core.exceptions import ApplicationError
from villagelink.core.tests.workbooks import MIB, zip_bomb
from villagelink.registry.idnumbers import check_digit
from villagelink.registry.imports import households_import
from villagelink.registry.models import Household


def valid_id(serial: str, prefix: str = "540221") -> str:
    first17 = f"{prefix}19800101{serial}"
    return first17 + check_digit(first17)


def typo(number: str) -> str:
    return number[:17] + ("1" if number[17] != "1" else "2")


HEADER = "village_code,head_name,id_number,members,phone,registered_poor_in,exited_poverty_in\n"


def csv_file(*rows: str, encoding="utf-8") -> bytes:
    return (HEADER + "".join(r + "\n" for r in rows)).encode(encoding)


GOOD = [
    f"540221101201,扎西,{valid_id('001')},4,13912345678,2015,2018",
    f"540221101201,卓玛,{valid_id('002')},3,,2016,",
]


def test_a_clean_file_registers_every_household(units, point_operator):
    result = households_import(by=point_operator, data=csv_file(*GOOD), filename="h.csv")
    assert (result.created, result.rejected, result.committed) == (2, [], True)
    assert Household.objects.get(head_name="扎西").exited_poverty_in == 2018


def test_every_bad_row_is_reported_and_nothing_is_written(units, point_operator, county_officer):
    households_import(
        by=county_officer, data=csv_file(f"540221101202,Norbu,{valid_id('009')},2,,,"), filename="x.csv"
    )
    before = Household.objects.count()
    rows = [
        *GOOD,
        f"540221101201,重复,{valid_id('001')},2,,,",  # row 4: same number as row 2
        f"540221101201,错号,{typo(valid_id('003'))},2,,,",  # row 5
        f"540102101201,外县,{valid_id('004', '540102')},2,,,",  # row 6: out of scope
        f"549999999999,无村,{valid_id('005')},2,,,",  # row 7
        f"540221101201,年份,{valid_id('006')},2,,2018,2016",  # row 8
        f"540221101201,已登记,{valid_id('009')},2,,,",  # row 9: already registered
    ]
    result = households_import(by=point_operator, data=csv_file(*rows), filename="h.csv")
    assert not result.committed and result.created == 0
    reasons = dict(result.rejected)
    assert sorted(reasons) == [4, 5, 6, 7, 8, 9]
    assert "already on row 2" in reasons[4]
    assert "check digit" in reasons[5]
    assert "outside your area" in reasons[6]
    assert "not a known village" in reasons[7]
    assert "before the registration year" in reasons[8]
    assert "already registered" in reasons[9]
    assert Household.objects.count() == before
    # asked to, it imports the valid rows only
    result = households_import(
        by=point_operator, data=csv_file(*rows), filename="h.csv", valid_rows_only=True
    )
    assert (result.created, result.committed) == (2, True)
    assert Household.objects.count() == before + 2


def test_xlsx_and_gb18030_files_import_too(units, point_operator):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["village_code", "head_name", "id_number", "members"])
    sheet.append([540221101201, "白玛", valid_id("011"), 5])  # a code typed as a number
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert households_import(by=point_operator, data=buffer.getvalue(), filename="h.xlsx").created == 1
    gbk = csv_file(f"540221101201,次仁,{valid_id('012')},2,,,", encoding="gb18030")
    assert households_import(by=point_operator, data=gbk, filename="h.csv").created == 1
    assert set(Household.objects.values_list("head_name", flat=True)) == {"白玛", "次仁"}


def test_the_command_prints_each_refused_row_and_exits_non_zero(units, point_operator, tmp_path, capsys):
    path = tmp_path / "households.csv"
    path.write_bytes(csv_file(GOOD[0], f"540221101201,错号,{typo(valid_id('003'))},2,,,"))
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_households", str(path), "--as", "operator")
    assert "Row 3: The last character of the ID number does not match" in capsys.readouterr().err
    assert not Household.objects.exists()
    call_command("import_households", str(path), "--as", "operator", "--valid-only")
    assert Household.objects.count() == 1


def test_the_upload_page_reports_refused_rows_and_imports_on_request(client, units, point_operator):
    client.force_login(point_operator)
    data = csv_file(GOOD[0], f"540221101201,错号,{typo(valid_id('003'))},2,,,")
    response = client.post("/registry/households/import/", {"file": SimpleUploadedFile("h.csv", data)})
    html = response.content.decode()
    assert "Nothing was imported" in html and "Row 3" in html and "check digit" in html
    assert not Household.objects.exists()
    response = client.post(
        "/registry/households/import/", {"file": SimpleUploadedFile("h.csv", data), "valid_rows_only": "on"}
    )
    assert "1 household registered" in response.content.decode()
    assert Household.objects.count() == 1
    wrong_type = client.post("/registry/households/import/", {"file": SimpleUploadedFile("h.pdf", b"%PDF")})
    assert "Upload a .csv or .xlsx file" in wrong_type.content.decode()


def test_a_zip_bomb_is_refused_at_once_by_the_service_and_the_page(client, units, point_operator):
    """Security issue, vulnerability 2: a 1 MB .xlsx whose sheet unpacks to 1 GB of whitespace was read whole
    (10 s, 1.2 GB). Now the workbook's stated unpacked size is refused before any of it is unpacked."""
    bomb = zip_bomb(*HEADER.strip().split(","))
    assert len(bomb) < 1.1 * MIB
    tracemalloc.start()
    began = time.perf_counter()
    with pytest.raises(ApplicationError, match="unpacks to more than 200 MB"):
        households_import(by=point_operator, data=bomb, filename="h.xlsx")
    took = time.perf_counter() - began
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert took < 1 and peak < 5 * MIB, (took, peak)

    client.force_login(point_operator)
    response = client.post("/registry/households/import/", {"file": SimpleUploadedFile("h.xlsx", bomb)})
    assert "unpacks to more than 200 MB" in response.content.decode()
    assert not Household.objects.exists()
