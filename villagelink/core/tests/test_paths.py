import pytest

from villagelink.core.paths import path_successor, subtree_q
from villagelink.geo.models import AdminUnit


@pytest.mark.parametrize(
    ("path", "successor"),
    [("54", "55"), ("5402", "5403"), ("540299", "540300"), ("0009", "0010"), ("99", None), ("999999", None)],
)
def test_path_successor_is_the_next_digit_string_of_the_same_length(path, successor):
    assert path_successor(path) == successor


def test_path_successor_refuses_non_digits():
    with pytest.raises(ValueError):
        path_successor("54/02")


def test_subtree_holds_the_unit_and_everything_below_it_and_nothing_else(units):
    # given the Shigatse prefecture (5402)
    below = set(AdminUnit.objects.filter(subtree_q("path", "5402")).values_list("code", flat=True))
    # then it holds itself, its counties and the Namling township and villages, but not Lhasa's
    assert {"540200", "540221", "540221101", "540221101201"} <= below
    assert not {"540000", "540100", "540102", "540102101"} & below
    assert all(code.startswith("5402") for code in below)


def test_sellers_and_buyers_reach_nothing_by_area(units):
    from conftest import make_user
    from villagelink.accounts.models import Role
    from villagelink.core.scope import scoped

    for role in (Role.SELLER, Role.BUYER):
        person = make_user(f"p-{role}", role, units["540221101201"])
        assert not scoped(AdminUnit.objects.all(), person).exists()


def test_nul_bytes_in_queries_forms_and_api_bodies_are_refused_not_crashed(client, point_operator):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    client.force_login(point_operator)
    assert client.get("/network/units/540221101201/", {"q": "a\x00b"}).status_code == 400
    assert client.post("/registry/households/", {"q": "Tashi\x00"}).status_code == 400
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=point_operator).key}")
    body = {"kind": "village_point", "unit": "5402\x0021101201", "name": "P", "opened_on": "2017-01-01"}
    response = api.post("/api/v1/sites/", body, format="json")
    assert response.status_code == 400 and "unit" in response.json()
