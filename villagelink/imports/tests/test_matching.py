"""A report's shop is matched only among the shops of the uploader's area, and a refusal never tells of a shop
or an order of another area."""

from villagelink.catalog.services import shop_open
from villagelink.core.notes import note_text
from villagelink.imports.models import ImportRejection
from villagelink.imports.services import import_commit, import_preview
from villagelink.orders.models import Order
from villagelink.orders.tests.factories import household

from .conftest import OPENED

HEADER = "订单编号,买家实际支付金额,订单状态,订单创建时间,店铺名称\n"


def preview(user, text):
    return import_preview(by=user, data=(HEADER + text).encode(), filename="report.csv")


def reasons(batch) -> dict[int, str]:
    return {
        row: note_text(r)
        for row, r in ImportRejection.objects.filter(batch=batch).values_list("row", "reason")
    }


def twin(units, admin_user):
    """A Chengguan shop on Taobao with the very name of the Namling one."""
    owner = household(admin_user, units["540102101202"], "303")
    return shop_open(
        by=admin_user,
        name="纳木林酥油店",
        platform="taobao",
        opened_on=OPENED,
        household=owner,
        external_id="tb-7007",
    )


def test_a_county_officer_is_matched_with_the_shop_of_their_county_when_another_county_has_its_name(
    county_officer, other_county_officer, shops, units, admin_user
):
    chengguan = twin(units, admin_user)
    namling = preview(county_officer, "501,10,交易成功,2019-06-01,纳木林酥油店\n")
    assert (namling.created, namling.rejected) == (1, 0)
    import_commit(by=county_officer, batch=namling, background=False)
    assert Order.objects.get(external_id="501").shop == shops["taobao"]
    lhasa = preview(other_county_officer, "502,10,交易成功,2019-06-01,纳木林酥油店\n")
    import_commit(by=other_county_officer, batch=lhasa, background=False)
    assert Order.objects.get(external_id="502").shop == chengguan


def test_a_name_two_shops_of_the_area_share_matches_neither(region_officer, shops, units, admin_user):
    twin(units, admin_user)
    batch = preview(
        region_officer, "503,10,交易成功,2019-06-01,纳木林酥油店\n504,10,交易成功,2019-06-01,tb-1001\n"
    )
    assert (batch.created, batch.rejected) == (1, 1)  # by its id on the platform the shop is found
    assert "more than one shop in your area" in reasons(batch)[2]


def test_an_order_number_of_another_countys_shop_is_not_revealed(county_officer, other_county_officer, shops):
    lhasa = preview(other_county_officer, "505,10,交易成功,2019-06-01,拉萨手工艺\n")
    import_commit(by=other_county_officer, batch=lhasa, background=False)
    batch = preview(county_officer, "505,10,交易成功,2019-06-01,纳木林酥油店\n")
    [reason] = reasons(batch).values()
    assert "cannot be matched within your area" in reason and "another shop" not in reason
