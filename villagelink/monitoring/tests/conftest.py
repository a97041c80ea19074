import datetime

import pytest

from conftest import make_user
from villagelink.accounts.models import Role
from villagelink.network.models import SiteKind
from villagelink.network.services import SiteData, site_open, site_operator_assign

NAMLING_VILLAGES = ("540221101201", "540221101202")
LHASA_VILLAGE = "540102101201"


@pytest.fixture
def points(units, admin_user):
    """A village point with its operator in each of the three test villages (two counties)."""
    made = {}
    for code in (*NAMLING_VILLAGES, LHASA_VILLAGE):
        site = site_open(
            by=admin_user,
            kind=SiteKind.VILLAGE_POINT,
            unit=units[code],
            data=SiteData(name=f"Point {code}", opened_on=datetime.date(2016, 1, 1)),
        )
        operator = make_user(f"operator-{code}", Role.SITE_OPERATOR, units[code])
        site_operator_assign(by=admin_user, site=site, user=operator)
        operator.refresh_from_db()
        made[code] = (site, operator)
    return made
