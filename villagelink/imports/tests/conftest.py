import datetime

import pytest

from villagelink.catalog.services import shop_open
from villagelink.orders.tests.factories import household

OPENED = datetime.date(2018, 3, 1)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def shops(units, admin_user):
    """Namling shops on Taobao, JD, Pinduoduo and a generic platform, and a Chengguan shop on Taobao."""
    owner = household(admin_user, units["540221101201"], "301")
    other = household(admin_user, units["540102101201"], "302")
    made = {}
    for key, platform, name, external_id, owner_ in [
        ("taobao", "taobao", "纳木林酥油店", "tb-1001", owner),
        ("jd", "jd", "纳木林青稞", "jd-2002", owner),
        ("pinduoduo", "pinduoduo", "纳木林特产", "pdd-3003", owner),
        ("other", "other", "Namling goods", "gen-4004", owner),
        ("lhasa", "taobao", "拉萨手工艺", "tb-9009", other),
    ]:
        made[key] = shop_open(
            by=admin_user,
            name=name,
            platform=platform,
            opened_on=OPENED,
            household=owner_,
            external_id=external_id,
        )
    return made
