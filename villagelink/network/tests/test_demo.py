import datetime

import pytest
from django.core.management import call_command
from django.db.models import Count

from villagelink.geo.models import AdminUnit
from villagelink.network.models import Designation, ServiceSite, SiteKind, SiteOperator, open_on_q
from villagelink.network.selectors import coverage_for

PERIOD_END = datetime.date(2019, 6, 30)


@pytest.mark.django_db(transaction=True)
def test_the_demo_network_matches_the_regions_published_figures():
    call_command("demo", no_serve=True)
    open_sites = ServiceSite.objects.filter(open_on_q(PERIOD_END))
    by_kind = dict(open_sites.values_list("kind").annotate(n=Count("id")))
    assert by_kind == {"county_centre": 26, "township_station": 127, "village_point": 380}
    years = dict(Designation.objects.values_list("year").annotate(n=Count("id")))
    assert sum(n for year, n in years.items() if 2015 <= year <= 2018) == 27
    assert years[2019] == 47
    assert Designation.objects.filter(county__level="county").count() == 74
    # every site sits on a unit of its level, and the demo operator runs the point of their own village
    for kind, level in (
        ("county_centre", "county"),
        ("township_station", "township"),
        ("village_point", "village"),
    ):
        assert not ServiceSite.objects.filter(kind=kind).exclude(unit__level=level).exists()
    assignment = SiteOperator.objects.select_related("site__unit", "user__scope_unit").get(
        user__username="point-operator"
    )
    assert assignment.site.kind == SiteKind.VILLAGE_POINT
    assert assignment.site.unit == assignment.user.scope_unit
    total, _children = coverage_for(unit=AdminUnit.objects.get(code="540000"), day=PERIOD_END)
    assert total.covered == {"county": 26, "township": 127, "village": 380}
