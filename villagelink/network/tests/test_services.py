import datetime

import pytest
from django.db import IntegrityError, transaction

from conftest import PASSWORD, make_user
from villagelink.accounts.models import Role
from villagelink.core.exceptions import ApplicationError
from villagelink.network.models import Designation, ServiceSite, SiteKind, SiteOperator
from villagelink.network.services import (
    NetworkError,
    SiteData,
    designation_record,
    site_open,
    site_operator_assign,
    site_operator_create,
    site_update,
)

OPENED = datetime.date(2016, 5, 1)


def data(name="Namling centre", **kw):
    return SiteData(name=name, opened_on=kw.pop("opened_on", OPENED), **kw)


def test_an_officer_opens_sites_of_the_matching_level(units, county_officer):
    centre = site_open(by=county_officer, kind=SiteKind.COUNTY_CENTRE, unit=units["540221"], data=data())
    station = site_open(
        by=county_officer, kind=SiteKind.TOWNSHIP_STATION, unit=units["540221101"], data=data("Station")
    )
    point = site_open(
        by=county_officer, kind=SiteKind.VILLAGE_POINT, unit=units["540221101201"], data=data("Point")
    )
    assert [s.kind for s in (centre, station, point)] == [
        "county_centre",
        "township_station",
        "village_point",
    ]
    assert centre.offers_assisted_purchase and not centre.offers_training


def test_a_site_must_match_its_units_level(units, county_officer):
    with pytest.raises(NetworkError, match="belongs to a county"):
        site_open(by=county_officer, kind=SiteKind.COUNTY_CENTRE, unit=units["540221101"], data=data())
    assert not ServiceSite.objects.exists()


def test_a_county_has_at_most_one_open_centre(units, county_officer):
    site_open(by=county_officer, kind=SiteKind.COUNTY_CENTRE, unit=units["540221"], data=data())
    with pytest.raises(NetworkError, match="already has an open county centre"):
        site_open(by=county_officer, kind=SiteKind.COUNTY_CENTRE, unit=units["540221"], data=data("Second"))
    assert ServiceSite.objects.count() == 1
    # once the first is closed, a new one may open
    first = ServiceSite.objects.get()
    site_update(by=county_officer, site=first, data=data(closed_on=datetime.date(2018, 1, 1)))
    site_open(by=county_officer, kind=SiteKind.COUNTY_CENTRE, unit=units["540221"], data=data("Second"))
    assert ServiceSite.objects.count() == 2


def test_the_database_itself_refuses_a_second_open_centre(units):
    ServiceSite.objects.create(kind=SiteKind.COUNTY_CENTRE, unit=units["540221"], name="A", opened_on=OPENED)
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceSite.objects.create(
            kind=SiteKind.COUNTY_CENTRE, unit=units["540221"], name="B", opened_on=OPENED
        )


def test_closing_before_opening_is_refused(units, county_officer):
    with pytest.raises(NetworkError, match="before the opening date"):
        site_open(
            by=county_officer,
            kind=SiteKind.COUNTY_CENTRE,
            unit=units["540221"],
            data=data(closed_on=datetime.date(2015, 1, 1)),
        )


def test_sites_outside_the_area_or_by_operators_are_refused(units, county_officer, point_operator):
    with pytest.raises(NetworkError, match="outside your area"):
        site_open(by=county_officer, kind=SiteKind.COUNTY_CENTRE, unit=units["540102"], data=data())
    with pytest.raises(NetworkError, match="Only officers and administrators"):
        site_open(by=point_operator, kind=SiteKind.VILLAGE_POINT, unit=units["540221101201"], data=data())
    assert not ServiceSite.objects.exists()


def test_an_officer_creates_an_operator_for_a_site_or_moves_one_of_their_area(units, county_officer):
    point = site_open(
        by=county_officer, kind=SiteKind.VILLAGE_POINT, unit=units["540221101202"], data=data("P")
    )
    other = site_open(
        by=county_officer, kind=SiteKind.VILLAGE_POINT, unit=units["540221101201"], data=data("Q")
    )
    # a new account for the site
    created = site_operator_create(
        by=county_officer, site=point, username="new-operator", password=PASSWORD, first_name="Pema"
    )
    person = created.user
    person.refresh_from_db()
    assert (person.role, person.scope_unit.code, created.site) == (Role.SITE_OPERATOR, "540221101202", point)
    # the same operator moved to another site of the county
    moved = site_operator_assign(by=county_officer, site=other, user=person)
    person.refresh_from_db()
    assert (person.scope_unit.code, moved.site) == ("540221101201", other)
    assert SiteOperator.objects.filter(user=person).count() == 1


@pytest.fixture
def namling_point(units, county_officer):
    return site_open(
        by=county_officer, kind=SiteKind.VILLAGE_POINT, unit=units["540221101201"], data=data("Namling point")
    )


@pytest.fixture
def lhasa_operator(units, admin_user):
    """The operator of a Lhasa village point."""
    site = site_open(
        by=admin_user, kind=SiteKind.VILLAGE_POINT, unit=units["540102101201"], data=data("Lhasa point")
    )
    created = site_operator_create(by=admin_user, site=site, username="lhasa-operator", password=PASSWORD)
    return created.user


def test_an_officer_takes_over_no_account_of_another_area_or_kind(
    units, county_officer, other_county_officer, namling_point, lhasa_operator
):
    # given an operator of a Lhasa site, a seller, a buyer, officers and an administrator
    accounts = [
        lhasa_operator,
        make_user("seller", Role.SELLER, units["540221101201"]),
        make_user("buyer", Role.BUYER),
        other_county_officer,
        make_user("deputy", Role.OFFICER, units["540221"]),
        make_user("root2", Role.ADMINISTRATOR, None, is_staff=True, is_superuser=True),
        None,  # a name that matches no account
    ]
    before = [(u.role, u.scope_unit_id) for u in accounts if u]
    operators_before = list(SiteOperator.objects.values_list("user", "site"))
    answers = set()
    # when the Namling county officer tries to make each an operator of a Namling site
    for user in accounts:
        with pytest.raises(ApplicationError) as error:
            site_operator_assign(by=county_officer, site=namling_point, user=user)
        answers.add(error.value.message)
    # then every try is refused with one answer, and nothing changed: the Lhasa site keeps its operator
    assert len(answers) == 1
    for user in accounts:
        if user:
            user.refresh_from_db()
    assert [(u.role, u.scope_unit_id) for u in accounts if u] == before
    assert list(SiteOperator.objects.values_list("user", "site")) == operators_before


def test_only_counties_are_designated_and_only_once(units, region_officer):
    designation_record(by=region_officer, county=units["540221"], year=2016)
    with pytest.raises(NetworkError, match="already designated in 2016"):
        designation_record(by=region_officer, county=units["540221"], year=2019)
    with pytest.raises(NetworkError, match="Only counties can be designated"):
        designation_record(by=region_officer, county=units["540200"], year=2016)
    with pytest.raises(NetworkError, match="not plausible"):
        designation_record(by=region_officer, county=units["540102"], year=1999)
    assert list(Designation.objects.values_list("county__code", "year")) == [("540221", 2016)]


def test_a_county_officer_cannot_designate_another_county(units, county_officer):
    with pytest.raises(NetworkError, match="outside your area"):
        designation_record(by=county_officer, county=units["540102"], year=2016)
