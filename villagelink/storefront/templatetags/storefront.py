from django import template

from villagelink.catalog.media import WIDTHS
from villagelink.storefront import cart

register = template.Library()


@register.simple_tag
def cart_count(session) -> int:
    return cart.count(session)


@register.simple_tag
def photo_srcset(photo) -> str:
    """`srcset` candidates for a product photo: each served width no wider than the stored photo."""
    from django.urls import reverse

    widths = [w for w in WIDTHS if w <= max(photo.width, WIDTHS[0])] or [WIDTHS[0]]
    return ", ".join(f"{reverse('product_photo_sized', args=[photo.pk, w])} {w}w" for w in widths)
