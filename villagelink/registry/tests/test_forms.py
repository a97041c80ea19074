"""The registry's forms on a phone: villages and households chosen from the person's area, never typed by
code or number; a refused form comes back as typed, each problem beside its field."""

import pytest
from django.urls import reverse

from villagelink.core.tests.fields import field_block, is_beside
from villagelink.registry.models import Household, Organisation, OrganisationKind
from villagelink.registry.services import organisation_register

from .test_views import make, valid_id


def test_an_operator_registers_in_their_one_village_already_chosen(client, units, point_operator):
    client.force_login(point_operator)

    page = client.get(reverse("registry:household_new")).content.decode()

    village = field_block(page, "id_village")
    assert f'<option value="{units["540221101201"].pk}" selected>' in village
    assert "540221101202" not in village and "540102" not in village


def test_an_officer_chooses_among_the_villages_of_the_county_only(client, units, county_officer):
    client.force_login(county_officer)

    page = client.get(reverse("registry:household_new")).content.decode()

    village = field_block(page, "id_village")
    assert "540221101201" in village and "540221101202" in village
    assert "540102101201" not in village
    assert "selected" not in village  # two villages: the officer chooses


def test_a_refused_registration_keeps_what_was_typed_and_shows_each_problem_beside_its_field(
    client, units, point_operator
):
    make(point_operator, units, "Dawa", "321")
    client.force_login(point_operator)
    form = {
        "village": units["540221101201"].pk,
        "head_name": "Pema",
        "id_number": valid_id("321"),  # already registered
        "members": 4,
        "phone": "12-ab",
        "registered_poor_in": 2016,
        "exited_poverty_in": 2014,
    }

    response = client.post(reverse("registry:household_new"), form)

    assert response.status_code == 400
    page = response.content.decode()
    assert is_beside(page, "id_id_number", "already registered to another household")
    assert is_beside(page, "id_phone", "may hold only digits")
    assert is_beside(page, "id_exited_poverty_in", "is before the registration year")
    assert not is_beside(page, "id_head_name", "")
    for typed in (
        'value="Pema"',
        f'value="{valid_id("321")}"',
        'value="12-ab"',
        'value="2016"',
        'value="2014"',
    ):
        assert typed in page, typed
    assert 'class="errorlist" role="alert"' not in page  # nothing left above the form
    assert Household.objects.count() == 1


def test_a_village_of_another_area_posted_by_hand_is_refused_beside_the_field(client, units, point_operator):
    client.force_login(point_operator)
    form = {"head_name": "Pema", "id_number": valid_id("555"), "members": 2}

    for village in ("540221101202", "540102101201"):
        response = client.post(reverse("registry:household_new"), form | {"village": units[village].pk})
        assert response.status_code == 400
        page = response.content.decode()
        assert is_beside(page, "id_village", "Choose a village of your area.")
        assert 'value="Pema"' in page
    assert is_beside(
        client.post(reverse("registry:household_new"), form | {"village": "540221101201"}).content.decode(),
        "id_village",
        "Choose a village of your area.",
    )  # a code is not a choice
    assert not Household.objects.exists()


def test_a_corrected_id_number_already_in_use_is_refused_beside_it(client, units, point_operator):
    make(point_operator, units, "Dawa", "321")
    household = make(point_operator, units, "Pema", "322")
    client.force_login(point_operator)

    response = client.post(
        reverse("registry:household_edit", kwargs={"pk": household.pk}),
        {"head_name": "Pema D", "members": 3, "id_number": valid_id("321")},
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert is_beside(page, "id_id_number", "already registered to another household")
    assert 'value="Pema D"' in page
    household.refresh_from_db()
    assert household.head_name == "Pema"


def test_an_organisation_is_registered_in_a_unit_chosen_from_the_area(client, units, county_officer):
    client.force_login(county_officer)
    url = reverse("registry:organisation_new")

    unit = field_block(client.get(url).content.decode(), "id_unit")
    assert "540221" in unit and "540102" not in unit

    form = {"kind": OrganisationKind.COOPERATIVE, "name": "Butter coop", "credit_code": "123"}
    bad_code = client.post(url, form | {"unit": units["540221101201"].pk})
    assert bad_code.status_code == 400
    page = bad_code.content.decode()
    assert is_beside(page, "id_credit_code", "18 letters and digits")
    assert 'value="Butter coop"' in page and 'value="123"' in page

    foreign = client.post(url, form | {"unit": units["540102"].pk, "credit_code": ""}).content.decode()
    assert is_beside(foreign, "id_unit", "Choose a unit of your area.")
    assert not Organisation.objects.exists()


@pytest.fixture
def cooperative(units, county_officer):
    return organisation_register(
        by=county_officer, kind=OrganisationKind.COOPERATIVE, name="Butter coop", unit=units["540221"]
    )


def test_the_household_to_link_is_found_by_name_among_the_area_only(
    client, units, county_officer, other_county_officer, cooperative, monkeypatch
):
    monkeypatch.setattr("villagelink.core.pickers.SELECT_LIMIT", 1)  # as in an area of many households
    make(county_officer, units, "Tashi Dolma", "123")
    make(county_officer, units, "Tashi Norbu", "124", village="540221101202")
    make(other_county_officer, units, "Tashi Lhamo", "125", village="540102101201")
    client.force_login(county_officer)

    page = client.get(reverse("registry:organisation_detail", kwargs={"pk": cooperative.pk})).content.decode()
    picker = field_block(page, "id_household")
    assert 'type="search" name="household_q"' in picker and "Tashi" not in picker
    assert reverse("registry:pick_households") + "?field=household" in picker

    found = client.post(reverse("registry:pick_households") + "?field=household", {"household_q": "tashi"})
    text = found.content.decode()
    assert "Tashi Dolma" in text and "Tashi Norbu" in text and "Lhamo" not in text
    assert 'type="radio" name="household"' in text
    by_digits = client.post(
        reverse("registry:pick_households") + "?field=household", {"household_q": valid_id("124")[-4:]}
    ).content.decode()
    assert "Tashi Norbu" in by_digits and "Dolma" not in by_digits


def test_a_household_of_another_area_posted_by_hand_is_not_linked(
    client, units, county_officer, other_county_officer, cooperative
):
    elsewhere = make(other_county_officer, units, "Tashi Lhamo", "125", village="540102101201")
    client.force_login(county_officer)

    response = client.post(
        reverse("registry:organisation_detail", kwargs={"pk": cooperative.pk}),
        {"household": elsewhere.pk, "kind": "member"},
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert is_beside(page, "id_household", "No such household in your area.")
    assert "Lhamo" not in page
    assert not cooperative.households.exists()


def test_a_search_submitted_with_the_form_comes_back_with_its_matches(
    client, units, county_officer, cooperative, monkeypatch
):
    """Without scripts (or on Enter), the search reaches the server with the form: the matches come back."""
    monkeypatch.setattr("villagelink.core.pickers.SELECT_LIMIT", 1)
    member = make(county_officer, units, "Tashi Dolma", "123")
    make(county_officer, units, "Pema", "124")
    client.force_login(county_officer)

    response = client.post(
        reverse("registry:organisation_detail", kwargs={"pk": cooperative.pk}),
        {"household_q": "dolma", "kind": "member"},
    )

    picker = field_block(response.content.decode(), "id_household")
    assert f'value="{member.pk}"' in picker and "Pema" not in picker
    assert 'value="dolma"' in picker and "This field is required." in picker
