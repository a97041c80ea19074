import pytest

from villagelink.core.exceptions import ApplicationError
from villagelink.core.money import fen_to_yuan, yuan_to_fen


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("12.50", 1250),
        ("¥1,234.5", 123450),
        ("￥12", 1200),
        (" 0.005 ", 1),
        ("-3.10", -310),
        ("999999999999.99", 99999999999999),
    ],
)
def test_amounts_in_yuan_become_fen(text, fen):
    assert yuan_to_fen(text) == fen


@pytest.mark.parametrize(
    "text", ["forty", "", "NaN", "Infinity", "1e12", "-1.2867039614388993e+42", "1E+400"]
)
def test_anything_else_is_refused_with_a_message(text):
    with pytest.raises(ApplicationError) as caught:
        yuan_to_fen(text)
    assert "yuan" in caught.value.message


def test_fen_read_back_as_yuan():
    assert [fen_to_yuan(fen) for fen in (0, 5, 1250, -310)] == ["0.00", "0.05", "12.50", "-3.10"]
