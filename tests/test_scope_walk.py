"""Walks every URL pattern of the project as a person scoped to one county, with objects of another.

Every route must either refuse (403/404, or the admin's log-in page for people who are not staff) or answer
without showing anything of the other county. A new route whose URL takes an argument this test does not
know fails here until the argument is added to FOREIGN below, so no route escapes the walk.
"""

import datetime

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from villagelink.assistance.models import AssistanceKind
from villagelink.assistance.services import assistance_record
from villagelink.catalog.models import Platform
from villagelink.catalog.services import ProductData, product_create, shop_open
from villagelink.geo.models import AdminUnit
from villagelink.network.models import SiteKind
from villagelink.network.services import SiteData, designation_record, site_open
from villagelink.orders.services import CartLine, Contact, checkout_place
from villagelink.registry.models import OrganisationKind
from villagelink.registry.services import HouseholdData, household_register, organisation_register

FOREIGN_ID = "540102198001011239"  # a valid synthetic number (GB 11643 check digit) for the other county

# How to fill each URL argument with an object of the other county (Chengguan, 540102).
# The boolean says whether the argument names an object: such routes must refuse outright.
FOREIGN = {
    "code": (lambda objs, route: objs["unit"].code, True),
    "object_id": (lambda objs, route: str(objs["unit"].pk), True),
    "content_type_id": (lambda objs, route: str(objs["unit_type"].pk), True),
    "id": (lambda objs, route: str(objs["user"].pk), True),
    # a primary key names an object of the route's kind: objs["pk"] maps the start of a route name
    # ("registry:household", or an API basename such as "site-") to such an object in Chengguan
    "pk": (lambda objs, route: _object_for(objs["pk"], route).pk, True),
    "key": (lambda objs, route: objs["checkout"].key, True),
    "line": (lambda objs, route: objs["checkout"].orders.get().lines.get().pk, True),
    "ref": (lambda objs, route: objs["checkout"].payment.provider_ref, True),
    "category": (lambda objs, route: "dairy", False),
    "provider": (lambda objs, route: "simulated", False),
    "width": (lambda objs, route: 320, False),
    "app_label": (lambda objs, route: "geo", False),
    "format": (lambda objs, route: "json", False),
}


def _object_for(objects: dict, route: str):
    starts = [start for start in objects if route.startswith(start)]
    assert starts, f"Route {route} takes a pk: add an object of its kind to foreign()['pk'] in this test."
    return objects[max(starts, key=len)]


# Routes that show public storefront content of any county to anyone (products, their photos and origin, the
# payment provider's page): they may answer 200 and name the other county, but never show personal data.
PUBLIC_ROUTES = {
    "product_photo",
    "product_photo_sized",
    "storefront:home",
    "storefront:search",
    "storefront:category",
    "storefront:region",
    "storefront:product",
    "storefront:shop",
    "storefront:simulated_pay",
    "storefront-product-list",
    "storefront-product-detail",
}

# Routes for probes and the metrics scraper (villagelink/ops): the same for everyone and without personal data;
# /readyz answers 503 while a check fails (in the tests no background worker beats), /metrics 404 without a token.
OPERATIONS_ROUTES = {"ops:healthz", "ops:readyz", "ops:metrics"}

MARKERS = ("540102", "Chengguan", "Lhasa Township", "城关区", "Dawa", "1239", "5678")
PERSONAL_MARKERS = ("Dawa", "1239", "5678", "Jokhang")


def all_routes(patterns=None, namespace=""):
    """(name, argument names) for every pattern, nested includes and namespaces too."""
    patterns = get_resolver().url_patterns if patterns is None else patterns
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            outer_args = _arguments(pattern.pattern)
            for name, args in all_routes(pattern.url_patterns, inner):
                yield name, outer_args | args
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}{pattern.name}" if pattern.name else f"{namespace}<unnamed>"
            yield name, _arguments(pattern.pattern)


def _arguments(pattern) -> frozenset[str]:
    if hasattr(pattern, "converters") and pattern.converters:
        return frozenset(pattern.converters)
    return frozenset(pattern.regex.groupindex)


ROUTES = sorted(set(all_routes()), key=lambda r: (r[0] or "", sorted(r[1])))


def test_every_route_is_named():
    """Only Django's admin has unnamed routes (its catch-all and redirects, all behind the staff check)."""
    unnamed = [name for name, _args in ROUTES if name.endswith("<unnamed>") and not name.startswith("admin:")]
    assert not unnamed, "Name every URL pattern so the scope walk can reach it."


@pytest.fixture
def foreign(units, other_county_officer, settings, tmp_path):
    import io

    from django.contrib.contenttypes.models import ContentType
    from PIL import Image

    from villagelink.catalog.services import product_add_photo

    settings.MEDIA_ROOT = tmp_path / "media"

    unit = AdminUnit.objects.get(code="540102")
    # a change in the other county, so the audit trail has something that must stay hidden
    unit.name_en = "Chengguan District (renamed)"
    unit.save()
    site = site_open(
        by=other_county_officer,
        kind=SiteKind.COUNTY_CENTRE,
        unit=unit,
        data=SiteData(name="Chengguan centre", opened_on=datetime.date(2016, 1, 1)),
    )
    household = household_register(
        by=other_county_officer,
        village=AdminUnit.objects.get(code="540102101201"),
        id_number=FOREIGN_ID,
        data=HouseholdData(head_name="Chengguan Dawa", phone="13912345678"),
    )
    organisation = organisation_register(
        by=other_county_officer,
        kind=OrganisationKind.COOPERATIVE,
        name="Chengguan butter cooperative",
        unit=unit,
    )
    shop = shop_open(
        by=other_county_officer,
        name="Chengguan butter shop",
        platform=Platform.STOREFRONT,
        opened_on=datetime.date(2017, 3, 1),
        household=household,
    )
    product = product_create(
        by=other_county_officer,
        shop=shop,
        data=ProductData(
            name_zh="城关酥油",
            name_en="Chengguan butter",
            category="dairy",
            price_fen=4500,
            unit_label="500 g",
            stock=10,
        ),
    )
    picture = io.BytesIO()
    Image.new("RGB", (400, 300), (90, 60, 20)).save(picture, format="JPEG")
    photo = product_add_photo(by=other_county_officer, product=product, data=picture.getvalue())
    checkout = checkout_place(
        key="chengguan-checkout-key",
        lines=[CartLine(product.pk, 1)],
        contact=Contact(name="Chengguan Dawa", phone="13912345678", address="Jokhang Road 1, Lhasa"),
        payment_method="online",
    ).checkout
    event = assistance_record(
        by=other_county_officer,
        household=household,
        kind=AssistanceKind.LOGISTICS,
        day=datetime.date(2018, 5, 1),
        site=site,
        note="Chengguan parcels",
    )
    from villagelink.imports.services import import_preview

    import_batch = import_preview(
        by=other_county_officer,
        data=b"order_id,shop,amount,status,placed_at\nCG-1,Chengguan butter shop,45.00,paid,2019-06-01\n",
        filename="chengguan-orders.csv",
    )
    from villagelink.quality.models import Flag, Rule

    flag = Flag.objects.create(
        rule=Rule.OUTSIZED,
        unit=shop.unit,
        shop=shop,
        month=datetime.date(2019, 6, 1),
        fingerprint="chengguan",
        evidence={"median_fen": 4500},
    )
    flag.orders.set([checkout.orders.get()])
    return {
        "checkout": checkout,
        "unit": unit,
        "unit_type": ContentType.objects.get_for_model(AdminUnit),
        "user": other_county_officer,
        "pk": {
            "network:site": site,
            "site-": site,
            "designation-": designation_record(by=other_county_officer, county=unit, year=2017),
            "registry:household": household,
            "household-": household,
            "registry:organisation": organisation,
            "organisation-": organisation,
            "catalog:shop": shop,
            "shop-": shop,
            "catalog:product": product,
            "product-": product,
            "assistance:": event,
            "assistanceevent-": event,
            "product_photo": photo,
            "storefront:product": product,
            "storefront:shop": shop,
            "storefront:my_order": checkout.orders.get(),
            "orders:": checkout.orders.get(),
            "storefront-product-": product,
            "order-": checkout.orders.get(),
            "imports:": import_batch,
            "importbatch-": import_batch,
            # the desk's parcels and entries are found only at the person's own site
            "desk:parcel": checkout.orders.get(),
            "desk:reverse": checkout.orders.get(),
            "desk:receipt": checkout.orders.get(),
            "desk-": checkout.orders.get(),
            "quality:": flag,
            "qualityflag-": flag,
        },
    }


@pytest.mark.parametrize("person", ["county_officer", "point_operator"])
@pytest.mark.parametrize(
    ("name", "args"), [r for r in ROUTES if not r[0].endswith("<unnamed>")], ids=lambda v: str(v)
)
def test_a_person_of_one_county_sees_nothing_of_another(request, client, foreign, person, name, args):
    user = request.getfixturevalue(person)
    client.force_login(user)
    unknown = args - FOREIGN.keys()
    assert not unknown, f"Route {name} takes {sorted(unknown)}: add them to FOREIGN in this test."
    kwargs = {arg: FOREIGN[arg][0](foreign, name) for arg in args}
    names_an_object = any(FOREIGN[arg][1] for arg in args) and name not in PUBLIC_ROUTES
    url = reverse(name, kwargs=kwargs)
    response = client.get(url)
    if response.status_code == 405:  # a POST-only route: try it the way it is used
        response = client.post(url)
    body = response.content.decode(errors="replace") if not getattr(response, "streaming", False) else ""

    to_admin_login = response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
    if names_an_object:
        assert response.status_code in (403, 404) or to_admin_login, f"{url} answered {response.status_code}"
    elif name in OPERATIONS_ROUTES:
        assert response.status_code in (200, 404, 503), f"{url} answered {response.status_code}"
    else:
        assert response.status_code in (200, 302, 400, 403, 404, 405), (
            f"{url} answered {response.status_code}"
        )
    body = body.replace(url, "")  # the address the person typed is echoed (e.g. in the language form)
    leaked = [marker for marker in (PERSONAL_MARKERS if name in PUBLIC_ROUTES else MARKERS) if marker in body]
    assert not leaked, f"{url} shows {leaked} of another county to {person}"


def test_the_walk_reaches_the_routes_that_matter():
    names = {name for name, _ in ROUTES}
    assert {
        "geo:unit_tree",
        "geo:unit_detail",
        "audit:trail",
        "unit-list",
        "unit-detail",
        "accounts:login",
    } <= names


def test_the_walk_would_catch_a_leak(client, foreign, units):
    """The check above is not vacuous: an administrator does see the other county on the same routes."""
    from conftest import make_user
    from villagelink.accounts.models import Role

    client.force_login(make_user("boss", Role.ADMINISTRATOR, is_superuser=True, is_staff=True))
    assert client.get(reverse("geo:unit_detail", kwargs={"code": "540102"})).status_code == 200
    assert "540102" in client.get(reverse("unit-list") + "?parent=540100").content.decode()
    assert "Chengguan" in client.get(reverse("audit:trail")).content.decode()
