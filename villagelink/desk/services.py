"""What a service point's operator records at the desk: assisted online purchases and sales (orders, with the
matching assistance for a registered-poor household, in the same transaction), parcels, and reversals of
entries made by mistake."""

import datetime
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from villagelink.accounts.models import User
from villagelink.accounts.permissions import can_work_in_registry
from villagelink.assistance.models import AssistanceEvent, AssistanceKind
from villagelink.assistance.services import assistance_record, assistance_reverse
from villagelink.catalog.models import Category, Platform
from villagelink.core.dates import region_today
from villagelink.core.exceptions import ApplicationError, ErrorCode
from villagelink.core.scope import in_scope
from villagelink.network.models import ServiceSite
from villagelink.orders.models import Kind, Order, PurchaseCategory
from villagelink.orders.services import AssistedTrade, order_record_assisted, order_reverse
from villagelink.registry.models import Household, Organisation

from .models import Direction, EntryKey, Parcel

MAX_AMOUNT_FEN = 100_000_000  # one million yuan: anything larger is a typing mistake
MAX_PARCEL_COST_FEN = 1_000_000  # ten thousand yuan for one parcel's delivery


class DeskError(ApplicationError):
    pass


def _require(by: User, site: ServiceSite) -> None:
    if not (can_work_in_registry(by) and in_scope(by, site.unit.path)):
        raise DeskError(_("%(site)s lies outside your area.") % {"site": site}, code=ErrorCode.FORBIDDEN)
    if site.closed_on is not None:
        raise DeskError(_("%(site)s is closed.") % {"site": site})


def _check_party(site: ServiceSite, household: Household | None, organisation: Organisation | None) -> None:
    if household is not None and not household.village.path.startswith(site.unit.path):
        raise DeskError(_("%(site)s does not serve this household's village.") % {"site": site})
    if organisation is not None and not organisation.unit.path.startswith(site.unit.path[:6]):
        raise DeskError(_("%(site)s does not serve this organisation's county.") % {"site": site})


def _check_day(day: datetime.date) -> None:
    if day > region_today():
        raise DeskError(_("The date is in the future."))


def _check_amount(amount_fen: int, what: str) -> None:
    if not 0 < amount_fen <= MAX_AMOUNT_FEN:
        raise DeskError(_("The %(what)s must be more than 0 and at most 1,000,000 yuan.") % {"what": what})


def _begin(*, by: User, site: ServiceSite, day, household, organisation) -> datetime.date:
    """The checks every desk entry starts with; returns the entry's day (today unless given)."""
    _require(by, site)
    day = day or region_today()
    _check_day(day)
    _check_party(site, household, organisation)
    return day


# The help an assisted trade is for a household registered as poor that year.
ASSISTANCE_FOR = {Kind.PURCHASE: AssistanceKind.PURCHASE_ASSISTED, Kind.SALE: AssistanceKind.SALE_BROKERED}


def _record(*, by: User, site: ServiceSite, day, household, organisation, trade: AssistedTrade) -> Order:
    """The order, and for a household registered as poor that year its assistance event (same transaction)."""
    order = order_record_assisted(
        by=by, site=site, day=day, household=household, organisation=organisation, trade=trade
    )
    if household is not None and household.is_poor_in(day.year):
        assistance_record(
            by=by,
            household=household,
            kind=ASSISTANCE_FOR[trade.kind],
            day=day,
            site=site,
            amount_fen=trade.amount_fen,
            note=trade.description,
            order=order,
        )
    return order


@transaction.atomic
def assisted_purchase_record(
    *,
    by: User,
    site: ServiceSite,
    platform: str,
    description: str,
    category: str,
    amount_fen: int,
    service_fee_fen: int = 0,
    local_price_fen: int | None = None,
    household: Household | None = None,
    day: datetime.date | None = None,
) -> Order:
    """Goods bought online for a villager (or for the point, without one). For a household registered as poor
    that year, the help is also an assistance event, in the same transaction."""
    day = _begin(by=by, site=site, day=day, household=household, organisation=None)
    if platform not in Platform.values or platform == Platform.STOREFRONT:
        raise DeskError(_("Choose the platform the goods were bought on."))
    if category not in PurchaseCategory.values:
        raise DeskError(_("Choose what kind of goods were bought."))
    if not description.strip():
        raise DeskError(_("Say what was bought."))
    _check_amount(amount_fen, _("amount"))
    if service_fee_fen < 0 or (local_price_fen is not None and local_price_fen < 0):
        raise DeskError(_("A fee or a price cannot be negative."))
    trade = AssistedTrade(
        kind=Kind.PURCHASE,
        platform=platform,
        description=description.strip(),
        category=category,
        amount_fen=amount_fen,
        service_fee_fen=service_fee_fen,
        local_price_fen=local_price_fen,
    )
    return _record(by=by, site=site, day=day, household=household, organisation=None, trade=trade)


@transaction.atomic
def assisted_sale_record(
    *,
    by: User,
    site: ServiceSite,
    platform: str,
    description: str,
    category: str,
    quantity: int,
    amount_fen: int,
    household: Household | None = None,
    organisation: Organisation | None = None,
    day: datetime.date | None = None,
) -> Order:
    """A household's or cooperative's product sold online by the point. It is e-commerce income of the poor
    household(s), and for a poor household a brokered sale in the assistance ledger."""
    if household is not None and organisation is not None:
        raise DeskError(_("A sale is made for one household or for one cooperative or enterprise."))
    day = _begin(by=by, site=site, day=day, household=household, organisation=organisation)
    if platform not in Platform.values or platform == Platform.STOREFRONT:
        raise DeskError(_("Choose the platform the product was sold on."))
    if category not in Category.values:
        raise DeskError(_("Choose the product's category."))
    if not description.strip():
        raise DeskError(_("Say what was sold."))
    if not 1 <= quantity <= 100_000:
        raise DeskError(_("The quantity must be between 1 and 100,000."))
    _check_amount(amount_fen, _("amount"))
    trade = AssistedTrade(
        kind=Kind.SALE,
        platform=platform,
        description=description.strip(),
        category=category,
        amount_fen=amount_fen,
        quantity=quantity,
    )
    return _record(by=by, site=site, day=day, household=household, organisation=organisation, trade=trade)


@transaction.atomic
def assisted_trade_reverse(*, by: User, order: Order, reason: str) -> Order:
    """A mistaken entry is reversed, never deleted: the order is marked reversed and its assistance entry gets
    a reversal entry."""
    order = order_reverse(by=by, order=order, reason=reason)
    for event in AssistanceEvent.objects.filter(order=order, sign=1, reversal__isnull=True):
        assistance_reverse(by=by, event=event, reason=reason)
    return order


def _clean_tracking(carrier: str, tracking_number: str) -> tuple[str, str]:
    carrier, tracking_number = carrier.strip()[:60], tracking_number.strip()[:60]
    if not carrier or not tracking_number:
        raise DeskError(_("Give the carrier and the tracking number."))
    return carrier, tracking_number


def _save_parcel(parcel: Parcel) -> Parcel:
    try:
        with transaction.atomic():
            parcel.save()
    except IntegrityError as exc:
        raise DeskError(
            _("This parcel (%(carrier)s %(number)s) is already logged here.")
            % {"carrier": parcel.carrier, "number": parcel.tracking_number},
            code=ErrorCode.CONFLICT,
        ) from exc
    return parcel


@transaction.atomic
def parcel_log(
    *,
    by: User,
    site: ServiceSite,
    direction: str,
    carrier: str,
    tracking_number: str,
    household: Household | None = None,
    day: datetime.date | None = None,
    cost_fen: int | None = None,
) -> Parcel:
    """A parcel received at the point for a villager, or sent out for a seller, with what its delivery cost
    when known."""
    day = _begin(by=by, site=site, day=day, household=household, organisation=None)
    if direction not in Direction.values:
        raise DeskError(_("Say whether the parcel was received or sent."))
    carrier, tracking_number = _clean_tracking(carrier, tracking_number)
    if cost_fen is not None and not 0 <= cost_fen <= MAX_PARCEL_COST_FEN:
        raise DeskError(_("The delivery cost must be between 0 and 10,000 yuan."), field="cost")
    return _save_parcel(
        Parcel(
            site=site,
            direction=direction,
            household=household,
            carrier=carrier,
            tracking_number=tracking_number,
            cost_fen=cost_fen,
            day=day,
            recorded_by=by,
        )
    )


@transaction.atomic
def parcel_pick_up(*, by: User, parcel: Parcel, day: datetime.date | None = None) -> Parcel:
    parcel = Parcel.objects.select_for_update().select_related("site__unit").get(pk=parcel.pk)
    _require(by, parcel.site)
    day = day or region_today()
    _check_day(day)
    if parcel.direction != Direction.RECEIVED:
        raise DeskError(_("Only a parcel received for a villager is picked up."))
    if parcel.picked_up_on is not None:
        raise DeskError(
            _("This parcel was picked up on %(day)s.") % {"day": parcel.picked_up_on}, code=ErrorCode.CONFLICT
        )
    if day < parcel.day:
        raise DeskError(_("A parcel cannot be picked up before it arrived."))
    parcel.picked_up_on = day
    parcel.save(update_fields=["picked_up_on"])
    return parcel


def desk_entry_once(
    *, by: User, key: str, record: Callable[[], Order | Parcel]
) -> tuple[Order | Parcel, bool]:
    """Records an entry the phone gave a key to, once: (its record, whether it is new). The same key again
    (the phone sending again after an answer it never got) returns the first record and writes nothing."""
    if not key:
        return record(), True
    found = EntryKey.objects.filter(by=by, key=key).select_related("order", "parcel").first()
    if found is not None:
        return found.order or found.parcel, False  # type: ignore[return-value]
    try:
        with transaction.atomic():
            made = record()
            EntryKey.objects.create(
                by=by,
                key=key,
                order=made if isinstance(made, Order) else None,
                parcel=made if isinstance(made, Parcel) else None,
            )
    except IntegrityError:  # two sends of the same entry at once: the other one recorded it
        found = EntryKey.objects.filter(by=by, key=key).select_related("order", "parcel").first()
        if found is None:
            raise
        return found.order or found.parcel, False  # type: ignore[return-value]
    return made, True
