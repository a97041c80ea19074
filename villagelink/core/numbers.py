"""Numbers as the reader's language writes them, with thousands separators in every language (Django's own
formats leave Chinese ungrouped): French groups with a narrow no-break space and writes a decimal comma."""

from django.utils.translation import get_language

# (thousands separator, decimal mark) where they differ from "," and ".".
SEPARATORS = {"fr": ("\u202f", ",")}


def grouped(number: int, cents: int | None = None) -> str:
    """1234567 -> "1,234,567"; with `cents` (0–99): "1,234,567.89" (French: "1 234 567,89")."""
    thousands, decimal = SEPARATORS.get((get_language() or "en")[:2], (",", "."))
    sign = "-" if number < 0 else ""
    text = f"{abs(number):,}".replace(",", thousands)
    return f"{sign}{text}" if cents is None else f"{sign}{text}{decimal}{cents:02d}"


def yuan_text(fen: int) -> str:
    """An amount of fen as yuan, grouped: 183654770 -> "1,836,547.70"."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(int(fen)), 100)
    return sign + grouped(whole, cents)
