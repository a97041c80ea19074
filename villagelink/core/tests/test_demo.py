import pytest
from django.core.management import call_command

from villagelink.accounts.models import Role, User
from villagelink.geo.models import AdminUnit
from villagelink.network.models import Designation, ServiceSite, SiteKind


def counts():
    return (
        {
            level: AdminUnit.objects.filter(level=level).count()
            for level in ("region", "prefecture", "county", "township", "village")
        }
        | {"users": User.objects.count(), "designations": Designation.objects.count()}
        | {kind: ServiceSite.objects.filter(kind=kind).count() for kind in SiteKind.values}
    )


@pytest.mark.django_db(transaction=True)
def test_demo_builds_the_region_once_and_reset_starts_afresh(capsys):
    call_command("demo", no_serve=True)
    first = counts()
    out = capsys.readouterr().out
    assert "[5/7] Creating the demo accounts" in out
    assert "[6/7] Building the service network" in out
    assert "region-officer" in out and "villagelink-demo" in out

    assert first == {
        "region": 1,
        "prefecture": 7,
        "county": 74,
        "township": 690,
        "village": 5400,
        "users": 4,
        "designations": 74,
        "county_centre": 26,
        "township_station": 127,
        "village_point": 380 + 6,  # six points closed before the demo period's end
    }
    # every synthetic unit says so in each language and extends its parent's code
    synthetic = AdminUnit.objects.filter(is_synthetic=True).select_related("parent")
    assert synthetic.count() == 6090
    for unit in synthetic[:200]:
        assert "示例" in unit.name_zh and "(synthetic)" in unit.name_en and unit.name_bo
        assert unit.code.startswith(unit.parent.path)

    call_command("demo", no_serve=True)
    assert counts() == first  # running it twice adds nothing twice

    User.objects.filter(username="county-officer").update(first_name="Changed")
    call_command("demo", no_serve=True, reset=True)
    assert counts() == first
    assert User.objects.get(username="county-officer").first_name == "Namling county officer"


@pytest.mark.django_db(transaction=True)
def test_demo_accounts_have_the_documented_roles_and_scopes():
    call_command("demo", no_serve=True)
    accounts = {u.username: u for u in User.objects.select_related("scope_unit")}
    assert accounts["admin"].role == Role.ADMINISTRATOR and accounts["admin"].is_superuser
    assert (accounts["region-officer"].role, accounts["region-officer"].scope_unit.code) == (
        Role.OFFICER,
        "540000",
    )
    assert (accounts["county-officer"].role, accounts["county-officer"].scope_unit.code) == (
        Role.OFFICER,
        "540221",
    )
    operator = accounts["point-operator"]
    assert operator.role == Role.SITE_OPERATOR
    assert operator.scope_unit.level == "village" and operator.scope_unit.code.startswith("540221")
    assert accounts["county-officer"].check_password("villagelink-demo")
