import datetime

import pytest
from django.db import IntegrityError, transaction

from villagelink.accounts.models import Role
from villagelink.network.models import Designation, ServiceSite, SiteKind
from villagelink.network.services import (
    NetworkError,
    SiteData,
    designation_record,
    site_open,
    site_operator_assign,
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


def test_assigning_an_operator_sets_their_role_and_scope(units, county_officer):
    from conftest import make_user

    point = site_open(
        by=county_officer, kind=SiteKind.VILLAGE_POINT, unit=units["540221101202"], data=data("P")
    )
    person = make_user("new-operator", Role.BUYER)
    site_operator_assign(by=county_officer, site=point, user=person)
    person.refresh_from_db()
    assert (person.role, person.scope_unit.code) == (Role.SITE_OPERATOR, "540221101202")
    with pytest.raises(NetworkError, match="officer or administrator"):
        site_operator_assign(by=county_officer, site=point, user=county_officer)


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
