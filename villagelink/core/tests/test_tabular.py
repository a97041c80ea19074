"""The one reader of uploaded tables: encodings, workbooks, and every limit, each refusal saying what to do."""

import datetime
import io
import time
import tracemalloc

import pytest
from openpyxl import Workbook, load_workbook

from villagelink.core.tabular import (
    Limits,
    UnreadableFile,
    count_rows,
    read_rows,
    read_table,
    text_of,
)

from .workbooks import MIB, inline_row, sheet_xml, xlsx, zip_bomb

TABLE = "code,name,amount\n540221,南木林县,12.50\n\n540102,城关区,8\n"


def table(data, filename="t.csv", **limits):
    header, body = read_table(data, filename, limits=Limits.from_settings().at_most(**limits))
    return header, list(body)


def rows(data, filename="t.xlsx"):
    return list(read_rows(data, filename))


def workbook_bytes(*lines) -> bytes:
    workbook = Workbook()
    for line in lines:
        workbook.active.append(line)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def refused(data, filename="t.csv", **limits) -> str:
    with pytest.raises(UnreadableFile) as refusal:
        table(data, filename, **limits)
    return refusal.value.message


class Peak:
    """Seconds taken, and the most memory Python held above what it held before (tracemalloc)."""

    def __enter__(self):
        tracemalloc.start()
        self.began = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.began
        self.bytes = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()


# ---------------------------------------------------------------------------------------------- CSV


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_in_each_encoding_reads_the_same(encoding):
    header, body = table(TABLE.encode(encoding))
    assert header == ["code", "name", "amount"]  # no byte-order mark left on the first name
    assert body == [(2, ["540221", "南木林县", "12.50"]), (4, ["540102", "城关区", "8"])]


def test_a_gb18030_character_gbk_lacks_is_read():
    _header, body = table("name\n𠀀藏\n".encode("gb18030"))
    assert body == [(2, ["𠀀藏"])]


def test_tab_separated_text_and_quoted_line_breaks_are_read():
    header, body = table(b'code\tname\n1\t"two\nlines"\n')
    assert header == ["code", "name"] and body == [(3, ["1", "two\nlines"])]


def test_a_file_open_for_reading_is_read_and_left_open():
    file = io.BytesIO(TABLE.encode("gbk"))
    _header, body = table(file)
    assert len(body) == 2 and not file.closed


# ---------------------------------------------------------------------------------------------- XLSX


def test_a_workbook_reads_as_openpyxl_reads_it():
    data = workbook_bytes(
        ["code", "name", "amount", "placed", "paid"],
        [540221, "南木林县", 12.5, datetime.datetime(2019, 6, 1, 12, 30), True],  # noqa: DTZ001
        [],
        ["540102", "城关区", 8, datetime.date(2019, 6, 2), False],
    )
    ours = rows(data)
    sheet = load_workbook(io.BytesIO(data), read_only=True).active
    theirs = [list(values) for values in sheet.iter_rows(values_only=True)]
    assert [number for number, _cells in ours] == [1, 2, 4]  # the blank row 3 is not handed on
    for number, cells in ours:
        assert cells == theirs[number - 1][: len(cells)]
        assert not any(theirs[number - 1][len(cells) :])
    assert ours[1][1][3] == datetime.datetime(2019, 6, 1, 12, 30)  # noqa: DTZ001 - a date cell is a date


def test_a_workbook_table_has_texts_with_whole_numbers_as_typed():
    header, body = table(workbook_bytes(["Code", " Name "], [540221, "  南木林县"], [12.0, 0.5]), "t.xlsx")
    assert header == ["code", "name"]
    assert body == [(2, ["540221", "南木林县"]), (3, ["12", "0.5"])]


def test_shared_strings_rich_text_phonetics_gaps_and_time_formats():
    strings = (
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        "<si><t>plain</t></si>"
        "<si><r><t>rich </t></r><r><t>text</t></r><rPh><t>ruby</t></rPh></si>"
        "</sst>"
    )
    styles = (
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<numFmts><numFmt numFmtId="164" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/>'
        '<numFmt numFmtId="165" formatCode="[h]:mm"/></numFmts>'
        '<cellXfs><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="21"/><xf numFmtId="165"/></cellXfs>'
        "</styleSheet>"
    )
    sheet = sheet_xml(
        b'<row r="2"><c r="A2" t="s"><v>1</v></c><c r="D2" t="s"><v>0</v></c></row>'
        b'<row r="3"><c r="B3" s="1"><v>43617</v></c><c r="C3" s="2"><v>0.5</v></c><c r="D3" s="3">'
        b'<v>1.5</v></c><c r="E3" t="b"><v>1</v></c><c r="F3" t="e"><v>#N/A</v></c></row>'
        b'<row r="4"><c r="A4" t="str"><f>D2</f><v>plain</v></c><c r="B4"><f>1+1</f></c></row>'
    )
    data = xlsx(sheet, extra={"xl/sharedStrings.xml": strings.encode(), "xl/styles.xml": styles.encode()})
    assert rows(data) == [
        (2, ["rich text", None, None, "plain"]),
        (3, [None, datetime.datetime(2019, 6, 1), datetime.time(12), 1.5, True, "#N/A"]),  # noqa: DTZ001
        (4, ["plain"]),  # a formula's last computed value; one never computed is blank
    ]


def test_a_sheet_that_claims_a_million_rows_hands_on_only_the_rows_it_has():
    """openpyxl padded every row to the stated dimension, and every gap with empty rows."""
    sheet = sheet_xml(inline_row(1, "name"), inline_row(1048576, "last"))
    sheet[0] = (sheet[0][0].replace(b"<sheetData>", b'<dimension ref="A1:XFD1048576"/><sheetData>'), 1)
    with Peak() as peak:
        assert rows(xlsx(sheet)) == [(1, ["name"]), (1048576, ["last"])]
    assert peak.seconds < 1
    assert count_rows(xlsx(sheet), "t.xlsx") == 1048576


# ---------------------------------------------------------------------------------------------- bombs


def test_an_xlsx_zip_bomb_is_refused_before_anything_is_unpacked():
    bomb = zip_bomb("name", unpacked=1 << 30)  # 1 MB whose sheet unpacks to 1 GB of whitespace
    assert len(bomb) < 1.1 * MIB
    with Peak() as peak, pytest.raises(UnreadableFile, match=r"unpacks to more than 200 MB.*split it"):
        rows(io.BytesIO(bomb))
    assert peak.seconds < 0.5 and peak.bytes < 2 * MIB, (peak.seconds, peak.bytes)


def test_a_bomb_that_understates_its_size_is_cut_off_where_it_said_and_refused():
    """zipfile stops a part at its stated size: what lies beyond fails the part's checksum."""
    from .workbooks import archive

    sheet = sheet_xml(inline_row(1, "name"), filler=b" " * MIB, times=1024)
    parts = dict(zip(["[Content_Types].xml", "x"], [b"", b""], strict=True))  # a small archive otherwise
    bomb = archive(
        {**parts, "xl/worksheets/sheet1.xml": sheet}, stated_sizes={"xl/worksheets/sheet1.xml": 4096}
    )
    with Peak() as peak, pytest.raises(UnreadableFile, match="damaged"):
        rows(bomb)
    assert peak.seconds < 1 and peak.bytes < 4 * MIB, (peak.seconds, peak.bytes)


def test_megabytes_of_whitespace_inside_a_sheet_are_refused_as_they_come():
    sheet = sheet_xml(inline_row(1, "name"), filler=b" " * MIB, times=50)
    with Peak() as peak, pytest.raises(UnreadableFile, match="damaged after row 1"):
        rows(xlsx(sheet))
    assert peak.seconds < 1 and peak.bytes < 4 * MIB, (peak.seconds, peak.bytes)


def test_an_entity_bomb_is_refused():
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>'
    )
    with pytest.raises(UnreadableFile, match="damaged"):
        rows(xlsx(laughs))


# ---------------------------------------------------------------------------------------------- limits


def test_too_many_rows_cells_or_columns_are_refused_with_the_limit(settings):
    csv = TABLE.encode()
    settings.VILLAGELINK_IMPORT_MAX_ROWS = 1
    assert "more than 1 rows, the most one import takes; split it" in refused(csv)
    assert "more than 1 rows" in refused(workbook_bytes(["a"], [1], [2]), "t.xlsx")
    settings.VILLAGELINK_IMPORT_MAX_ROWS = 2
    assert table(csv)[1]  # the header is not counted
    settings.VILLAGELINK_IMPORT_MAX_CELLS = 5
    assert "more than 5 cells" in refused(csv)
    assert "more than 5 cells" in refused(workbook_bytes(["a", "b", "c"], [1, 2, 3]), "t.xlsx")
    settings.VILLAGELINK_IMPORT_MAX_COLUMNS = 2
    assert "Row 1 has more than 2 columns" in refused(csv)
    assert "Row 2 has more than 2 columns" in refused(workbook_bytes(["a"], [1, 2, 3]), "t.xlsx")


def test_a_cell_beyond_excels_last_column_is_refused_before_any_row_is_padded():
    sheet = sheet_xml(b'<row r="1"><c r="XFE1" t="inlineStr"><is><t>far</t></is></c></row>')
    with pytest.raises(UnreadableFile, match="Row 1 has more than 1,000 columns"):
        rows(xlsx(sheet))


def test_a_file_over_the_size_limit_is_refused_unread(settings):
    settings.VILLAGELINK_IMPORT_MAX_BYTES = 10
    assert "larger than 0 MB, the most one import takes" in refused(TABLE.encode())
    assert "larger than 0 MB" in refused(TABLE.encode(), max_bytes=100)  # the lower of setting and cap


def test_a_line_longer_than_a_row_can_be_is_refused_without_holding_it():
    data = b"name\n" + b"a" * (8 * MIB) + b"\n"
    with Peak() as peak:
        message = refused(data)
    assert "Row 2 holds more than 1,048,576 characters" in message
    assert peak.bytes < 16 * MIB, peak.bytes  # at most a row's characters, not the 8 MB line


def test_a_households_upload_may_take_less_than_the_settings():
    limits = Limits.from_settings().at_most(max_rows=100_000, max_bytes=10 * MIB)
    assert (limits.max_rows, limits.max_bytes, limits.max_columns) == (100_000, 10 * MIB, 1_000)
    assert Limits.from_settings().at_most(max_rows=10**12).max_rows == 1_000_000


# ---------------------------------------------------------------------------------------------- not tables


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"", "t.csv", "The file is empty: it needs a header row"),
        (b"\n\n , \n", "t.csv", "The file is empty: it needs a header row"),
        (None, "t.xlsx", "The file is empty: it needs a header row"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "t.csv", "binary data, not CSV text"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "t.xls", "old Excel workbook (.xls)"),
        (b"\xff\xfe\x81\x30\xff", "t.csv", "neither an Excel workbook (.xlsx) nor CSV text in UTF-8 or GBK"),
        (b"PK\x03\x04garbage", "t.xlsx", "cannot be read as an Excel workbook (.xlsx); it may be damaged"),
        (TABLE.encode(), "t.xlsx", "cannot be read as an Excel workbook"),
        (b"name\n" + b"a" * 200_000 + b"\n", "t.csv", "Line 2 of the file is not valid CSV (field larger"),
    ],
)
def test_what_is_not_a_table_is_refused_saying_what_to_do(data, filename, message):
    if data is None:
        data = workbook_bytes()
    text = refused(data, filename)
    assert message in text
    assert "retry" in text or "split" in text or "header row" in text


def test_a_workbook_without_its_sheet_is_refused():
    from .workbooks import archive

    with pytest.raises(UnreadableFile, match="no sheet to read"):
        rows(archive({"xl/workbook.xml": b"<workbook/>"}))


def test_cells_as_text():
    assert [text_of(v) for v in (None, 12.0, 0.5, " a ", 3, datetime.date(2019, 6, 1))] == [
        "",
        "12",
        "0.5",
        "a",
        "3",
        "2019-06-01",
    ]


def test_count_rows_is_cheap_and_about_right():
    assert count_rows(TABLE.encode(), "t.csv") == 4
    assert count_rows(b"a\nb", "t.csv") == 2
    assert count_rows(workbook_bytes(["a"], [1], [2]), "t.xlsx") == 3  # the dimension openpyxl states
    assert count_rows(xlsx(sheet_xml(inline_row(1, "a"))), "t.xlsx") == 0  # none stated
    with pytest.raises(UnreadableFile, match="unpacks to more than"):
        count_rows(zip_bomb(unpacked=256 * MIB), "t.xlsx")
