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
