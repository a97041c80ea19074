"""The short cuts for the most common forms of amounts and moments read them exactly as the general rules do."""

import contextlib
import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from villagelink.core.exceptions import ApplicationError
from villagelink.core.money import yuan_to_fen
from villagelink.imports import parsing
from villagelink.imports.vocabulary import Vocabulary

ZONE = ZoneInfo("Asia/Shanghai")


@given(st.from_regex(r"\A[0-9]{1,13}(\.[0-9]{0,3})?\Z") | st.text(max_size=16))
def test_a_plain_amount_is_read_as_the_general_rule_reads_it(text):
    fen = parsing._plain_fen(text)
    if fen is not None:
        assert fen == yuan_to_fen(text)
    else:  # anything the short cut leaves is read by the general rule, or refused there
        with contextlib.suppress(ApplicationError):
            yuan_to_fen(text)


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("12.5", 1250),
        ("0.05", 5),
        ("1234", 123400),
        ("12.345", 1235),
        ("¥1,234.50", 123450),
        ("12.5元", 1250),
        ("1.2.3", None),
    ],
)
def test_amounts_in_their_common_forms(text, fen):
    if fen is None:
        with pytest.raises(parsing.RowProblem):
            parsing.money(text, parsing.AMOUNT)
    else:
        assert parsing.money(text, parsing.AMOUNT) == fen


@given(st.datetimes(min_value=datetime.datetime(1990, 1, 1), max_value=datetime.datetime(2099, 12, 31)))  # noqa: DTZ001 - naive, as a report writes them
def test_a_moment_in_the_usual_form_is_read_as_the_general_pattern_reads_it(when):
    text = when.strftime("%Y-%m-%d %H:%M:%S")
    parts = [int(p) if p else 0 for p in parsing._DATE.fullmatch(text).groups()]
    assert parsing.moment(text, parsing.ORDER_DATE, ZONE) == datetime.datetime(*parts, tzinfo=ZONE)


@pytest.mark.parametrize(
    ("text", "read"),
    [
        ("2019-06-01 12:30:00", datetime.datetime(2019, 6, 1, 12, 30, tzinfo=ZONE)),
        ("2019-06-01 12：30：00", datetime.datetime(2019, 6, 1, 12, 30, tzinfo=ZONE)),  # full-width colons
        ("2019/6/2 8:05", datetime.datetime(2019, 6, 2, 8, 5, tzinfo=ZONE)),
        ("2019-06-01 24:00:00", None),
        ("2019-06-01 12:30+08", None),  # an offset is not a form the platforms write
    ],
)
def test_moments_in_their_common_forms(text, read):
    if read is None:
        with pytest.raises(parsing.RowProblem):
            parsing.moment(text, parsing.ORDER_DATE, ZONE)
    else:
        assert parsing.moment(text, parsing.ORDER_DATE, ZONE) == read


# A row's cells: each column in its usual form, in the other forms the general rules read, or in a form they
# refuse; numbers and dates as a workbook gives them; rows that stop short.
NUMBERS = st.from_regex(r"\A[0-9A-Za-z_-]{1,70}\Z") | st.sampled_from(
    ['="1234567890"', "'123", "1.2E+17", "", " 12 "]
)
AMOUNTS = (
    st.from_regex(r"\A[0-9]{1,12}(\.[0-9]{0,3})?\Z")
    | st.sampled_from(["¥1,234.50", "-5", "", "12.5元", "abc", None])
    | st.floats(min_value=-1, max_value=1e6, allow_nan=False)
    | st.integers(min_value=0, max_value=10**6)
)
MOMENTS = (
    st.datetimes(min_value=datetime.datetime(2015, 1, 1), max_value=datetime.datetime(2020, 12, 31)).map(  # noqa: DTZ001 - naive, as a report writes them
        lambda when: when.strftime("%Y-%m-%d %H:%M:%S")
    )
    | st.sampled_from(["", "2019/6/2 8:05", "2019-06-01 24:00:00", "20190601", "43600", "soon", None])
    | st.datetimes(min_value=datetime.datetime(2015, 1, 1), max_value=datetime.datetime(2020, 12, 31))  # noqa: DTZ001
)
STATUSES = st.sampled_from(
    ["交易成功", "已签收", "交易关闭", "等待买家付款", "卖家已发货", "", "made up", None, 1, True]
)
AFTER_SALES = st.sampled_from(["", "退款成功", "无售后", "退款中", "unknown", None])
QUANTITIES = st.sampled_from(["1", "3", "999999", "1000000", "0", "", "two", "0003", None, 2])
CELLS = st.tuples(
    NUMBERS,
    AMOUNTS,
    AMOUNTS,
    STATUSES,
    AFTER_SALES,
    MOMENTS,
    MOMENTS,
    st.text(max_size=5),
    QUANTITIES,
    st.sampled_from(["", "Shop A", " 店 "]),
    st.sampled_from(["", "buyer-1", " Buyer 1 "]),
)
IN_ORDER = ("external_id", "amount", "refund", "status", "after_sale", "placed_at", "completed_at", "title")
IN_ORDER += ("quantity", "shop", "buyer")
REPORT_ROWS = st.lists(st.tuples(CELLS, st.integers(min_value=1, max_value=11)), max_size=30)


@given(REPORT_ROWS, st.booleans())
def test_a_chunk_read_a_column_at_a_time_is_read_as_row_by_row(rows, with_status):
    fields = [field for field in IN_ORDER if with_status or field != "status"]
    layout = parsing.Layout(
        "taobao", "Taobao", {field: i for i, field in enumerate(fields)}, Vocabulary("taobao"), 1
    )
    numbered = []
    for number, (cells, width) in enumerate(rows, start=2):
        cells = [cell for field, cell in zip(IN_ORDER, cells, strict=True) if field in fields]
        numbered.append((number, cells[:width]))

    def one_by_one(number, cells):
        try:
            return parsing.parse_row(number, cells, layout)
        except parsing.RowProblem as problem:
            return problem.reason

    read = parsing.parse_rows(numbered, layout)
    together = [r.reason if isinstance(r, parsing.RowProblem) else r for r in read]
    assert together == [one_by_one(number, cells) for number, cells in numbered]
    # A refused row's problem is kept without its traceback, whose frames would hold the chunk in a cycle.
    assert all(r.__traceback__ is None for r in read if isinstance(r, parsing.RowProblem))


@given(st.from_regex(r"\A[0-9]{1,11}(\.[0-9]{1,2})?\Z"))
def test_a_plain_amount_read_a_column_at_a_time_is_its_exact_fen(text):
    assert parsing._amounts([text], parsing.AMOUNT) == [yuan_to_fen(text)]
