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


# How officials write large amounts in each language: the scale words and where they start (yuan). Chinese and
# Tibetan count in ten-thousands (万 / ཁྲི) and hundred-millions (亿 / དུང་ཕྱུར), English and French in millions.
SCALES = {
    "zh": [(10**8, "{n}亿元"), (10**4, "{n}万元")],
    "bo": [(10**8, "སྒོར་དུང་ཕྱུར་{n}"), (10**4, "སྒོར་ཁྲི་{n}")],
    "en": [(10**9, "¥{n} billion"), (10**6, "¥{n} million")],
    "fr": [(10**9, "{n} milliards de ¥"), (10**6, "{n} millions de ¥")],
}


def yuan_scaled(fen: int) -> str:
    """A large amount in the words officials use (2.61亿元, ¥260.57 million); "" when it is too small for them
    (the exact figure is read instead)."""
    language = (get_language() or "en").lower()
    yuan = fen / 100
    for start, words in SCALES.get(language[:2], SCALES["en"]):
        if abs(yuan) >= start:
            hundredths = round(abs(yuan) * 100 / start)
            sign = "-" if yuan < 0 else ""
            return words.format(n=sign + grouped(hundredths // 100, hundredths % 100))
    return ""
