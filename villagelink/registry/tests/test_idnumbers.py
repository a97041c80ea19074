import pytest

from villagelink.registry.idnumbers import InvalidIdNumber, check_digit, mask, mask_phone, normalise

VALID = "540221199001011234"[:17]
VALID = VALID + check_digit(VALID)


def test_a_valid_number_is_normalised():
    assert normalise(f" {VALID[:6]} {VALID[6:]} ") == VALID


def test_the_check_digit_follows_gb_11643():
    # the standard's own example: 11010519491231002X
    assert check_digit("11010519491231002") == "X"
    assert normalise("11010519491231002x") == "11010519491231002X"


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("54022119900101123", "has 18 characters; this one has 17"),
        ("5402211990010112A4", "17 digits followed by a digit or X"),
        ("540221199002301234", "not a real date"),
        ("540221180001011234", "out of range"),
        (VALID[:17] + str((int(VALID[17]) + 1) % 10 if VALID[17] != "X" else 0), "check digit"),
    ],
)
def test_invalid_numbers_are_explained_without_repeating_them(number, reason):
    with pytest.raises(InvalidIdNumber, match=reason) as refused:
        normalise(number)
    assert number not in str(refused.value)


def test_masks_hide_the_middle():
    assert mask("540221199001011234") == "5402**********1234"
    assert mask_phone("13912345678") == "139****5678"
