import datetime

import pytest
from django.db import transaction

from villagelink.assistance.models import AppendOnly, AssistanceEvent, AssistanceKind
from villagelink.assistance.selectors import assistance_list, assistance_totals
from villagelink.assistance.services import (
    AssistanceError,
    assistance_record,
    assistance_reverse,
    training_record,
)
from villagelink.network.models import SiteKind
from villagelink.network.services import SiteData, site_open
from villagelink.registry.idnumbers import check_digit
from villagelink.registry.services import HouseholdData, household_register

DAY = datetime.date(2018, 5, 4)


def household(by, units, serial, village="540221101201", poor=2015):
    first17 = f"{village[:6]}19800101{serial}"
    return household_register(
        by=by,
        village=units[village],
        id_number=first17 + check_digit(first17),
        data=HouseholdData(head_name=f"H{serial}", registered_poor_in=poor),
    )


@pytest.fixture
def point(units, county_officer):
    return site_open(
        by=county_officer,
        kind=SiteKind.VILLAGE_POINT,
        unit=units["540221101201"],
        data=SiteData(
            name="Point",
            opened_on=datetime.date(2016, 1, 1),
            services=frozenset({"offers_training", "offers_assisted_sale"}),
        ),
    )


def test_events_are_recorded_and_counted(units, point_operator, point):
    a = household(point_operator, units, "001")
    b = household(point_operator, units, "002")
    assistance_record(by=point_operator, household=a, kind=AssistanceKind.LOGISTICS, day=DAY, site=point)
    assistance_record(
        by=point_operator, household=a, kind=AssistanceKind.SALE_BROKERED, day=DAY, amount_fen=5000
    )
    assistance_record(by=point_operator, household=b, kind=AssistanceKind.OTHER, day=DAY)
    assert assistance_totals(assistance_list(user=point_operator)) == {"events": 3, "households": 2}


def test_an_event_can_be_neither_updated_nor_deleted(units, point_operator):
    event = assistance_record(
        by=point_operator, household=household(point_operator, units, "001"), kind="training", day=DAY
    )
    event.note = "changed"
    with pytest.raises(AppendOnly):
        event.save()
    with pytest.raises(AppendOnly):
        event.delete()
    with pytest.raises(AppendOnly):
        AssistanceEvent.objects.filter(pk=event.pk).update(note="changed")
    with pytest.raises(AppendOnly):
        AssistanceEvent.objects.filter(pk=event.pk).delete()
    event.refresh_from_db()
    assert event.note == ""


def test_a_reversal_nets_the_event_out_of_every_count(units, point_operator):
    a = household(point_operator, units, "001")
    kept = assistance_record(by=point_operator, household=a, kind="training", day=DAY)
    wrong = assistance_record(
        by=point_operator, household=household(point_operator, units, "002"), kind="training", day=DAY
    )
    reversal = assistance_reverse(by=point_operator, event=wrong, reason="entered for the wrong household")
    assert (reversal.sign, reversal.reverses, reversal.day) == (-1, wrong, wrong.day)
    events = assistance_list(user=point_operator)
    assert assistance_totals(events) == {"events": 1, "households": 1}
    assert assistance_totals(assistance_list(user=point_operator, kind="training", start=DAY, end=DAY)) == {
        "events": 1,
        "households": 1,
    }
    with pytest.raises(AssistanceError, match="already been reversed"):
        assistance_reverse(by=point_operator, event=wrong, reason="again")
    with pytest.raises(AssistanceError, match="cannot itself be reversed"):
        assistance_reverse(by=point_operator, event=reversal, reason="undo")
    assert kept.pk in {e.pk for e in events}


def test_the_database_refuses_a_reversal_without_its_original(units, point_operator):
    from django.db import IntegrityError

    a = household(point_operator, units, "001")
    with pytest.raises(IntegrityError), transaction.atomic():
        AssistanceEvent.objects.create(household=a, kind="training", day=DAY, sign=-1)


def test_help_outside_the_area_or_in_the_future_is_refused(units, point_operator, county_officer):
    elsewhere = household(county_officer, units, "009", village="540221101202")
    with pytest.raises(AssistanceError, match="outside your area"):
        assistance_record(by=point_operator, household=elsewhere, kind="training", day=DAY)
    mine = household(point_operator, units, "001")
    with pytest.raises(AssistanceError, match="in the future"):
        assistance_record(by=point_operator, household=mine, kind="training", day=datetime.date(2999, 1, 1))
    assert not AssistanceEvent.objects.exists()


def test_a_training_session_records_one_event_per_attending_household(units, point_operator, point):
    attendees = [household(point_operator, units, f"00{i}") for i in range(3)]
    session = training_record(
        by=point_operator, site=point, day=DAY, topic="Photographing products", households=attendees
    )
    assert session.events.count() == 3
    assert {e.household for e in session.events.all()} == set(attendees)
    assert all(e.kind == "training" for e in session.events.all())
