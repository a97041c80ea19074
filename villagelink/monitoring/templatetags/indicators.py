from django import template
from django.utils.formats import number_format

from villagelink.core.numbers import grouped, yuan_scaled, yuan_text
from villagelink.monitoring.indicators import Measure

register = template.Library()


@register.filter
def figure(value, indicator) -> str:
    """An indicator's value as people read it: yuan with separators, a percentage, days with one decimal, or a
    count."""
    if value is None:
        return "—"
    if indicator.measure == Measure.YUAN:
        return yuan_text(value)
    if indicator.measure == Measure.SHARE:
        return f"{number_format(round(value * 100, 1), 1)}%"  # 55.2% in English, 55,2% in French
    if indicator.measure == Measure.DAYS:
        return number_format(round(value, 1), 1)
    return grouped(int(value))


@register.filter
def figure_scaled(value, indicator) -> str:
    """A large amount of money in the words officials use (2.61亿元, ¥260.57 million); "" when the amount is
    small or not money (the exact figure is shown instead)."""
    if value is None or indicator.measure != Measure.YUAN:
        return ""
    return yuan_scaled(value)


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
