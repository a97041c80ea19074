"""The regional demo: built once per test (it takes seconds), checked against the published figures."""

import datetime

import pytest
from django.core.management import call_command
from django.db.models import Count, Sum

from villagelink.accounts.models import Role, User
from villagelink.assistance.models import AssistanceEvent
from villagelink.catalog.models import Product, ProductPhoto, Shop
from villagelink.core.crypto import keyed_hash
from villagelink.core.periods import open_on_q
from villagelink.demo.brushing import PATTERNS, planted_q
from villagelink.geo.models import AdminUnit
from villagelink.imports.models import ImportRejection
from villagelink.network.models import Designation, ServiceSite, SiteKind, SiteOperator
from villagelink.network.selectors import coverage_for
from villagelink.orders.models import Order, Status
from villagelink.quality.area import counted_orders
from villagelink.quality.models import Flag, Rule
from villagelink.quality.services import quality_check
from villagelink.registry.idnumbers import normalise
from villagelink.registry.models import Household, Organisation, OrganisationLink
from villagelink.storefront.selectors import product_search

START, END = datetime.date(2015, 1, 1), datetime.date(2019, 6, 30)


def counts():
    return (
        {
            level: AdminUnit.objects.filter(level=level).count()
            for level in ("region", "prefecture", "county", "township", "village")
        }
        | {"users": User.objects.count(), "designations": Designation.objects.count()}
        | {kind: ServiceSite.objects.filter(kind=kind).count() for kind in SiteKind.values}
        | {
            "households": Household.objects.count(),
            "organisations": Organisation.objects.count(),
            "shops": Shop.objects.count(),
            "products": Product.objects.count(),
            "ledger": AssistanceEvent.objects.count(),
            "orders": Order.objects.count(),
            "photos": ProductPhoto.objects.count(),
        }
    )


def check_units():
    synthetic = AdminUnit.objects.filter(is_synthetic=True).select_related("parent")
    assert synthetic.count() == 6090
    for unit in synthetic[:200]:  # each says it is synthetic in every language, and extends its parent's code
        assert "示例" in unit.name_zh and "(synthetic)" in unit.name_en and unit.name_bo
        assert unit.code.startswith(unit.parent.path)
    assert not AdminUnit.objects.filter(is_synthetic=False, name_bo="").exists()  # the real ones too


def check_accounts():
    accounts = {u.username: u for u in User.objects.select_related("scope_unit")}
    assert accounts["admin"].role == Role.ADMINISTRATOR and accounts["admin"].is_superuser
    assert (accounts["region-officer"].role, accounts["region-officer"].scope_unit.code) == (
        Role.OFFICER,
        "540000",
    )
    assert (accounts["county-officer"].role, accounts["county-officer"].scope_unit.code) == (
        Role.OFFICER,
        "540221",
    )
    operator = accounts["point-operator"]
    assert operator.role == Role.SITE_OPERATOR
    assert operator.scope_unit.level == "village" and operator.scope_unit.code.startswith("540221")
    assert accounts["county-officer"].check_password("villagelink-demo")
    seller = accounts["seller"]
    shop = Shop.objects.get(seller=seller)
    assert seller.role == Role.SELLER and shop.household is not None and shop.unit == seller.scope_unit
    assert shop.unit.code.startswith("540221")
    assignment = SiteOperator.objects.select_related("site__unit").get(user=operator)
    assert assignment.site.kind == SiteKind.VILLAGE_POINT and assignment.site.unit == operator.scope_unit


def check_network():
    by_kind = dict(ServiceSite.objects.filter(open_on_q(END)).values_list("kind").annotate(n=Count("id")))
    assert by_kind == {"county_centre": 26, "township_station": 127, "village_point": 380}
    for kind, level in (
        ("county_centre", "county"),
        ("township_station", "township"),
        ("village_point", "village"),
    ):
        assert not ServiceSite.objects.filter(kind=kind).exclude(unit__level=level).exists()
    years = dict(Designation.objects.values_list("year").annotate(n=Count("id")))
    assert sum(n for year, n in years.items() if 2015 <= year <= 2018) == 27 and years[2019] == 47
    total, _children = coverage_for(unit=AdminUnit.objects.get(code="540000"), day=END)
    assert total.covered == {"county": 26, "township": 127, "village": 380}


def check_registry():
    households = Household.objects.select_related("village")
    total = households.count()
    assert 15_000 <= total <= 25_000
    assert 0.3 < households.filter(registered_poor_in__isnull=False).count() / total < 0.55
    for household in households.order_by("?")[:200]:
        number = household.full_id_number()
        assert normalise(number) == number and number[:6] == household.village.code[:6]
        assert keyed_hash(number) == household.id_number_hash
    assert households.values("id_number_hash").distinct().count() == total
    assert Organisation.objects.filter(kind="cooperative").count() == 127
    assert OrganisationLink.objects.exists()


def check_shops_and_ledger():
    assert Shop.objects.filter(open_on_q(END)).count() == 1229
    assert set(Shop.objects.values_list("platform", flat=True)) >= {"storefront", "taobao", "jd", "pinduoduo"}
    assert not Product.objects.filter(price_fen__lte=0).exists()
    in_period = AssistanceEvent.objects.filter(day__range=(START, END))
    assert in_period.aggregate(n=Sum("sign"))["n"] == 36_666
    reversals = AssistanceEvent.objects.filter(sign=-1)
    assert reversals.exists() and not reversals.filter(reverses__isnull=True).exists()
    # every shop set-up event belongs to a household that was registered poor when its shop opened
    for event in AssistanceEvent.objects.filter(kind="shop_setup").select_related("household", "shop")[:300]:
        assert event.household.is_poor_in(event.shop.opened_on.year) and event.day == event.shop.opened_on


def check_desk_and_imports():
    assisted = Order.objects.filter(channel="assisted", site__staff__user__username="point-operator")
    assert set(assisted.values_list("kind", flat=True)) == {"purchase", "sale"}
    assert AssistanceEvent.objects.filter(order__in=assisted).exists()
    imported = Order.objects.filter(channel="platform")
    assert set(imported.values_list("platform", flat=True)) == {"taobao", "jd", "pinduoduo"}
    assert imported.filter(status="refunded").exists() or imported.filter(status="cancelled").exists()
    # each platform's report is written in its own words: none of its statuses is unknown
    assert not ImportRejection.objects.filter(reason__contains="status").exists()


def check_storefront():
    storefront = Order.objects.filter(channel="storefront")
    assert set(storefront.values_list("status", flat=True)) == set(Status.values) - {Status.REVERSED}
    assert Order.objects.filter(shop__seller__username="seller").count() >= 10
    assert Order.objects.filter(buyer__username="buyer").exists()
    assert not Product.objects.filter(shop__platform="storefront", photos__isnull=True).exists()
    found = product_search(query="butter", sort="newest")
    assert found.first().shop.seller.username == "seller"  # the seller's butter is the newest
    assert product_search(query="酥油").exists()
    # every product has its Tibetan name, and a search in Tibetan finds the seller's butter first
    assert not Product.objects.filter(name_bo="").exists()
    assert product_search(query="འབྲི་མར", sort="newest").first().shop.seller.username == "seller"


def check_quality():
    """The checks find every planted brushing pattern, and flag under 1 % of the other orders by any rule."""
    result = quality_check(path="54", first=START, last=END)
    flagged = {
        rule: set(Flag.orders.through.objects.filter(flag__rule=rule).values_list("order_id", flat=True))
        for rule in Rule.values
    }
    for kind, rule in PATTERNS.items():
        planted = Order.objects.filter(planted_q(kind))
        assert planted.count() >= 2, kind
        if rule == Rule.MONTHLY_JUMP:  # a unit's figure: the planted villages and months are flagged
            jumps = set(Flag.objects.filter(rule=rule).values_list("unit_id", "month"))
            assert {(o.unit_id, o.placed_on.replace(day=1)) for o in planted} <= jumps
        else:
            assert set(planted.values_list("pk", flat=True)) <= flagged[rule], kind
    planted = set(Order.objects.filter(planted_q()).values_list("pk", flat=True))
    others = counted_orders("54", START, END).exclude(planted_q()).count()
    for rule, ids in flagged.items():
        assert len(ids - planted) < others / 100, rule
    assert len(set().union(*flagged.values()) - planted) < others / 100
    assert result.new == Flag.objects.count()


@pytest.mark.django_db(transaction=True)
def test_the_demo_builds_the_region_once_matching_the_published_figures_and_reset_starts_afresh(capsys):
    call_command("demo", no_serve=True)
    first = counts()
    out = capsys.readouterr().out
    assert "[5/12] Creating the demo accounts" in out and "[10/12] Taking storefront orders" in out
    assert "[11/12] Recording the region's online trade" in out
    assert "[12/12] Recording at the village point's desk" in out
    assert "region-officer" in out and "villagelink-demo" in out
    assert {k: first[k] for k in ("region", "prefecture", "county", "township", "village", "users")} == {
        "region": 1,
        "prefecture": 7,
        "county": 74,
        "township": 690,
        "village": 5400,
        "users": 6,
    }
    check_units()
    check_accounts()
    check_network()
    check_registry()
    check_shops_and_ledger()
    check_storefront()
    check_desk_and_imports()
    check_quality()

    Product.objects.update(name_bo="")  # a demo built before the products had Tibetan names
    call_command("demo", no_serve=True)
    assert counts() == first  # running it twice adds nothing twice
    assert not Product.objects.filter(name_bo="").exists()  # but names what it built before

    User.objects.filter(username="county-officer").update(first_name="Changed")
    call_command("demo", no_serve=True, reset=True)
    assert counts() == first
    assert User.objects.get(username="county-officer").first_name == "Namling county officer"
    check_shops_and_ledger()
