"""The memory a large workbook takes to read: its shared strings, kept compact, and no more of them decoded
than the values a column repeats need (issue 13, defect 6: a 190 MB order report)."""

import tracemalloc

from villagelink.core.tabular import read_rows

from .workbooks import MAIN, MIB, xlsx

STATUSES = ["交易成功", "交易关闭"]


def order_number(i: int) -> str:
    return f"{3_100_000_000_000_000_000 + i * 7_919}"  # Taobao's: 19 digits, text in the workbook


def taobao_like(rows: int) -> bytes:
    """A workbook of `rows` orders: each a unique order number and a status, both shared strings (the
    statuses first, then one string per order, as Excel writes a report)."""
    strings = [*STATUSES, *(order_number(i) for i in range(rows))]
    sst = f'<sst xmlns="{MAIN}" count="{len(strings)}" uniqueCount="{len(strings)}">' + "".join(
        f"<si><t>{s}</t></si>" for s in strings
    )
    sheet = f'<worksheet xmlns="{MAIN}"><sheetData>' + "".join(
        f'<row r="{i + 1}"><c r="A{i + 1}" t="s"><v>{i + 2}</v></c><c r="B{i + 1}" t="s"><v>{i % 2}</v></c></row>'
        for i in range(rows)
    )
    return xlsx(
        (sheet + "</sheetData></worksheet>").encode(),
        extra={"xl/sharedStrings.xml": (sst + "</sst>").encode()},
    )


def test_a_column_of_strings_that_never_repeat_is_not_all_kept_decoded():
    """Given 60,000 order numbers, each a shared string used once (1.1 MB of UTF-8), when the workbook is
    read through, then Python holds about the strings themselves, not a decoded copy of each (the cache of
    decoded strings took 4 MiB of characters: 30 MB for a 190 MB report)."""
    data = taobao_like(60_000)
    tracemalloc.start()
    try:
        count = sum(1 for _row in read_rows(data, "report.xlsx"))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert count == 60_000
    assert peak < 3 * MIB, peak


def test_every_string_is_read_right_however_often_the_cache_is_emptied():
    rows = read_rows(taobao_like(60_000), "report.xlsx")
    for i, (number, cells) in enumerate(rows):
        assert (number, cells) == (i + 1, [order_number(i), STATUSES[i % 2]])
    assert i == 59_999
