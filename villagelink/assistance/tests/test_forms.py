"""Recording assistance on a phone: the household found by name or the last 4 ID digits, the site chosen from
the area's sites, never a number from a page's address; a refused entry comes back as typed, each problem
beside its field."""

import datetime

import pytest
from django.urls import reverse

from villagelink.assistance.models import AssistanceEvent
from villagelink.core.tests.fields import field_block, is_beside
from villagelink.network.models import SiteKind
from villagelink.network.services import SiteData, site_open

from .test_views import OTHER_VILLAGE, VILLAGE, household

PICK = reverse("registry:pick_households") + "?field=household"


def _point(by, units, code, name):
    return site_open(
        by=by,
        kind=SiteKind.VILLAGE_POINT,
        unit=units[code],
        data=SiteData(name=name, opened_on=datetime.date(2016, 1, 1)),
    )


@pytest.fixture
def scene(units, county_officer, other_county_officer):
    return {
        "dorje": household(county_officer, units, "001", name="Tashi Dorje"),
        "norbu": household(county_officer, units, "002", village=OTHER_VILLAGE, name="Tashi Norbu"),
        "lhamo": household(other_county_officer, units, "003", village="540102101201", name="Tashi Lhamo"),
        "point": _point(county_officer, units, VILLAGE, "Namling point"),
        "other": _point(county_officer, units, OTHER_VILLAGE, "Village 2 point"),
        "lhasa": _point(other_county_officer, units, "540102101201", "Lhasa point"),
    }


def test_the_household_is_searched_by_name_or_id_digits_among_the_area_only(
    client, units, county_officer, point_operator, scene, monkeypatch
):
    monkeypatch.setattr("villagelink.core.pickers.SELECT_LIMIT", 1)  # as in an area of many households
    client.force_login(county_officer)

    page = client.get(reverse("assistance:event_new")).content.decode()

    picker = field_block(page, "id_household")
    assert 'type="search" name="household_q"' in picker and f'hx-post="{PICK}"' in picker.replace(
        "&amp;", "&"
    )
    assert "number in the address" not in page
    found = client.post(PICK, {"household_q": "Tashi"}).content.decode()
    assert "Tashi Dorje" in found and "Tashi Norbu" in found and "Lhamo" not in found
    by_digits = client.post(PICK, {"household_q": scene["norbu"].id_last4}).content.decode()
    assert "Tashi Norbu" in by_digits and "Dorje" not in by_digits

    client.force_login(point_operator)  # one village: the other village's household is not found
    found = client.post(PICK, {"household_q": "Tashi"}).content.decode()
    assert "Tashi Dorje" in found and "Norbu" not in found


def test_the_site_is_chosen_among_the_sites_of_the_area(client, units, point_operator, county_officer, scene):
    client.force_login(county_officer)
    sites = field_block(client.get(reverse("assistance:event_new")).content.decode(), "id_site")
    assert "Namling point" in sites and "Village 2 point" in sites and "Lhasa" not in sites

    client.force_login(point_operator)
    sites = field_block(client.get(reverse("assistance:event_new")).content.decode(), "id_site")
    assert "Namling point" in sites and "Village 2 point" not in sites


def test_a_refused_entry_keeps_what_was_typed_and_shows_each_problem_beside_its_field(
    client, units, county_officer, scene
):
    client.force_login(county_officer)
    form = {
        "household": scene["dorje"].pk,
        "kind": "logistics",
        "day": "2999-01-01",
        "site": scene["other"].pk,  # does not serve Dorje's village
        "amount": "12.50",
        "note": "Parcels",
    }

    response = client.post(reverse("assistance:event_new"), form)

    assert response.status_code == 400
    page = response.content.decode()
    assert is_beside(page, "id_day", "is in the future")
    assert is_beside(page, "id_site", "does not serve the household")
    assert 'value="2999-01-01"' in page and 'value="12.50"' in page and 'value="Parcels"' in page
    assert f'<option value="{scene["dorje"].pk}" selected>' in page
    assert f'<option value="{scene["other"].pk}" selected>' in page
    assert not AssistanceEvent.objects.exists()


def test_a_household_or_site_of_another_area_posted_by_hand_is_refused_beside_its_field(
    client, units, point_operator, scene
):
    client.force_login(point_operator)

    response = client.post(
        reverse("assistance:event_new"),
        {"household": scene["norbu"].pk, "kind": "logistics", "day": "2018-05-04", "site": scene["lhasa"].pk},
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert is_beside(page, "id_household", "No such household in your area.")
    assert is_beside(page, "id_site", "No such service site in your area.")
    assert "Norbu" not in page and "Lhasa" not in page
    assert not AssistanceEvent.objects.exists()
