"""The demo's households, cooperatives and enterprises, generated the same way every time.

Households live in the villages that have a service point (and a few elsewhere); about two in five were
registered as poor in 2014–2016 and most of those exited by 2019. Names are synthetic Tibetan names; ID
numbers are synthetic but valid (county code, a birth date, a serial, the GB 11643 check digit), and unique.
"""

import random
from dataclasses import dataclass

from django.db import transaction

from villagelink.core.crypto import encrypt, keyed_hash
from villagelink.core.paths import subtree_q
from villagelink.geo.models import AdminUnit, Level
from villagelink.network.models import ServiceSite, SiteKind
from villagelink.registry.idnumbers import check_digit, mask, mask_phone, sex_and_birth_year
from villagelink.registry.models import Household, LinkKind, Organisation, OrganisationKind, OrganisationLink
from villagelink.registry.signals import households_created

GIVEN = [
    ("Tashi", "扎西"),
    ("Dorje", "多吉"),
    ("Pema", "白玛"),
    ("Tsering", "次仁"),
    ("Drolma", "卓玛"),
    ("Lhamo", "拉姆"),
    ("Namgyal", "朗杰"),
    ("Kelsang", "格桑"),
    ("Phuntsok", "平措"),
    ("Dawa", "达瓦"),
    ("Nyima", "尼玛"),
    ("Pasang", "巴桑"),
    ("Penba", "边巴"),
    ("Migmar", "米玛"),
    ("Lhakpa", "拉巴"),
    ("Tenzin", "丹增"),
    ("Sonam", "索朗"),
    ("Dekyi", "德吉"),
    ("Yangzom", "央宗"),
    ("Chodron", "曲珍"),
]
HOUSEHOLDS_PER_POINT_VILLAGE = (14, 30)
HOUSEHOLDS_PER_OTHER_VILLAGE = (0, 4)


@dataclass(frozen=True)
class RegistryDemoResult:
    households: int
    poor: int
    organisations: int


def _id_number(rng: random.Random, county_code: str, used: set[str]) -> str:
    while True:
        born = f"{rng.randint(1950, 1998)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
        first17 = f"{county_code}{born}{rng.randint(0, 999):03d}"
        number = first17 + check_digit(first17)
        if number not in used:
            used.add(number)
            return number


def _household(rng: random.Random, village: AdminUnit, used: set[str]) -> Household:
    (en1, zh1), (en2, zh2) = rng.sample(GIVEN, 2)
    number = _id_number(rng, village.code[:6], used)
    phone = f"1{rng.choice('3578')}{rng.randint(0, 999_999_999):09d}" if rng.random() < 0.7 else ""
    poor = rng.random() < 0.42
    registered = rng.choice((2014, 2014, 2015, 2016)) if poor else None
    exited = None
    if poor and rng.random() < 0.8:
        exited = rng.randint(max(registered + 1, 2016), 2019)
    return Household(
        village=village,
        head_name=f"{zh1}{zh2}",
        id_number_encrypted=encrypt(number),
        id_number_hash=keyed_hash(number),
        id_number_masked=mask(number),
        id_last4=number[-4:],
        head_sex=sex_and_birth_year(number)[0],
        head_born_in=sex_and_birth_year(number)[1],
        members=rng.randint(2, 8),
        phone_encrypted=encrypt(phone) if phone else "",
        phone_masked=mask_phone(phone) if phone else "",
        registered_poor_in=registered,
        exited_poverty_in=exited,
        story=(f"{en1} {en2}'s family keeps yaks and grows highland barley." if rng.random() < 0.3 else ""),
        story_consent=rng.random() < 0.25,
    )


@transaction.atomic
def build_registry_demo(*, region: AdminUnit) -> RegistryDemoResult:
    """Adds households and organisations under `region` unless it already has households."""
    if Household.objects.filter(subtree_q("village__path", region.path)).exists():
        return RegistryDemoResult(0, 0, 0)
    rng = random.Random(20140101)
    point_villages = set(
        ServiceSite.objects.filter(
            subtree_q("unit__path", region.path), kind=SiteKind.VILLAGE_POINT
        ).values_list("unit_id", flat=True)
    )
    villages = list(
        AdminUnit.objects.filter(subtree_q("path", region.path), level=Level.VILLAGE).order_by("code")
    )
    used: set[str] = set()
    households = []
    for village in villages:
        low, high = (
            HOUSEHOLDS_PER_POINT_VILLAGE if village.pk in point_villages else HOUSEHOLDS_PER_OTHER_VILLAGE
        )
        households += [_household(rng, village, used) for _ in range(rng.randint(low, high))]
    Household.objects.bulk_create(households, batch_size=1000)
    households_created.send(sender=Household, households=households)

    # a cooperative in each township that has a station, with members from its villages; a few enterprises
    stations = ServiceSite.objects.filter(
        subtree_q("unit__path", region.path), kind=SiteKind.TOWNSHIP_STATION
    )
    townships = [s.unit for s in stations.select_related("unit").order_by("unit__code")]
    organisations = [
        Organisation(
            kind=OrganisationKind.COOPERATIVE,
            name=f"{t.name_zh.replace('（示例）', '')}{rng.choice(['牦牛', '青稞', '酥油', '藏药材', '手工艺'])}专业合作社",
            unit=t,
        )
        for t in townships
    ]
    counties = sorted({t.parent for t in townships}, key=lambda c: c.code)
    organisations += [
        Organisation(
            kind=OrganisationKind.ENTERPRISE,
            name=f"{c.name_zh}{rng.choice(['高原', '雪域', '圣洁'])}农牧产品有限公司",
            unit=c,
        )
        for c in counties
    ]
    Organisation.objects.bulk_create(organisations)
    saved = list(Organisation.objects.filter(subtree_q("unit__path", region.path)).select_related("unit"))
    by_path: dict[str, list[Household]] = {}
    for household in Household.objects.filter(subtree_q("village__path", region.path)).select_related(
        "village"
    ):
        by_path.setdefault(household.village.path[:9], []).append(household)
    links = []
    for organisation in saved:
        if organisation.kind == OrganisationKind.COOPERATIVE:
            pool = by_path.get(organisation.unit.path, [])
            members = rng.sample(pool, min(len(pool), rng.randint(8, 25)))
            links += [
                OrganisationLink(organisation=organisation, household=h, kind=LinkKind.MEMBER)
                for h in members
            ]
        else:
            pool = [h for path, hs in by_path.items() if path.startswith(organisation.unit.path) for h in hs]
            poor = [h for h in pool if h.registered_poor_in]
            for h in rng.sample(poor, min(len(poor), rng.randint(5, 15))):
                links.append(
                    OrganisationLink(
                        organisation=organisation,
                        household=h,
                        kind=rng.choice([LinkKind.EMPLOYED, LinkKind.CONTRACTED]),
                    )
                )
    OrganisationLink.objects.bulk_create(links, batch_size=1000)
    return RegistryDemoResult(
        households=len(households),
        poor=sum(1 for h in households if h.registered_poor_in),
        organisations=len(organisations),
    )
