"""The catalogue's forms: the shop's household, organisation and helping site, and a product's origin, are
chosen from the person's area; a refused form comes back as typed, each problem beside its field."""

import datetime

import pytest
from django.urls import reverse

from villagelink.catalog.models import Product, Shop
from villagelink.core.tests.fields import field_block, is_beside
from villagelink.network.models import SiteKind
from villagelink.network.services import SiteData, site_open
from villagelink.registry.models import OrganisationKind
from villagelink.registry.services import organisation_register

from .test_views import OTHER_VILLAGE, VILLAGE, household, shop

OPENED_SITE = datetime.date(2016, 1, 1)


@pytest.fixture
def owner(units, point_operator):
    return household(point_operator, units, "001")


def _site(by, units, code, name):
    return site_open(
        by=by, kind=SiteKind.VILLAGE_POINT, unit=units[code], data=SiteData(name=name, opened_on=OPENED_SITE)
    )


def test_the_shop_form_offers_the_households_organisations_and_sites_of_the_area_only(
    client, units, county_officer, other_county_officer, owner
):
    mine = household(county_officer, units, "002", village=OTHER_VILLAGE)
    foreign = household(other_county_officer, units, "003", village="540102101201")
    organisation_register(
        by=county_officer, kind=OrganisationKind.COOPERATIVE, name="Namling co-op", unit=units[VILLAGE]
    )
    organisation_register(
        by=other_county_officer, kind=OrganisationKind.COOPERATIVE, name="Lhasa co-op", unit=units["540102"]
    )
    _site(county_officer, units, VILLAGE, "Namling point")
    _site(other_county_officer, units, "540102101201", "Lhasa point")
    client.force_login(county_officer)

    page = client.get(reverse("catalog:shop_new")).content.decode()

    households = field_block(page, "id_household")
    assert "Head 001" in households and mine.head_name in households and foreign.head_name not in households
    organisations = field_block(page, "id_organisation")
    assert "Namling co-op" in organisations and "Lhasa co-op" not in organisations
    sites = field_block(page, "id_site")
    assert "Namling point" in sites and "Lhasa point" not in sites


def test_a_refused_shop_keeps_what_was_typed_and_shows_each_problem_beside_its_field(
    client, units, county_officer, owner
):
    elsewhere = _site(county_officer, units, OTHER_VILLAGE, "Village 2 point")  # does not serve the owner
    client.force_login(county_officer)
    form = {
        "name": "Tsampa",
        "household": owner.pk,
        "platform": "taobao",  # needs the shop's id there
        "opened_on": "2999-01-01",
        "site": elsewhere.pk,
    }

    response = client.post(reverse("catalog:shop_new"), form)

    assert response.status_code == 400
    page = response.content.decode()
    assert is_beside(page, "id_external_id", "Give the shop&#x27;s id or address on Taobao / Tmall.")
    assert is_beside(page, "id_opened_on", "The opening date is in the future.")
    assert is_beside(page, "id_site", "does not serve")
    assert 'value="Tsampa"' in page and 'value="2999-01-01"' in page
    assert (
        f'<option value="{owner.pk}" selected>' in page
        and f'<option value="{elsewhere.pk}" selected>' in page
    )
    assert not Shop.objects.exists()


def test_ids_of_another_area_posted_by_hand_are_refused_beside_their_fields(
    client, units, point_operator, other_county_officer, owner
):
    foreign = household(other_county_officer, units, "003", village="540102101201")
    lhasa_site = _site(other_county_officer, units, "540102101201", "Lhasa point")
    coop = organisation_register(
        by=other_county_officer, kind=OrganisationKind.COOPERATIVE, name="Lhasa co-op", unit=units["540102"]
    )
    client.force_login(point_operator)
    form = {"name": "Tsampa", "platform": "storefront", "opened_on": "2018-04-02"}

    page = client.post(
        reverse("catalog:shop_new"),
        form | {"household": foreign.pk, "organisation": coop.pk, "site": lhasa_site.pk},
    ).content.decode()

    assert is_beside(page, "id_household", "No such household in your area.")
    assert is_beside(page, "id_organisation", "No such cooperative or enterprise in your area.")
    assert is_beside(page, "id_site", "No such service site in your area.")
    assert "Lhasa" not in page and foreign.head_name not in page
    assert not Shop.objects.exists()


def test_a_refused_product_keeps_what_was_typed_beside_each_field(client, units, county_officer, owner):
    butter = shop(county_officer, owner)
    client.force_login(county_officer)
    url = reverse("catalog:shop_product_new", kwargs={"pk": butter.pk})

    origin = field_block(client.get(url).content.decode(), "id_origin_village")
    assert VILLAGE in origin and OTHER_VILLAGE in origin and "540102" not in origin

    response = client.post(
        url,
        {
            "name_zh": "酥油",
            "name_en": "Butter",
            "category": "dairy",
            "price": "0",
            "unit_label": "500 g",
            "stock": 3,
            "origin_village": units["540102101201"].pk,
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert is_beside(page, "id_origin_village", "Choose a village of your area.")
    assert 'value="Butter"' in page and 'value="500 g"' in page

    priced = client.post(
        url,
        {
            "name_zh": "酥油",
            "name_en": "Butter",
            "category": "dairy",
            "price": "0",
            "unit_label": "500 g",
            "stock": 3,
        },
    ).content.decode()
    assert is_beside(priced, "id_price", "The price must be more than zero.")
    assert not Product.objects.exists()
