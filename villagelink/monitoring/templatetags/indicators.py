from django import template
from django.utils.translation import get_language

from villagelink.core.numbers import grouped, yuan_text
from villagelink.monitoring.indicators import Measure

register = template.Library()


@register.filter
def figure(value, indicator) -> str:
    """An indicator's value as people read it: yuan with separators, a percentage, or a count."""
    if value is None:
        return "—"
    if indicator.measure == Measure.YUAN:
        return yuan_text(value)
    if indicator.measure == Measure.SHARE:
        return f"{value * 100:.1f}%"
    return grouped(int(value))


# How officials write large amounts in each language: the scale words and where they start (yuan). Chinese and
# Tibetan count in ten-thousands (万 / ཁྲི) and hundred-millions (亿 / དུང་ཕྱུར), English and French in millions.
SCALES = {
    "zh": [(10**8, "{n}亿元"), (10**4, "{n}万元")],
    "bo": [(10**8, "སྒོར་དུང་ཕྱུར་{n}"), (10**4, "སྒོར་ཁྲི་{n}")],
    "en": [(10**9, "¥{n} billion"), (10**6, "¥{n} million")],
    "fr": [(10**9, "{n} milliards de ¥"), (10**6, "{n} millions de ¥")],
}


@register.filter
def figure_scaled(value, indicator) -> str:
    """A large amount of money in the words officials use (2.61亿元, ¥260.57 million); "" when the amount is
    small or not money (the exact figure is shown instead)."""
    if value is None or indicator.measure != Measure.YUAN:
        return ""
    language = (get_language() or "en").lower()
    scales = SCALES.get(language[:2], SCALES["en"])
    yuan = value / 100
    for start, words in scales:
        if abs(yuan) >= start:
            hundredths = round(abs(yuan) * 100 / start)
            sign = "-" if yuan < 0 else ""
            return words.format(n=sign + grouped(hundredths // 100, hundredths % 100))
    return ""


@register.filter
def value_of(values: dict, name: str):
    return values[name]


@register.filter
def get(values: dict, key):
    """`values[key]`, or None where there is no such key."""
    return values.get(key)


@register.filter
def percent(value) -> str:
    """A fraction as a percentage with one decimal ("—" for None)."""
    if value is None:
        return "—"
    return f"{value * 100:.1f}%"
