from django import template
from django.contrib.humanize.templatetags.humanize import intcomma

from villagelink.core.money import fen_to_yuan
from villagelink.monitoring.indicators import Measure

register = template.Library()


@register.filter
def figure(value, indicator) -> str:
    """An indicator's value as people read it: yuan with separators, a percentage, or a count."""
    if value is None:
        return "—"
    if indicator.measure == Measure.YUAN:
        whole, cents = fen_to_yuan(value).split(".")
        return f"{intcomma(int(whole))}.{cents}"
    if indicator.measure == Measure.SHARE:
        return f"{value * 100:.1f}%"
    return intcomma(value)


@register.filter
def value_of(values: dict, name: str):
    return values[name]
