"""Resident identity numbers (GB 11643-1999): checking, normalising, masking."""

import datetime

from django.utils.translation import gettext as _

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"


class InvalidIdNumber(ValueError):
    """The message says what is wrong, without repeating the number (it must not reach logs or pages)."""


def check_digit(first17: str) -> str:
    return CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def normalise(raw: str) -> str:
    """The number as stored: no spaces, an upper-case X. Raises InvalidIdNumber when it is not valid."""
    number = "".join(str(raw).split()).upper()
    if len(number) != 18:
        raise InvalidIdNumber(
            _("A resident ID number has 18 characters; this one has %(n)d.") % {"n": len(number)}
        )
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise InvalidIdNumber(_("A resident ID number is 17 digits followed by a digit or X."))
    try:
        born = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError as exc:
        raise InvalidIdNumber(
            _("The birth date inside the ID number (characters 7–14) is not a real date.")
        ) from exc
    if not datetime.date(1900, 1, 1) <= born <= datetime.date.today():  # noqa: DTZ011  (a birth date)
        raise InvalidIdNumber(_("The birth date inside the ID number (characters 7–14) is out of range."))
    if check_digit(number[:17]) != number[17]:
        raise InvalidIdNumber(
            _("The last character of the ID number does not match its check digit; check for a typing error.")
        )
    return number


def sex_and_birth_year(number: str) -> tuple[str, int]:
    """What a valid number says of its holder: "f" or "m" (the 17th digit, odd for men) and the year of birth."""
    return ("m" if int(number[16]) % 2 else "f"), int(number[6:10])


def mask(number: str) -> str:
    """`5402**********1234`: the first four and last four characters, the rest hidden."""
    return f"{number[:4]}{'*' * 10}{number[-4:]}"


def mask_phone(phone: str) -> str:
    digits = phone.strip()
    return f"{digits[:3]}****{digits[-4:]}" if len(digits) >= 7 else "****"
