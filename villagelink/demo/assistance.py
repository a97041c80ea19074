"""The demo's assistance ledger, generated the same way every time.

Over the demo period (2015-01-01 to 2019-06-30) the region's net count of acts of assistance is 36,666, the
published figure: the shop set-ups recorded with the shops, training sessions at the stations and centres
(one event per attending household), and help of the other kinds at the nearest open site; a few entries
are reversed (each reversal nets its original out), and some help is given after the period ends.
"""

import datetime
import random
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Sum

from villagelink.assistance.models import AssistanceEvent, AssistanceKind, TrainingSession
from villagelink.core.paths import subtree_q
from villagelink.geo.models import AdminUnit
from villagelink.network.models import ServiceSite, SiteKind
from villagelink.registry.models import Household

TARGET = 36_666
START, END = datetime.date(2015, 1, 1), datetime.date(2019, 6, 30)
AFTER_END = datetime.date(2019, 12, 31)
SESSIONS = 420
REVERSALS = 57
LATER_EVENTS = 900
OTHER_KINDS = [
    (AssistanceKind.PRODUCT_LISTING, 18),
    (AssistanceKind.SALE_BROKERED, 22),
    (AssistanceKind.PURCHASE_ASSISTED, 20),
    (AssistanceKind.LOGISTICS, 18),
    (AssistanceKind.EMPLOYMENT, 8),
    (AssistanceKind.DIVIDEND, 9),
    (AssistanceKind.OTHER, 5),
]
TOPICS = [
    "网店运营基础",
    "农产品拍照与上架",
    "电商物流与包装",
    "直播带货入门",
    "品牌与质量安全",
    "Shop basics on a phone",
]


@dataclass(frozen=True)
class AssistanceDemoResult:
    events: int
    net_in_period: int
    sessions: int


def _day(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=rng.randrange(max((end - start).days, 0) + 1))


def _net_in_period(region: AdminUnit) -> int:
    events = AssistanceEvent.objects.filter(
        subtree_q("household__village__path", region.path), day__range=(START, END)
    )
    return events.aggregate(n=Sum("sign"))["n"] or 0


@transaction.atomic
def build_assistance_demo(*, region: AdminUnit, recorded_by=None) -> AssistanceDemoResult:
    """Fills the ledger under `region` up to the published count (after the shops' set-up events)."""
    if (
        AssistanceEvent.objects.filter(subtree_q("household__village__path", region.path))
        .exclude(kind=AssistanceKind.SHOP_SETUP)
        .exists()
    ):
        return AssistanceDemoResult(0, _net_in_period(region), 0)
    rng = random.Random(20180808)
    poor = list(
        Household.objects.filter(subtree_q("village__path", region.path), registered_poor_in__isnull=False)
        .select_related("village")
        .order_by("pk")
    )
    sites = list(ServiceSite.objects.filter(subtree_q("unit__path", region.path)).select_related("unit"))
    by_path: dict[str, list[ServiceSite]] = {}
    for site in sites:
        by_path.setdefault(site.unit.path, []).append(site)

    def first_day(household: Household) -> datetime.date:
        return max(START, datetime.date(household.registered_poor_in, 1, 1))

    def nearest_site(path: str, day: datetime.date) -> ServiceSite | None:
        for width in (12, 9, 6):
            for site in by_path.get(path[:width], []):
                if site.is_open_on(day):
                    return site
        return None

    needed = TARGET - _net_in_period(region)
    events: list[AssistanceEvent] = []

    # training sessions at stations and centres, one event per attending poor household of the area
    trainers = [s for s in sites if s.kind != SiteKind.VILLAGE_POINT and s.offers_training]
    poor_under: dict[str, list[Household]] = {}
    for household in poor:
        for width in (9, 6):
            poor_under.setdefault(household.village.path[:width], []).append(household)
    sessions = []
    for _ in range(SESSIONS):
        site = rng.choice(trainers)
        day = _day(rng, max(site.opened_on, START), END)
        pool = [h for h in poor_under.get(site.unit.path, []) if first_day(h) <= day]
        if len(pool) < 5:
            continue
        session = TrainingSession(site=site, day=day, topic=rng.choice(TOPICS), recorded_by=recorded_by)
        sessions.append((session, rng.sample(pool, min(len(pool), rng.randint(12, 45)))))
    TrainingSession.objects.bulk_create([s for s, _ in sessions])
    for session, attendees in sessions:
        if len(events) + len(attendees) > needed * 0.45:
            break
        events += [
            AssistanceEvent(
                household=h,
                kind=AssistanceKind.TRAINING,
                day=session.day,
                site=session.site,
                training=session,
                note=session.topic,
                recorded_by=recorded_by,
            )
            for h in attendees
        ]

    # help of the other kinds, at the nearest open site, until the period's count is reached
    kinds, weights = [k for k, _w in OTHER_KINDS], [w for _k, w in OTHER_KINDS]
    while len(events) < needed + REVERSALS:
        household = rng.choice(poor)
        day = _day(rng, first_day(household), END)
        kind = rng.choices(kinds, weights=weights)[0]
        amount = (
            rng.randint(20, 3000) * 100
            if kind in (AssistanceKind.DIVIDEND, AssistanceKind.EMPLOYMENT)
            else None
        )
        events.append(
            AssistanceEvent(
                household=household,
                kind=kind,
                day=day,
                site=nearest_site(household.village.path, day),
                amount_fen=amount,
                recorded_by=recorded_by,
            )
        )
    for _ in range(LATER_EVENTS):  # help after the period: counted in later periods only
        household = rng.choice(poor)
        events.append(
            AssistanceEvent(
                household=household,
                kind=rng.choices(kinds, weights=weights)[0],
                day=_day(rng, END + datetime.timedelta(days=1), AFTER_END),
                recorded_by=recorded_by,
            )
        )
    AssistanceEvent.objects.bulk_create(events, batch_size=2000)

    # a few mistakes, corrected the only way the ledger allows: by reversal entries
    mistakes = rng.sample(
        [e for e in events if e.kind != AssistanceKind.TRAINING and e.day <= END], REVERSALS
    )
    AssistanceEvent.objects.bulk_create(
        [
            AssistanceEvent(
                household=e.household,
                kind=e.kind,
                day=e.day,
                site=e.site,
                amount_fen=e.amount_fen,
                reverses=e,
                sign=-1,
                note="Entered twice",
                recorded_by=recorded_by,
            )
            for e in mistakes
        ]
    )
    return AssistanceDemoResult(
        events=len(events) + REVERSALS, net_in_period=_net_in_period(region), sessions=len(sessions)
    )
