from django import template

from villagelink.core.money import fen_to_yuan

register = template.Library()


@register.filter
def yuan(fen: int | None) -> str:
    """{{ product.price_fen|yuan }} -> "68.00"; nothing for no amount."""
    return "" if fen is None or fen == "" else fen_to_yuan(fen)


@register.filter
def yuan_grouped(fen: int | None) -> str:
    """{{ 183654770|yuan_grouped }} -> "1,836,547.70": with thousands separators, for figures people read."""
    if fen is None or fen == "":
        return ""
    whole, cents = fen_to_yuan(fen).split(".")
    return f"{int(whole):,}.{cents}" if not whole.startswith("-") else f"-{int(whole[1:]):,}.{cents}"


@register.filter
def sub(value: int | None, other: int | None) -> int | None:
    """{{ a|sub:b }}: a − b (for a saving: the local price less what was paid)."""
    if value is None or other is None:
        return None
    return int(value) - int(other)
