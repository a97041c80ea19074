"""The network's forms: units and counties chosen from the person's area; a refused form comes back as typed,
each problem beside its field."""

from django.urls import reverse

from villagelink.core.tests.fields import field_block, is_beside
from villagelink.network.models import Designation, ServiceSite


def test_a_site_serves_a_unit_chosen_from_the_area_only(client, units, county_officer):
    client.force_login(county_officer)

    page = client.get(reverse("network:site_new") + "?unit=540221101201").content.decode()

    unit = field_block(page, "id_unit")
    assert f'<option value="{units["540221101201"].pk}" selected>' in unit
    assert "540221101202" in unit and "540102" not in unit


def test_a_refused_site_keeps_what_was_typed_and_shows_each_problem_beside_its_field(
    client, units, county_officer
):
    client.force_login(county_officer)
    form = {
        "kind": "county_centre",
        "unit": units["540221101201"].pk,  # a village: no county centre there
        "name": "Namling centre",
        "address": "Main street 1",
        "opened_on": "2017-03-01",
        "closed_on": "2016-01-01",
    }

    response = client.post(reverse("network:site_new"), form)

    assert response.status_code == 400
    page = response.content.decode()
    assert is_beside(page, "id_unit", "belongs to a county")
    assert is_beside(page, "id_closed_on", "is before the opening date")
    for typed in (
        'value="Namling centre"',
        'value="Main street 1"',
        'value="2017-03-01"',
        'value="2016-01-01"',
    ):
        assert typed in page, typed
    assert f'<option value="{units["540221101201"].pk}" selected>' in page
    assert not ServiceSite.objects.exists()


def test_a_unit_of_another_area_posted_by_hand_is_refused_beside_the_field(client, units, county_officer):
    client.force_login(county_officer)

    response = client.post(
        reverse("network:site_new"),
        {"kind": "county_centre", "unit": units["540102"].pk, "name": "X", "opened_on": "2017-03-01"},
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert is_beside(page, "id_unit", "Choose a county, township or village of your area.")
    assert "540102" not in page
    assert not ServiceSite.objects.exists()


def test_the_designation_form_offers_the_counties_of_the_area(client, units, region_officer, county_officer):
    client.force_login(county_officer)
    county = field_block(client.get(reverse("network:designations")).content.decode(), "id_county")
    assert f'<option value="{units["540221"].pk}" selected>' in county and "540102" not in county

    client.force_login(region_officer)  # the region's many counties: a search among them
    county = field_block(client.get(reverse("network:designations")).content.decode(), "id_county")
    assert 'type="search" name="county_q"' in county and "<option" not in county
    found = client.post(reverse("geo:pick_counties") + "?field=county", {"county_q": "5402"}).content.decode()
    assert "540221" in found and "540102" not in found and "540221101" not in found

    client.force_login(county_officer)
    found = client.post(reverse("geo:pick_counties") + "?field=county", {"county_q": "540"}).content.decode()
    assert "540221" in found and "5402" in found and "540102" not in found


def test_a_refused_designation_keeps_what_was_typed_beside_each_field(client, units, county_officer):
    client.force_login(county_officer)
    url = reverse("network:designations")
    assert client.post(url, {"county": units["540221"].pk, "year": 2016, "batch": 1}).status_code == 302

    again = client.post(url, {"county": units["540221"].pk, "year": 2019, "batch": 2, "note": "second"})
    assert again.status_code == 400
    page = again.content.decode()
    assert is_beside(page, "id_county", "already designated in 2016")
    assert 'value="2019"' in page and 'value="second"' in page

    foreign = client.post(url, {"county": units["540102"].pk, "year": 2019, "batch": 1}).content.decode()
    assert is_beside(foreign, "id_county", "Choose a county of your area.")
    assert Designation.objects.count() == 1
