import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from villagelink.network.models import ServiceSite, SiteKind
from villagelink.network.selectors import coverage_for
from villagelink.network.services import SiteData, designation_record, site_open

DAY = datetime.date(2019, 6, 30)


def open_site(by, kind, unit, name, opened=datetime.date(2016, 1, 1), closed=None):
    return site_open(
        by=by, kind=kind, unit=unit, data=SiteData(name=name, opened_on=opened, closed_on=closed)
    )


def test_coverage_counts_units_with_an_open_site_of_their_kind(units, region_officer):
    open_site(region_officer, SiteKind.COUNTY_CENTRE, units["540221"], "Centre")
    open_site(region_officer, SiteKind.VILLAGE_POINT, units["540221101201"], "Point")
    open_site(
        region_officer,
        SiteKind.VILLAGE_POINT,
        units["540221101202"],
        "Later",
        opened=datetime.date(2020, 1, 1),
    )
    open_site(
        region_officer,
        SiteKind.VILLAGE_POINT,
        units["540102101201"],
        "Closed",
        closed=datetime.date(2018, 1, 1),
    )
    total, children = coverage_for(unit=units["540000"], day=DAY)
    assert total.totals == {"county": 74, "township": 2, "village": 4}
    assert total.covered == {"county": 1, "village": 1}
    shigatse = next(c for c in children if c.unit.code == "540200")
    assert (shigatse.covered, shigatse.totals["village"]) == ({"county": 1, "village": 1}, 2)
    assert shigatse.share("village") == 0.5
    lhasa = next(c for c in children if c.unit.code == "540100")
    assert lhasa.covered == {}


def test_coverage_of_a_county_counts_its_own_centre(units, county_officer):
    open_site(county_officer, SiteKind.COUNTY_CENTRE, units["540221"], "Centre")
    total, children = coverage_for(unit=units["540221"], day=DAY)
    assert (total.covered, total.totals) == ({"county": 1}, {"county": 1, "township": 1, "village": 2})
    assert [c.unit.code for c in children] == ["540221101"]


def test_the_network_page_shows_coverage_and_sites_in_a_fixed_number_of_queries(
    client, units, region_officer
):
    for i, code in enumerate(["540221101201", "540221101202", "540102101201"]):
        open_site(region_officer, SiteKind.VILLAGE_POINT, units[code], f"Point {i}")
    client.force_login(region_officer)
    url = reverse("network:unit", kwargs={"code": "540000"})
    with CaptureQueriesContext(connection) as few:
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["page"]) == 3
    for i in range(20):
        ServiceSite.objects.create(
            kind=SiteKind.VILLAGE_POINT, unit=units["540221101201"], name=f"More {i}", opened_on=DAY
        )
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_site_list_filters_by_kind_status_and_search(client, units, county_officer):
    open_site(county_officer, SiteKind.COUNTY_CENTRE, units["540221"], "Namling centre")
    open_site(
        county_officer,
        SiteKind.VILLAGE_POINT,
        units["540221101201"],
        "Old point",
        closed=datetime.date(2017, 1, 1),
    )
    client.force_login(county_officer)
    url = reverse("network:unit", kwargs={"code": "540221"})
    names = lambda **q: [s.name for s in client.get(url, q).context["page"]]  # noqa: E731
    assert names() == ["Namling centre", "Old point"]
    assert names(kind="village_point") == ["Old point"]
    assert names(status="open") == ["Namling centre"]
    assert names(status="closed") == ["Old point"]
    assert names(q="centre") == ["Namling centre"]
    assert names(kind="nonsense") == ["Namling centre", "Old point"]


def test_an_officer_opens_a_site_through_the_form(client, units, county_officer):
    client.force_login(county_officer)
    response = client.post(
        reverse("network:site_new"),
        {
            "kind": "village_point",
            "unit": units["540221101201"].pk,
            "name": "Point one",
            "opened_on": "2017-03-01",
            "services": ["offers_parcels", "offers_training"],
        },
    )
    site = ServiceSite.objects.get()
    assert response.status_code == 302
    assert (site.offers_parcels, site.offers_training, site.offers_assisted_sale) == (True, True, False)


def test_the_form_says_what_is_wrong_and_saves_nothing(client, units, county_officer):
    client.force_login(county_officer)
    form = {"kind": "county_centre", "unit": units["540221101"].pk, "name": "X", "opened_on": "2017-03-01"}
    response = client.post(reverse("network:site_new"), form)
    assert "belongs to a county" in response.content.decode()
    response = client.post(reverse("network:site_new"), form | {"unit": units["540102"].pk})
    assert "Choose a county, township or village of your area." in response.content.decode()
    response = client.post(
        reverse("network:site_new"), form | {"unit": units["540221"].pk, "opened_on": "yesterday"}
    )
    assert response.status_code == 400 and "Enter a valid date" in response.content.decode()
    assert not ServiceSite.objects.exists()


def test_operators_see_the_network_but_cannot_change_it(client, units, county_officer, point_operator):
    site = open_site(county_officer, SiteKind.VILLAGE_POINT, units["540221101201"], "Point")
    client.force_login(point_operator)
    assert client.get(reverse("network:site_detail", kwargs={"pk": site.pk})).status_code == 200
    assert client.get(reverse("network:site_new")).status_code == 403
    assert client.post(reverse("network:site_edit", kwargs={"pk": site.pk}), {"name": "X"}).status_code == 403


def test_designations_are_listed_by_year_and_recorded_through_the_form(client, units, region_officer):
    designation_record(by=region_officer, county=units["540221"], year=2016)
    client.force_login(region_officer)
    response = client.post(
        reverse("network:designations"), {"county": units["540102"].pk, "year": 2019, "batch": 5}
    )
    assert response.status_code == 302
    years = client.get(reverse("network:designations")).context["years"]
    assert [(year, [d.county.code for d in ds]) for year, ds in years] == [
        (2016, ["540221"]),
        (2019, ["540102"]),
    ]
    response = client.post(
        reverse("network:designations"), {"county": units["540102"].pk, "year": 2019, "batch": 5}
    )
    assert "already designated in 2019" in response.content.decode()


def test_an_officer_creates_an_operator_account_on_the_site_page(client, units, county_officer):
    from conftest import PASSWORD
    from villagelink.accounts.models import User

    site = open_site(county_officer, SiteKind.VILLAGE_POINT, units["540221101202"], "Point")
    client.force_login(county_officer)
    url = reverse("network:site_detail", kwargs={"pk": site.pk})
    form = {
        "action": "create",
        "new-username": "pema",
        "new-first_name": "Pema",
        "new-password1": PASSWORD,
        "new-password2": PASSWORD,
    }
    assert client.post(url, form).status_code == 302
    person = User.objects.get(username="pema")
    assert (person.role, person.scope_unit.code) == ("site_operator", "540221101202")
    assert [op.user for op in client.get(url).context["operators"]] == [person]
    # a name already taken is refused beside its field, with what was typed kept
    response = client.post(url, {**form, "new-first_name": "Another Pema"})
    assert response.status_code == 200
    assert "already exists" in response.context["account_form"].errors["username"][0]
    page = response.content.decode()
    assert 'value="pema"' in page and 'value="Another Pema"' in page
    assert User.objects.filter(username="pema").count() == 1


def test_an_officer_moves_an_operator_of_their_area_on_the_site_page(client, units, county_officer):
    from conftest import make_user
    from villagelink.accounts.models import Role

    site = open_site(county_officer, SiteKind.VILLAGE_POINT, units["540221101202"], "Point")
    person = make_user("dawa", Role.SITE_OPERATOR, units["540221101201"])
    client.force_login(county_officer)
    response = client.post(reverse("network:site_detail", kwargs={"pk": site.pk}), {"username": "dawa"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.role, person.scope_unit.code) == ("site_operator", "540221101202")


def test_the_site_page_answers_every_refused_name_alike(client, units, county_officer, other_county_officer):
    from conftest import make_user
    from villagelink.accounts.models import Role, User

    site = open_site(county_officer, SiteKind.VILLAGE_POINT, units["540221101202"], "Point")
    make_user("lhasa-operator", Role.SITE_OPERATOR, units["540102101201"])
    make_user("a-seller", Role.SELLER, units["540221101201"])
    make_user("a-buyer", Role.BUYER)
    before = list(User.objects.order_by("pk").values_list("username", "role", "scope_unit"))
    client.force_login(county_officer)
    answers = set()
    for name in ("lhasa-operator", "a-seller", "a-buyer", "chengguan", "namling", "nobody"):
        response = client.post(reverse("network:site_detail", kwargs={"pk": site.pk}), {"username": name})
        assert response.status_code == 200
        answers.add(tuple(response.context["assign_form"].errors["username"]))
        assert f'value="{name}"' in response.content.decode()  # what was typed is kept
    assert len(answers) == 1
    assert list(User.objects.order_by("pk").values_list("username", "role", "scope_unit")) == before


def test_the_designations_page_takes_a_fixed_number_of_queries(client, units, region_officer):
    from villagelink.geo.models import AdminUnit

    counties = list(AdminUnit.objects.filter(level="county").order_by("code"))
    client.force_login(region_officer)
    for county in counties[:3]:
        designation_record(by=region_officer, county=county, year=2016)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("network:designations"))
    for county in counties[3:30]:
        designation_record(by=region_officer, county=county, year=2019)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("network:designations"))
    assert response.context["count"] == 30
    assert len(many) == len(few)


def test_a_site_keeps_its_names_in_each_language_through_an_edit(client, units, county_officer):
    client.force_login(county_officer)
    form = {
        "kind": "village_point",
        "unit": units["540221101201"].pk,
        "name": "伦布卡村电商服务点",
        "name_bo": "ལྷུན་པོ་ཁ་གྲོང་ཚོའི་གློག་རྡུལ་ཚོང་ལས་ཞབས་ཞུ་ས་ཚིགས།",
        "name_en": "Lhunpokha Village e-commerce service point",
        "opened_on": "2017-03-01",
    }
    client.post(reverse("network:site_new"), form)
    site = ServiceSite.objects.get()
    edit = client.get(reverse("network:site_edit", args=[site.pk])).content.decode()
    assert "ལྷུན་པོ་ཁ་གྲོང་ཚོའི་" in edit
    client.post(reverse("network:site_edit", args=[site.pk]), {**form, "address": "Lhunpokha"})
    site.refresh_from_db()
    assert (site.name_bo, site.name_en, site.address) == (form["name_bo"], form["name_en"], "Lhunpokha")
    client.post("/i18n/setlang/", {"language": "bo", "next": "/"})
    assert form["name_bo"] in client.get(reverse("network:site_detail", args=[site.pk])).content.decode()
    found = client.get(reverse("network:unit", args=["540221"]), {"q": "ལྷུན་པོ་ཁ"}).content.decode()
    assert reverse("network:site_detail", args=[site.pk]) in found


def test_an_officer_records_a_poor_village_and_a_refused_form_keeps_what_was_typed(
    client, units, county_officer, other_county_officer, point_operator
):
    import datetime

    from villagelink.approvals.services import month_approve

    village = units["540221101201"]
    url = reverse("network:poor_villages")
    client.force_login(county_officer)
    response = client.post(
        url, {"village": village.pk, "registered_poor_in": 2015, "exited_poverty_in": 2014}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "A village leaves poverty in or after the year it was registered poor." in page
    assert 'name="exited_poverty_in" value="2014"' in page and 'value="2015"' in page
    response = client.post(url, {"village": village.pk, "exited_poverty_in": 2019})
    assert "Give the year the village was registered poor" in response.content.decode()
    assert client.post(url, {"village": village.pk, "registered_poor_in": 2015}).status_code == 302
    village.refresh_from_db()
    assert (village.registered_poor_in, village.exited_poverty_in) == (2015, None)
    page = client.get(url).content.decode()
    assert 'data-testid="poor-villages"' in page and village.code in page

    # another county's officer neither sees it nor may record it; an operator may not record at all
    client.force_login(other_county_officer)
    assert village.code not in client.get(url).content.decode()
    response = client.post(url, {"village": village.pk, "registered_poor_in": 2016})
    assert response.status_code == 400
    village.refresh_from_db()
    assert village.registered_poor_in == 2015
    client.force_login(point_operator)
    assert client.post(url, {"village": village.pk, "registered_poor_in": 2016}).status_code == 403

    # an approved month since the change refuses it: its coverage of poor villages would move
    month_approve(by=county_officer, unit=units["540221"], month=datetime.date(2019, 3, 1))
    client.force_login(county_officer)
    response = client.post(
        url, {"village": village.pk, "registered_poor_in": 2015, "exited_poverty_in": 2018}
    )
    assert response.status_code == 400
    village.refresh_from_db()
    assert village.exited_poverty_in is None
    assert (
        client.post(
            url, {"village": village.pk, "registered_poor_in": 2015, "exited_poverty_in": 2020}
        ).status_code
        == 302
    )
