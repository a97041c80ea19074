"""What a shop charges to send an order, and when it should arrive.

A shop sets a usual fee, a fee for some provinces instead of it (the far ones, or its own region free), an
amount above which the goods go free everywhere, and the days it takes to hand an order to the carrier. The
buyer names the province the goods go to (the 31 mainland provincial divisions, by their GB/T 2260 code); the
window is that many days after the order plus the carrier's usual days from the region to that province.
"""

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

# The mainland provincial divisions by their GB/T 2260 code: where the storefront delivers.
PROVINCES = (
    ("11", _("Beijing")),
    ("12", _("Tianjin")),
    ("13", _("Hebei")),
    ("14", _("Shanxi")),
    ("15", _("Inner Mongolia")),
    ("21", _("Liaoning")),
    ("22", _("Jilin")),
    ("23", _("Heilongjiang")),
    ("31", _("Shanghai")),
    ("32", _("Jiangsu")),
    ("33", _("Zhejiang")),
    ("34", _("Anhui")),
    ("35", _("Fujian")),
    ("36", _("Jiangxi")),
    ("37", _("Shandong")),
    ("41", _("Henan")),
    ("42", _("Hubei")),
    ("43", _("Hunan")),
    ("44", _("Guangdong")),
    ("45", _("Guangxi")),
    ("46", _("Hainan")),
    ("50", _("Chongqing")),
    ("51", _("Sichuan")),
    ("52", _("Guizhou")),
    ("53", _("Yunnan")),
    ("54", _("Tibet")),
    ("61", _("Shaanxi")),
    ("62", _("Gansu")),
    ("63", _("Qinghai")),
    ("64", _("Ningxia")),
    ("65", _("Xinjiang")),
)
PROVINCE_NAMES = dict(PROVINCES)

# The carrier's usual days, after hand-over, from the reference region (Tibet) to each province: within the
# region; its neighbours along the Qinghai–Tibet and Sichuan–Tibet roads; most of the country; the far
# north-east, Inner Mongolia, Xinjiang (by way of Qinghai) and Hainan (over the sea).
TRANSIT_DAYS = {
    **dict.fromkeys(PROVINCE_NAMES, (4, 7)),
    "54": (1, 3),
    **dict.fromkeys(("50", "51", "53", "61", "62", "63", "64"), (3, 5)),
    **dict.fromkeys(("15", "21", "22", "23", "46", "65"), (5, 8)),
}
# A province not said (an order placed before provinces were asked for): the farthest.
FARTHEST = (5, 8)

MAX_FEE_FEN = 100_000  # ¥1,000: more is a mistyped amount
MAX_DISPATCH_DAYS = 30


@dataclass(frozen=True)
class Shipping:
    """What one shop-order of a cart costs to send to a province, and when it should arrive."""

    fee_fen: int
    earliest: datetime.date
    latest: datetime.date
    # how much more of the shop's goods would send it free ("" when it is free already, or never is)
    free_from_fen: int | None


def shipping_for(shop, *, goods_fen: int, province: str, day: datetime.date) -> Shipping:
    """The fee and the delivery window of goods worth `goods_fen` from `shop`, ordered on `day`, to `province`
    ("" when not said: the usual fee, and the farthest window)."""
    threshold = shop.free_shipping_over_fen
    fee = shop.province_fees.get(province, shop.shipping_fee_fen) if province else shop.shipping_fee_fen
    free = threshold is not None and goods_fen >= threshold
    low, high = TRANSIT_DAYS.get(province, FARTHEST)
    dispatched = day + datetime.timedelta(days=shop.dispatch_days)
    return Shipping(
        fee_fen=0 if free else fee,
        earliest=dispatched + datetime.timedelta(days=low),
        latest=dispatched + datetime.timedelta(days=high),
        free_from_fen=threshold if threshold is not None and not free and fee > 0 else None,
    )
