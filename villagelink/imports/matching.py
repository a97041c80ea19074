"""What a report's row becomes: our shop for it (by id or name, on the report's platform, in the
uploader's area), and our order status and refunded amount for its outcome."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from villagelink.accounts.models import User
from villagelink.catalog.models import Platform, Shop
from villagelink.core.scope import scoped
from villagelink.orders.models import Status

from . import parsing
from .models import Outcome


@dataclass
class Planned:
    row: parsing.ReportRow
    shop: Shop
    status: str
    refunded_fen: int


def _outcome(row: parsing.ReportRow) -> tuple[str, int]:
    """Our order status and refunded amount for a row."""
    total, refund = row.amount_fen, row.refund_fen
    if row.outcome == Outcome.REFUNDED:
        return Status.REFUNDED, refund or total
    if row.outcome == Outcome.CANCELLED:
        return (Status.REFUNDED, refund) if refund else (Status.CANCELLED, 0)
    if total and refund >= total:
        return Status.REFUNDED, total
    return (Status.COMPLETED if row.outcome == Outcome.COMPLETED else Status.PAID), refund


class _Matcher:
    """Finds our shop for a row: by its id, then its name, on the report's platform, in the uploader's area."""

    def __init__(self, by: User, platform: str, default_shop: Shop | None):
        self.platform = platform
        self.default_shop = default_shop
        self.keys: dict[str, Shop] = {}
        shops = list(
            Shop.objects.filter(platform=platform).select_related("unit", "household", "organisation")
        )
        for shop in sorted(shops, key=lambda shop: -shop.pk):  # the oldest shop of a name wins
            self.keys[shop.name.strip().lower()] = shop
        for shop in shops:
            if shop.external_id:
                self.keys[shop.external_id.strip().lower()] = shop
        self.in_scope = set(scoped(Shop.objects.filter(platform=platform), by).values_list("pk", flat=True))
        self.members: dict[int, list] = {}  # each organisation's households, for income (poor_beneficiaries)

    def shop(self, name: str) -> Shop:
        if not name:
            if self.default_shop is None:
                raise parsing.RowProblem(
                    _("the shop is missing: the report has no shop name; choose the shop")
                )
            return self.default_shop
        shop = self.keys.get(name.strip().lower())
        if shop is None:
            raise parsing.RowProblem(
                _("the shop “%(name)s” is not a known shop on %(platform)s")
                % {"name": name[:60], "platform": Platform(self.platform).label}
            )
        if shop.pk not in self.in_scope:
            raise parsing.RowProblem(_("the shop “%(name)s” lies outside your area") % {"name": name[:60]})
        return shop
