from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from villagelink.registry.idnumbers import check_digit
from villagelink.registry.models import Household
from villagelink.registry.services import HouseholdData, household_register


def valid_id(serial: str, prefix: str = "540221") -> str:
    first17 = f"{prefix}19800101{serial}"
    return first17 + check_digit(first17)


def make(by, units, name, serial, village="540221101201", **data):
    return household_register(
        by=by,
        village=units[village],
        id_number=valid_id(serial, prefix=village[:6]),
        data=HouseholdData(head_name=name, **data),
    )


def names(response):
    return [h.head_name for h in response.context["page"]]


def test_household_search_by_name_or_last_four_digits_is_posted(client, units, point_operator):
    make(point_operator, units, "Tashi Dorje", "123", registered_poor_in=2015)
    pema = make(point_operator, units, "Pema Lhamo", "456")
    client.force_login(point_operator)
    assert names(client.get("/registry/households/")) == ["Pema Lhamo", "Tashi Dorje"]
    assert names(client.post("/registry/households/", {"q": "tashi"})) == ["Tashi Dorje"]
    assert names(client.post("/registry/households/", {"q": pema.id_number_masked[-4:]})) == ["Pema Lhamo"]
    assert names(client.post("/registry/households/", {"poverty": "poor"})) == ["Tashi Dorje"]
    # a name typed into the GET address is ignored: searches never travel in URLs
    assert names(client.get("/registry/households/", {"q": "tashi"})) == ["Pema Lhamo", "Tashi Dorje"]


def test_search_as_you_type_answers_with_the_results_only(client, units, point_operator):
    make(point_operator, units, "Tashi Dorje", "123")
    client.force_login(point_operator)
    response = client.post("/registry/households/", {"q": "tas"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "Tashi Dorje" in html and "<html" not in html


def test_the_list_takes_a_fixed_number_of_queries(client, units, point_operator):
    for i in range(3):
        make(point_operator, units, f"Person {i}", f"{i:03d}")
    client.force_login(point_operator)
    with CaptureQueriesContext(connection) as few:
        client.get("/registry/households/")
    for i in range(3, 20):
        make(point_operator, units, f"Person {i}", f"{i:03d}")
    with CaptureQueriesContext(connection) as many:
        response = client.get("/registry/households/")
    assert len(response.context["page"]) == 20
    assert len(many) == len(few)


def test_the_page_shows_the_masked_number_and_reveals_it_only_with_the_permission(
    client, units, point_operator, county_officer
):
    household = make(point_operator, units, "Tashi Dorje", "123")
    client.force_login(county_officer)
    page = client.get(f"/registry/households/{household.pk}/").content.decode()
    assert household.id_number_masked in page and valid_id("123") not in page
    assert "Show in full" not in page
    assert client.post(f"/registry/households/{household.pk}/reveal/").status_code == 403
    county_officer.user_permissions.add(Permission.objects.get(codename="view_full_id_number"))
    response = client.post(f"/registry/households/{household.pk}/reveal/")
    assert valid_id("123") in response.content.decode()
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]


def test_registering_through_the_form_reports_problems_and_writes_nothing(client, units, point_operator):
    client.force_login(point_operator)
    form = {
        "village": units["540221101201"].pk,
        "head_name": "Dawa",
        "id_number": valid_id("321"),
        "members": 3,
    }
    assert client.post("/registry/households/new/", form).status_code == 302
    again = client.post("/registry/households/new/", form | {"head_name": "Other"})
    assert "already registered to another household" in again.content.decode()
    right = valid_id("322")
    typo = right[:17] + ("1" if right[17] != "1" else "2")
    wrong = client.post("/registry/households/new/", form | {"id_number": typo})
    assert "does not match its check digit" in wrong.content.decode()
    foreign = client.post("/registry/households/new/", form | {"village": units["540102101201"].pk})
    assert "Choose a village of your area." in foreign.content.decode()
    assert list(Household.objects.values_list("head_name", flat=True)) == ["Dawa"]


def test_an_operator_cannot_see_a_household_of_another_village(client, units, county_officer, point_operator):
    elsewhere = make(county_officer, units, "Norbu", "654", village="540221101202")
    client.force_login(point_operator)
    assert client.get(f"/registry/households/{elsewhere.pk}/").status_code == 404
    assert client.get(f"/registry/households/{elsewhere.pk}/edit/").status_code == 404
    assert names(client.post("/registry/households/", {"q": "Norbu"})) == []
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=point_operator).key}")
    assert api.get(f"/api/v1/households/{elsewhere.pk}/").status_code == 404
    assert api.get("/api/v1/households/").json()["count"] == 0


def test_the_api_registers_with_a_full_number_and_answers_masked(units, point_operator):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=point_operator).key}")
    body = {
        "village": "540221101201",
        "head_name": "Dawa",
        "id_number": valid_id("777"),
        "phone": "13900001111",
    }
    response = api.post("/api/v1/households/", body, format="json")
    assert response.status_code == 201, response.json()
    answer = response.json()
    assert "id_number" not in answer and "phone" not in answer
    assert (
        answer["id_number_masked"].endswith(valid_id("777")[-4:]) and answer["phone_masked"] == "139****1111"
    )
    again = api.post("/api/v1/households/", body, format="json")
    assert again.status_code == 409
    unknown = api.post("/api/v1/households/", body | {"religion": "x"}, format="json")
    assert unknown.status_code == 400 and "religion" in unknown.json()


def test_editing_without_a_phone_keeps_the_stored_one(client, units, point_operator):
    household = make(point_operator, units, "Tashi", "123", phone="13912345678")
    client.force_login(point_operator)
    response = client.post(
        f"/registry/households/{household.pk}/edit/", {"head_name": "Tashi D", "members": 2}
    )
    assert response.status_code == 302
    household.refresh_from_db()
    assert (household.head_name, household.phone_masked) == ("Tashi D", "139****5678")


def test_an_operator_links_a_household_to_a_cooperative_on_its_page(
    client, units, point_operator, county_officer
):
    from villagelink.registry.models import OrganisationKind
    from villagelink.registry.services import organisation_register

    member = make(point_operator, units, "Tashi", "123")
    elsewhere = make(county_officer, units, "Norbu", "654", village="540221101202")
    cooperative = organisation_register(
        by=county_officer, kind=OrganisationKind.COOPERATIVE, name="Butter coop", unit=units["540221101201"]
    )
    client.force_login(point_operator)
    url = f"/registry/organisations/{cooperative.pk}/"
    assert client.post(url, {"household": member.pk, "kind": "member"}).status_code == 302
    assert list(cooperative.households.all()) == [member]
    wrong = client.post(url, {"household": member.pk, "kind": "employed"})
    assert "links households as: member" in wrong.content.decode()
    hidden = client.post(url, {"household": elsewhere.pk, "kind": "member"})
    assert "No such household in your area" in hidden.content.decode()
    assert list(cooperative.households.all()) == [member]


def test_the_organisation_list_takes_a_fixed_number_of_queries(client, units, county_officer):
    from villagelink.registry.models import OrganisationKind
    from villagelink.registry.services import organisation_register

    def add(n):
        for i in range(n):
            organisation_register(
                by=county_officer,
                kind=OrganisationKind.COOPERATIVE,
                name=f"Coop {i}",
                unit=units["540221101"],
            )

    client.force_login(county_officer)
    add(3)
    with CaptureQueriesContext(connection) as few:
        client.get("/registry/organisations/")
    add(17)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/registry/organisations/")
    assert len(response.context["page"]) == 20
    assert len(many) == len(few)
