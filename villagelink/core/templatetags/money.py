from django import template

from villagelink.core.numbers import yuan_text

register = template.Library()


@register.filter
def yuan(fen: int | None) -> str:
    """{{ 183654770|yuan }} -> "1,836,547.70": yuan grouped as the reader's language writes numbers
    (core.numbers); nothing for no amount. (Forms and the API take and give "1836547.70".)"""
    if fen is None or fen == "":
        return ""
    return yuan_text(fen)


yuan_grouped = register.filter("yuan_grouped", yuan)


@register.filter
def sub(value: int | None, other: int | None) -> int | None:
    """{{ a|sub:b }}: a − b (for a saving: the local price less what was paid)."""
    if value is None or other is None:
        return None
    return int(value) - int(other)
