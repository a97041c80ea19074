from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from villagelink.geo.selectors import unit_children_with_counts


def test_the_tree_starts_at_the_persons_own_unit(client, county_officer):
    client.force_login(county_officer)
    html = client.get(reverse("geo:unit_tree")).content.decode()
    assert "<h1>Namling County" in html
    assert "Namling Township" in html


def test_an_administrator_starts_at_the_regions(client, admin_user):
    client.force_login(admin_user)
    html = client.get(reverse("geo:unit_tree")).content.decode()
    assert "Tibet Autonomous Region" in html


def test_drill_down_shows_children_with_counts_of_units_below(client, region_officer):
    client.force_login(region_officer)
    response = client.get(reverse("geo:unit_detail", kwargs={"code": "540200"}))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Namling County" in html
    # Namling has one township and two villages below it
    namling = next(c for c in response.context["children"] if c[0].unit.code == "540221")
    assert dict(namling[1]) == {"Townships": 1, "Villages": 2}


def test_breadcrumbs_stop_at_the_persons_scope(client, county_officer):
    client.force_login(county_officer)
    response = client.get(reverse("geo:unit_detail", kwargs={"code": "540221101201"}))
    assert [u.code for u in response.context["ancestors"]] == ["540221", "540221101"]


def test_a_unit_outside_the_scope_is_not_found(client, county_officer):
    client.force_login(county_officer)
    response = client.get(reverse("geo:unit_detail", kwargs={"code": "540200"}))
    assert response.status_code == 404
    assert "outside your area" in response.content.decode()


def test_a_person_without_a_scope_sees_no_units(client, units):
    from conftest import make_user
    from villagelink.accounts.models import Role

    client.force_login(make_user("buyer", Role.BUYER))
    response = client.get(reverse("geo:unit_tree"))
    assert "no area assigned" in response.content.decode()
    assert client.get(reverse("geo:unit_detail", kwargs={"code": "540000"})).status_code == 404


def test_anonymous_people_are_sent_to_log_in(client, units):
    response = client.get(reverse("geo:unit_detail", kwargs={"code": "540000"}))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_child_counts_take_two_queries_whatever_the_number_of_children(units):
    region = units["540000"]
    with CaptureQueriesContext(connection) as queries:
        summaries = unit_children_with_counts(unit=region)
    assert len(summaries) == 7
    assert len(queries) == 2
    shigatse = next(s for s in summaries if s.unit.code == "540200")
    assert shigatse.counts == {"county": 18, "township": 1, "village": 2}
