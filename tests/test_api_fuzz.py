"""Property-based tests of the REST API, generated from the API's own OpenAPI schema by schemathesis.

Every operation the schema describes is called in-process through the WSGI application with requests hypothesis
draws from the schema (valid ones and deliberately invalid ones), once with a token for an administrator and
once with a token for an officer confined to one county. A request fails the test when the server answers with
an error (5xx), when its answer contradicts the schema (body, content type, headers), or when the operation
answers successfully without the token. Error statuses the schema does not list (400, 401, 403, 404, 409) are
not failures by themselves: drf-spectacular documents only the success answers.

Random codes, ids and ID numbers almost never name a real object or pass validation, so before the requests
the administrator creates one object of each kind in the officer's county and one in another (ids 1 and 2), and
the hooks below often send the code of a real unit (inside or outside the officer's county, of every level), a
small id, a well-formed resident ID number or a real object's body: that way details are read and objects
created, and those answers are checked against the schema too.

The schema is the one the application serves at /api/v1/schema/; villagelink/api/tests/test_schema.py keeps the
committed schema/openapi.yaml equal to it.
"""

import datetime

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    response_headers_conformance,
    response_schema_conformance,
)

# Not config.wsgi: that one forces the default settings, and the tests run under config.settings.test.
application = get_wsgi_application()
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application)

CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    content_type_conformance,
    response_headers_conformance,
    ignored_auth,
]
# Bounded, so the file runs in well under a minute. The fixtures are made once per operation and person, and
# hypothesis runs the body many times against them (which the function_scoped_fixture health check warns of):
# what one request creates is there for the next, so a second county centre or designation gets tried too.
FUZZ = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# Requests commit as they would in production (no test transaction around them), so a constraint violation
# shows as the server error it would be there; the database is emptied, and ids restart at 1, per operation.
pytestmark = [pytest.mark.schemathesis, pytest.mark.django_db(transaction=True, reset_sequences=True)]

NAMLING, CHENGGUAN = "540221", "540102"  # the officer's county, and another (see conftest.py)
# Units of the `units` fixture: the region, a prefecture, both counties with a township and a village, and a code
# that names nothing.
UNIT_CODES = st.sampled_from(
    [
        "540000",
        "540200",
        NAMLING,
        f"{NAMLING}101",
        f"{NAMLING}101201",
        CHENGGUAN,
        f"{CHENGGUAN}101",
        f"{CHENGGUAN}101202",
        "999999",
    ]
)


def with_check_character(first17: str) -> str:
    """A resident ID number (GB 11643-1999) from its first 17 digits."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11]


ID_NUMBERS = st.builds(
    lambda area, born, sequence: with_check_character(f"{area}{born:%Y%m%d}{sequence:03d}"),
    st.sampled_from([NAMLING, CHENGGUAN]),
    st.dates(min_value=datetime.date(1920, 1, 1), max_value=datetime.date(2010, 12, 31)),
    st.integers(min_value=0, max_value=999),
)
# What to put, often, in a parameter or body field of this name instead of what the schema alone would give.
REAL_VALUES = {
    "code": UNIT_CODES,
    "parent": UNIT_CODES,
    "unit": UNIT_CODES,
    "county": UNIT_CODES,
    "village": UNIT_CODES,
    "id_number": ID_NUMBERS,
    # ids: SEED makes 1 and 2 of each kind (a few more get made along the way)
    **dict.fromkeys(
        ["id", "household", "organisation", "site", "opened_with", "shop"],
        st.integers(min_value=1, max_value=5),
    ),
}

# Created before the requests, by the administrator, in this order: in each collection, id 1 is in the officer's
# county and id 2 in the other one (assistance events also come from opening a shop for a poor household).
SEED = {
    "sites": [
        {"kind": "village_point", "unit": f"{county}101201", "name": "Point", "opened_on": "2017-01-01"}
        for county in (NAMLING, CHENGGUAN)
    ],
    "designations": [{"county": county, "year": 2016} for county in (NAMLING, CHENGGUAN)],
    "households": [
        {
            "village": f"{county}101201",
            "head_name": "Tashi",
            "id_number": with_check_character(f"{county}19800101001"),
            "members": 4,
            "phone": "13800000000",
            "registered_poor_in": 2014,
        }
        for county in (NAMLING, CHENGGUAN)
    ],
    "organisations": [
        {"kind": "cooperative", "name": "Barley cooperative", "unit": f"{county}101"}
        for county in (NAMLING, CHENGGUAN)
    ],
    "shops": [
        {"name": "Tashi's shop", "household": household, "platform": "storefront", "opened_on": "2019-03-01"}
        for household in (1, 2)
    ],
    "products": [
        {
            "shop": shop,
            "name_zh": "青稞",
            "name_en": "Highland barley",
            "category": "grain",
            "price": "68.00",
            "unit_label": "kg",
            "stock": 50,
        }
        for shop in (1, 2)
    ],
    "assistance-events": [
        {"household": household, "kind": "training", "day": "2020-06-01"} for household in (1, 2)
    ],
}


def order_body(product: int) -> dict:
    """A storefront order (cash on delivery) for one of the seeded products."""
    return {
        "lines": [{"product": product, "quantity": 1}],
        "name": "Zhang San",
        "phone": "13800138000",
        "province": "51",
        "address": "1 Renmin Road, Chengdu",
        "payment_method": "cod",
    }


# Bodies that can create something (the seeded ones conflict, or are out of the officer's scope).
TEMPLATES = SEED | {
    "orders": [order_body(1), order_body(2)],
    "ship": [{"carrier": "EMS", "tracking_number": "EM123456789CN"}, {"site": 1}],
    "sites": [
        *SEED["sites"],
        {"kind": "county_centre", "unit": NAMLING, "name": "Centre", "opened_on": "2016-05-01"},
    ],
    "designations": [*SEED["designations"], {"county": "540222", "year": 2018}],
    "shops": [
        *SEED["shops"],
        {
            "name": "Co-op shop",
            "organisation": 1,
            "platform": "taobao",
            "external_id": "x1",
            "opened_on": "2020-01-01",
        },
    ],
}


def _real_objects(values, declared=()):
    """`values` as drawn, or with real codes, ids and ID numbers in the fields that take them.

    `declared` names the parameters the operation has at this place: an optional one left out gets a value too.
    """
    if not isinstance(values, dict):
        return st.just(values)
    names = sorted((values.keys() | set(declared)) & REAL_VALUES.keys())
    if not names:
        return st.just(values)
    replacements = st.fixed_dictionaries({name: REAL_VALUES[name] for name in names})
    return st.one_of(st.just(values), replacements.map(lambda new: {**values, **new}))


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    return _real_objects(path_parameters)


@schema.hook
def flatmap_query(context, query):
    return _real_objects(query, declared=[parameter.name for parameter in context.operation.query])


@schema.hook
def flatmap_body(context, body):
    """As drawn, with real codes and ids, or a template body over the drawn one (with a fresh ID number).

    Over a template, the drawn fields the endpoint knows stay, so creation succeeds often enough to check its
    answers as well. Unknown fields go: the schema allows them (no `additionalProperties: false`), the API
    refuses them.
    """
    templates = TEMPLATES.get(context.operation.path.strip("/").rsplit("/", 1)[-1])
    if not templates or not isinstance(body, dict):
        return _real_objects(body)
    known = {
        name for item in context.operation.body for name in item.definition["schema"].get("properties", {})
    }
    drawn = {name: value for name, value in body.items() if name in known}
    over_template = st.tuples(st.sampled_from(templates), ID_NUMBERS).map(
        lambda chosen: {**drawn, **chosen[0]} | ({"id_number": chosen[1]} if "id_number" in chosen[0] else {})
    )
    return st.one_of(_real_objects(body), over_template)


@pytest.fixture
def administrator_token(admin_user) -> dict[str, str]:
    return {"Authorization": f"Token {Token.objects.create(user=admin_user).key}"}


@pytest.fixture
def county_officer_token(county_officer) -> dict[str, str]:
    return {"Authorization": f"Token {Token.objects.create(user=county_officer).key}"}


@pytest.fixture
def seeded(administrator_token):
    """SEED and an order of each seeded product, created through the API itself."""
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=administrator_token["Authorization"])
    for collection, bodies in SEED.items():
        for body in bodies:
            response = api.post(f"/api/v1/{collection}/", body, format="json")
            assert response.status_code == 201, (
                f"POST /api/v1/{collection}/ {body} answered {response.status_code} {response.content[:300]!r}: "
                f"update SEED in {__file__}"
            )
    # one order of each seeded product (ids 1 and 2: in the officer's county, and in the other one)
    for product in (1, 2):
        response = api.post(
            "/api/v1/storefront/orders/",
            order_body(product),
            format="json",
            headers={"Idempotency-Key": f"seed-order-{product}"},
        )
        assert response.status_code == 201, f"placing a seed order answered {response.content[:300]!r}"


@schema.parametrize()
@FUZZ
def test_api_as_administrator(case, seeded, administrator_token):
    case.call_and_validate(headers=administrator_token, checks=CHECKS)


@schema.parametrize()
@FUZZ
def test_api_as_county_officer(case, seeded, county_officer_token):
    case.call_and_validate(headers=county_officer_token, checks=CHECKS)
