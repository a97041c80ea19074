"""The seller's order list (items, the buyer masked) and their sales by month with the income they brought."""

from django.urls import reverse

from villagelink.core.dates import region_today
from villagelink.orders.services import order_complete, order_deliver, order_ship
from villagelink.orders.tests.factories import place


def test_the_order_list_shows_the_items_and_the_buyer_masked(client, market):
    place((market.butter, 2), (market.barley, 1))
    client.force_login(market.seller)
    page = client.get(reverse("orders:orders")).content.decode()
    assert "× 2" in page and "× 1" in page
    assert "Z** · ****8000" in page
    assert "Zhang San" not in page and "13800138000" not in page and "Renmin Road" not in page


def test_the_seller_sees_the_months_sales_and_the_poor_households_income(client, market):
    order = place((market.butter, 2)).orders[0]
    order_ship(by=market.seller, order=order, carrier="EMS", tracking_number="EA123456789CN")
    order_deliver(by=market.seller, order=order)
    order_complete(by=market.seller, order=order)
    place((market.barley, 1))  # placed, not completed: not a sale yet
    client.force_login(market.seller)
    response = client.get(reverse("orders:sales"))
    months = response.context["shops"][0][1]
    assert len(months) == 12 and months[-1].month == region_today().replace(day=1)
    this_month = months[-1]
    assert (this_month.orders, this_month.amount_fen) == (1, 2 * 6800)
    assert this_month.income_fen == 2 * 6800  # the poor household's own shop: all of it
    assert sum(m.orders for m in months[:-1]) == 0
    assert "¥136.00" in response.content.decode()


def test_only_a_seller_has_sales_pages(client, market, county_officer):
    client.force_login(county_officer)
    assert client.get(reverse("orders:sales")).status_code == 403
