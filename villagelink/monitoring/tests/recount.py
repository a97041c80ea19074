"""The figures recomputed in plain Python from the records, each rule written out again, for the facts'
property test (`test_facts`)."""

from villagelink.assistance.models import AssistanceEvent, AssistanceKind, TrainingSession
from villagelink.catalog.categories import FARM_PRODUCTS
from villagelink.catalog.models import Shop
from villagelink.desk.models import Parcel
from villagelink.geo.models import AdminUnit
from villagelink.orders.models import Channel, Kind, Order, Status
from villagelink.registry.models import Household


def counted_from_records(path: str, start, end) -> dict[str, int]:
    """The trade indicators recomputed in plain Python from every order (the rule written out again)."""
    totals = {
        "online_sales": 0,
        "online_sales_orders": 0,
        "online_purchases": 0,
        "online_purchases_orders": 0,
        "farm_product_sales": 0,
    }
    for order in Order.objects.select_related("unit"):
        platform = order.channel == Channel.PLATFORM
        counts = not order.excluded and (
            order.status == Status.COMPLETED
            or (platform and order.status in (Status.PAID, Status.SHIPPED, Status.DELIVERED))
        )
        day = order.placed_on if platform else order.completed_on
        if counts and order.unit.path.startswith(path) and start <= day <= end:
            noun = "sales" if order.kind == Kind.SALE else "purchases"
            totals[f"online_{noun}"] += order.total_fen - order.refunded_fen
            totals[f"online_{noun}_orders"] += 1
            if order.kind == Kind.SALE and order.category in FARM_PRODUCTS:
                totals["farm_product_sales"] += order.total_fen - order.refunded_fen
    return totals


def programme_from_records(path: str, start, end, income_fen: int) -> dict:
    """The programme's indicators recomputed in plain Python from the records: the households registered poor
    at the end (and those of them with net help in the period), training, shops by owner, parcels."""
    year = end.year
    poor = [h for h in Household.objects.filter(village__path__startswith=path) if h.is_poor_in(year)]
    help_of = {h.pk: 0 for h in poor}
    training = 0
    for event in AssistanceEvent.objects.filter(village_path__startswith=path, day__gte=start, day__lte=end):
        if event.household_id in help_of:
            help_of[event.household_id] += event.sign
        training += event.sign if event.kind == AssistanceKind.TRAINING else 0
    shops = [s for s in Shop.objects.filter(unit__path__startswith=path) if s.is_open_on(end)]
    parcels = list(Parcel.objects.filter(site__unit__path__startswith=path))
    dated = [p for p in parcels if start <= p.day <= end]
    costs = [p.cost_fen for p in dated if p.cost_fen is not None]
    waits = [
        (p.picked_up_on - p.day).days for p in parcels if p.picked_up_on and start <= p.picked_up_on <= end
    ]
    assisted = sum(1 for net in help_of.values() if net > 0)
    villages = [
        v for v in AdminUnit.objects.filter(path__startswith=path, level="village") if v.is_poor_in(year)
    ]
    points = [v for v in villages if any(s.is_open_on(end) for s in v.sites.filter(kind="village_point"))]
    return {
        "poor_villages": len(villages),
        "poor_village_coverage": len(points) / len(villages) if villages else None,
        "poor_households": len(poor),
        "poor_households_assisted": assisted,
        "poor_households_assisted_share": assisted / len(poor) if poor else None,
        "income_per_poor_household": round(income_fen / len(poor)) if poor else None,
        "training_sessions": TrainingSession.objects.filter(
            site__unit__path__startswith=path, day__gte=start, day__lte=end
        ).count(),
        "training_person_times": training,
        "household_shops": sum(1 for s in shops if s.household_id),
        "cooperative_shops": sum(1 for s in shops if s.organisation and s.organisation.kind == "cooperative"),
        "enterprise_shops": sum(1 for s in shops if s.organisation and s.organisation.kind == "enterprise"),
        "parcels": len(dated),
        "parcel_cost": round(sum(costs) / len(costs)) if costs else None,
        "pickup_days": sum(waits) / len(waits) if waits else None,
    }
