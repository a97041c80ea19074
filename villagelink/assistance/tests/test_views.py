import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import make_user
from villagelink.accounts.models import Role
from villagelink.assistance.models import AssistanceEvent, AssistanceKind, TrainingSession
from villagelink.assistance.services import assistance_record, assistance_reverse
from villagelink.network.models import SiteKind
from villagelink.network.services import SiteData, site_open
from villagelink.registry.idnumbers import check_digit
from villagelink.registry.services import HouseholdData, household_register

DAY = datetime.date(2018, 5, 4)
VILLAGE, OTHER_VILLAGE = "540221101201", "540221101202"


def household(by, units, serial, village=VILLAGE, name=None):
    first17 = f"{village[:6]}19800101{serial}"
    return household_register(
        by=by,
        village=units[village],
        id_number=first17 + check_digit(first17),
        data=HouseholdData(head_name=name or f"Head {serial}", registered_poor_in=2015),
    )


def record(by, who, kind=AssistanceKind.LOGISTICS, day=DAY, **extra):
    return assistance_record(by=by, household=who, kind=kind, day=day, **extra)


def totals(response):
    return response.context["totals"]


@pytest.fixture
def point(units, county_officer):
    return site_open(
        by=county_officer,
        kind=SiteKind.VILLAGE_POINT,
        unit=units[VILLAGE],
        data=SiteData(
            name="Namling point",
            opened_on=datetime.date(2016, 1, 1),
            services=frozenset({"offers_assisted_sale", "offers_training"}),
        ),
    )


@pytest.fixture
def dorje(units, point_operator):
    return household(point_operator, units, "001", name="Tashi Dorje")


def test_the_ledger_takes_a_fixed_number_of_queries(client, units, point_operator, point, dorje):
    for i in range(3):
        record(point_operator, dorje, site=point, amount_fen=100 * i)
    client.force_login(point_operator)
    with CaptureQueriesContext(connection) as few:
        client.get("/assistance/")
    # more rows, of every sort: reversed originals and their reversals, with and without site and amount
    for i in range(3, 20, 2):
        assistance_reverse(by=point_operator, event=record(point_operator, dorje), reason=f"Mistake {i}")
    record(point_operator, dorje, site=point)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/assistance/")
    assert len(response.context["page"]) == 22
    assert len(many) == len(few)
    page = response.content.decode()
    assert 'data-testid="reversed"' in page and 'data-testid="reversal"' in page


def test_the_ledger_filters_by_kind_and_dates(client, units, point_operator, dorje):
    record(point_operator, dorje, kind=AssistanceKind.TRAINING, day=datetime.date(2018, 1, 10))
    record(point_operator, dorje, kind=AssistanceKind.LOGISTICS, day=datetime.date(2018, 6, 10))
    client.force_login(point_operator)

    def kinds(**params):
        return [e.kind for e in client.get("/assistance/", params).context["page"]]

    assert kinds() == ["logistics", "training"]
    assert kinds(kind="training") == ["training"]
    assert kinds(start="2018-03-01") == ["logistics"]
    assert kinds(end="2018-03-01") == ["training"]
    assert kinds(start="not a date", kind="nonsense") == ["logistics", "training"]  # ignored, not an error
    assert kinds(household=dorje.pk) == ["logistics", "training"]


def test_recording_assistance_through_the_form(client, units, point_operator, point, dorje):
    client.force_login(point_operator)
    assert client.get(f"/assistance/new/?household={dorje.pk}").context["form"]["household"].value() == (
        dorje.pk
    )
    form = {"household": dorje.pk, "kind": "sale_brokered", "day": "2018-05-04", "site": point.pk}
    response = client.post("/assistance/new/", form | {"amount": "120.50", "note": "Sold 3 kg of butter"})
    event = AssistanceEvent.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/assistance/{event.pk}/"
    assert (event.household, event.kind, event.site, event.amount_fen, event.recorded_by) == (
        dorje,
        "sale_brokered",
        point,
        12050,
        point_operator,
    )


def test_the_record_form_shows_what_is_wrong_and_writes_nothing(
    client, units, point_operator, county_officer, dorje
):
    elsewhere = household(county_officer, units, "002", village=OTHER_VILLAGE)
    other_point = site_open(
        by=county_officer,
        kind=SiteKind.VILLAGE_POINT,
        unit=units[OTHER_VILLAGE],
        data=SiteData(name="Other point", opened_on=datetime.date(2016, 1, 1)),
    )
    client.force_login(county_officer)
    form = {"household": dorje.pk, "kind": "logistics", "day": "2018-05-04"}

    def problems(**changes):
        return client.post("/assistance/new/", form | changes).content.decode()

    assert "is in the future; record help once it has been given." in problems(day="2999-01-01")
    assert "does not serve the household&#x27;s village" in problems(site=other_point.pk)
    assert "is not an amount in yuan" in problems(amount="a lot")
    assert "An amount cannot be negative" in problems(amount="-5")
    client.force_login(point_operator)
    assert "No such household in your area." in problems(household=elsewhere.pk)
    assert "No such service site in your area." in problems(site=other_point.pk)
    assert not AssistanceEvent.objects.exists()


def test_a_reversal_through_the_page_nets_the_entry_out_of_the_totals(client, units, point_operator, dorje):
    event = record(point_operator, dorje, amount_fen=5000)
    client.force_login(point_operator)
    assert totals(client.get("/assistance/")) == {"events": 1, "households": 1}

    refused = client.post(f"/assistance/{event.pk}/reverse/", {"reason": ""})
    assert "Say why the entry is reversed." in refused.content.decode()
    assert AssistanceEvent.objects.count() == 1

    response = client.post(f"/assistance/{event.pk}/reverse/", {"reason": "Recorded twice"})
    assert response.status_code == 302 and response["Location"] == f"/assistance/{event.pk}/"
    ledger = client.get("/assistance/")
    assert totals(ledger) == {"events": 0, "households": 0}
    page = ledger.content.decode()
    assert f"Reversal of #{event.pk}" in page and 'data-testid="reversed"' in page
    assert "−¥50.00" in page

    detail = client.get(f"/assistance/{event.pk}/").content.decode()
    assert "Recorded twice" in detail and "Reverse this entry" not in detail
    again = client.post(f"/assistance/{event.pk}/reverse/", {"reason": "Again"})
    assert "This entry has already been reversed." in again.content.decode()
    reversal = AssistanceEvent.objects.get(reverses=event)
    itself = client.post(f"/assistance/{reversal.pk}/reverse/", {"reason": "Undo"})
    assert "A reversal cannot itself be reversed" in itself.content.decode()
    assert AssistanceEvent.objects.count() == 2


def test_reversing_is_post_only(client, units, point_operator, dorje):
    event = record(point_operator, dorje)
    client.force_login(point_operator)
    assert client.get(f"/assistance/{event.pk}/reverse/").status_code == 405
    assert AssistanceEvent.objects.count() == 1


def test_an_operator_gets_404_for_the_entries_of_another_village(
    client, units, county_officer, point_operator
):
    elsewhere = household(county_officer, units, "009", village=OTHER_VILLAGE)
    event = record(county_officer, elsewhere)
    client.force_login(point_operator)
    assert client.get(f"/assistance/{event.pk}/").status_code == 404
    assert client.post(f"/assistance/{event.pk}/reverse/", {"reason": "x"}).status_code == 404
    assert client.get("/assistance/", {"household": elsewhere.pk}).status_code == 404
    ledger = client.get("/assistance/")
    assert list(ledger.context["page"]) == [] and totals(ledger) == {"events": 0, "households": 0}
    assert AssistanceEvent.objects.count() == 1


def test_recording_a_training_session_with_the_households_that_attended(
    client, units, point_operator, county_officer, point, dorje
):
    pema = household(point_operator, units, "002", name="Pema Lhamo")
    household(county_officer, units, "003", village=OTHER_VILLAGE, name="Norbu Elsewhere")
    client.force_login(point_operator)
    chooser = client.get("/assistance/training/new/").content.decode()
    assert "Namling point" in chooser
    form_page = client.get(f"/assistance/training/new/?site={point.pk}")
    offered = [label for _value, label in form_page.context["form"].fields["households"].choices]
    assert [label.split(" · ")[0] for label in offered] == ["Pema Lhamo", "Tashi Dorje"]

    url = f"/assistance/training/new/?site={point.pk}"
    form = {"day": "2018-05-04", "topic": "Taking product photos"}
    none = client.post(url, form)
    assert "Choose the households that attended." in none.content.decode()
    assert not TrainingSession.objects.exists()

    response = client.post(url, form | {"households": [dorje.pk, pema.pk]})
    assert response.status_code == 302
    session = TrainingSession.objects.get()
    assert sorted(e.household.head_name for e in session.events.all()) == ["Pema Lhamo", "Tashi Dorje"]


def test_training_at_a_site_without_training_or_outside_the_area_is_refused(
    client, units, point_operator, county_officer, dorje
):
    plain = site_open(
        by=county_officer,
        kind=SiteKind.VILLAGE_POINT,
        unit=units[VILLAGE],
        data=SiteData(name="Plain point", opened_on=datetime.date(2016, 1, 1)),
    )
    elsewhere = site_open(
        by=county_officer,
        kind=SiteKind.VILLAGE_POINT,
        unit=units[OTHER_VILLAGE],
        data=SiteData(name="Other point", opened_on=datetime.date(2016, 1, 1)),
    )
    client.force_login(point_operator)
    response = client.post(
        f"/assistance/training/new/?site={plain.pk}",
        {"day": "2018-05-04", "topic": "Photos", "households": [dorje.pk]},
    )
    assert "does not offer training; mark the service on the site first." in response.content.decode()
    assert client.get(f"/assistance/training/new/?site={elsewhere.pk}").status_code == 404
    assert not TrainingSession.objects.exists() and not AssistanceEvent.objects.exists()


def test_only_people_who_work_in_the_registry_record_assistance(client, units, point_operator, dorje):
    seller = make_user("seller", Role.SELLER, units[VILLAGE])
    client.force_login(seller)
    assert client.get("/assistance/new/").status_code == 403
    assert client.get("/assistance/training/new/").status_code == 403
    assert client.post("/assistance/new/", {"household": dorje.pk}).status_code == 403
    assert not AssistanceEvent.objects.exists()
