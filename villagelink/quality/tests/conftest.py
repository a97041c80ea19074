"""The shop every check of this app's tests looks at."""

import datetime

import pytest

from villagelink.catalog.services import shop_open
from villagelink.orders.tests.factories import household


@pytest.fixture
def shop(units, admin_user):
    owner = household(admin_user, units["540221101201"], "301")
    return shop_open(
        by=admin_user, name="Namling barley", platform="taobao", external_id="tb-301",
        opened_on=datetime.date(2017, 1, 1), household=owner,
    )  # fmt: skip
