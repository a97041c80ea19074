from django import template

from villagelink.core.money import fen_to_yuan

register = template.Library()


@register.filter
def yuan(fen: int | None) -> str:
    """{{ product.price_fen|yuan }} -> "68.00"; nothing for no amount."""
    return "" if fen is None or fen == "" else fen_to_yuan(fen)
