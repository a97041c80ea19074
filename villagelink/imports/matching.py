"""What a report's row becomes: our shop for it (by id or name, on the report's platform, in the
uploader's area), and our order status and refunded amount for its outcome."""

from dataclasses import dataclass

from villagelink.accounts.models import User
from villagelink.catalog.models import Shop
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
    return _STATUSES[row.outcome], refund


_STATUSES: dict[str, str] = {
    Outcome.PLACED: Status.PLACED,
    Outcome.PAID: Status.PAID,
    Outcome.SHIPPED: Status.SHIPPED,
    Outcome.COMPLETED: Status.COMPLETED,
}


class _Matcher:
    """Finds our shop for a row: by its id on the platform, then its name, among the shops of the report's
    platform in the uploader's area only — a shop of another area is never matched, nor named in a refusal.
    A name that two shops of the area share matches neither: the row must give the shop's id."""

    def __init__(self, by: User, platform: str, default_shop: Shop | None):
        self.platform = platform
        self.default_shop = default_shop
        shops = list(
            scoped(Shop.objects.filter(platform=platform), by).select_related(
                "unit", "household", "organisation"
            )
        )
        self.in_scope = {shop.pk for shop in shops}
        by_name: dict[str, list[Shop]] = {}
        for shop in shops:
            by_name.setdefault(shop.name.strip().lower(), []).append(shop)
        self.ambiguous = {name for name, named in by_name.items() if len(named) > 1}
        self.keys: dict[str, Shop] = {name: named[0] for name, named in by_name.items() if len(named) == 1}
        for shop in shops:
            if shop.external_id:
                self.keys[shop.external_id.strip().lower()] = shop
        self.members: dict[int, list] = {}  # each organisation's households, for income (poor_beneficiaries)

    def shop(self, name: str) -> Shop:
        if not name:
            if self.default_shop is None:
                raise parsing.RowProblem("shop_missing")
            return self.default_shop
        key = name.strip().lower()
        shop = self.keys.get(key)
        if shop is None and key in self.ambiguous:
            raise parsing.RowProblem("shop_ambiguous", name=name[:60], platform=f"platform:{self.platform}")
        if shop is None:
            raise parsing.RowProblem("shop_unmatched", name=name[:60], platform=f"platform:{self.platform}")
        return shop
