import io

import pytest
from openpyxl import Workbook

from villagelink.geo.models import AdminUnit
from villagelink.geo.services import UnitImportError, units_import_csv

HEADER = "code,parent_code,level,name_zh,name_en\n"
GOOD = HEADER + (
    "540221101,540221,township,甲乡,Jia Township\n540221101201,540221101,village,甲村,Jia Village\n"
)


def snapshot():
    return list(
        AdminUnit.objects.order_by("code").values_list("code", "parent_id", "level", "name_zh", "name_en")
    )


def test_reference_units_load_with_their_tree(units):
    assert AdminUnit.objects.filter(level="prefecture").count() == 7
    assert AdminUnit.objects.filter(level="county", is_synthetic=False).count() == 74
    namling = units["540221"]
    assert namling.parent.code == "540200"
    assert namling.path == "540221"
    assert units["540200"].path == "5402"
    assert units["540000"].path == "54"


def test_import_accepts_utf8_with_bom_and_sets_paths(units):
    result = units_import_csv(data=("\ufeff" + GOOD.replace("540221101", "540221102")).encode())
    assert result.created == 2
    village = AdminUnit.objects.get(code="540221102201")
    assert village.parent.code == "540221102"
    assert village.path == "540221102201"


def test_importing_the_same_file_twice_adds_nothing(units):
    data = GOOD.replace("540221101", "540221102").encode()
    units_import_csv(data=data)
    before = snapshot()
    result = units_import_csv(data=data)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert snapshot() == before


def test_import_updates_names_of_known_units(units):
    units_import_csv(data=(HEADER + "540221,540200,county,南木林县,Namling\n").encode())
    assert AdminUnit.objects.get(code="540221").name_en == "Namling"


def test_parent_may_come_later_in_the_file(units):
    lines = GOOD.replace("540221101", "540221102").splitlines()
    units_import_csv(data="\n".join([lines[0], lines[2], lines[1]]).encode())
    assert AdminUnit.objects.get(code="540221102201").parent.code == "540221102"


@pytest.mark.parametrize(
    ("bad_row", "reason"),
    [
        ("540221109,549999,township,乙乡,Yi Township", "parent 549999 is not a known unit"),
        ("540221101,540221,township,重复乡,Duplicate", "code 540221101 appears twice (first on row 2)"),
        ("540102109,540221,township,乙乡,Yi Township", "does not extend its parent's code 540221"),
        (
            "540221109201,540221,village,乙村,Yi Village",
            "level out of order: a village cannot sit under the county",
        ),
        ("540221109,540221101201,township,乙乡,Yi Township", "level out of order"),
        ("540221109,540221,township,,Yi Township", "name_zh (the Chinese name) is missing"),
        ("540221109,540221,township,乙乡,", "name_en (the English name) is missing"),
        ("540221109,540221,hamlet,乙乡,Yi", "level “hamlet” is not one of"),
        ("54022110,540221,township,乙乡,Yi", "must be 9 digits for a township"),
        ("540221,540200,county,南木林县,Namling,", None),  # a good row among them changes nothing either
    ],
)
def test_a_bad_row_is_refused_with_its_row_number_and_nothing_is_written(units, bad_row, reason):
    before = snapshot()
    data = (GOOD + bad_row + "\n" + "540221101202,540221101,village,丙村,Bing Village\n").encode()
    if reason is None:
        units_import_csv(data=data)  # control: the same file without a bad row imports
        assert AdminUnit.objects.filter(code="540221101202").exists()
        return
    with pytest.raises(UnitImportError) as refused:
        units_import_csv(data=data)
    assert any(line.startswith("Row 4: ") and reason in line for line in refused.value.details), (
        refused.value.details
    )
    assert snapshot() == before


def test_a_unit_cannot_move_to_another_parent(units):
    with pytest.raises(UnitImportError) as refused:
        units_import_csv(data=(HEADER + "540221,540000,county,南木林县,Namling County\n").encode())
    assert "Row 2: code 540221 already exists as a county under 540200" in refused.value.details[0]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty"),
        (b"code,level\n1,region\n", "lacks the column(s) parent_code, name_zh, name_en"),
        (HEADER.encode(), "holds no units"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary data"),
        (b"PK\x03\x04 not a workbook", "cannot be read as an Excel workbook"),
    ],
)
def test_unreadable_files_are_refused_with_what_to_do(units, data, message):
    before = snapshot()
    with pytest.raises(UnitImportError) as refused:
        units_import_csv(data=data)
    assert message in refused.value.message
    assert snapshot() == before


@pytest.mark.parametrize("encoding", ["gbk", "gb18030"])
def test_a_gbk_file_imports_as_a_utf8_one_does(units, encoding):
    data = (HEADER + "540221103,540221,township,丙乡,Bing Township\n").encode(encoding)
    assert units_import_csv(data=data).created == 1
    assert AdminUnit.objects.get(code="540221103").name_zh == "丙乡"


def test_an_xlsx_file_imports_with_the_rows_numbered_as_excel_shows_them(units):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["code", "parent_code", "level", "name_zh", "name_en"])
    sheet.append([540221104, 540221, "township", "丁乡", "Ding Township"])  # codes typed as numbers
    sheet.append([])
    sheet.append([540221104201, 540221104, "village", "丁村", None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(UnitImportError) as refused:
        units_import_csv(data=buffer.getvalue(), filename="units.xlsx")
    assert refused.value.details == ["Row 4: name_en (the English name) is missing."]
    sheet["E4"] = "Ding Village"
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert units_import_csv(data=buffer.getvalue(), filename="units.xlsx").created == 2


def test_coordinates_are_checked_and_kept(units):
    data = "code,parent_code,level,name_zh,name_en,longitude,latitude\n540221102,540221,township,丁乡,Ding,89.5,29.7\n"
    units_import_csv(data=data.encode())
    township = AdminUnit.objects.get(code="540221102")
    assert str(township.longitude) == "89.500000"
    with pytest.raises(UnitImportError) as refused:
        units_import_csv(data=data.replace("29.7", "north").replace("540221102", "540221103").encode())
    assert "latitude “north” is not a number" in refused.value.details[0]
