"""Reviews: the buyer of a completed order reviews each product once; the shop's county officer approves; the
product and shop pages show the approved ones."""

import pytest
from django.urls import reverse

from conftest import make_user
from villagelink.accounts.models import Role
from villagelink.orders.models import Order, Review, ReviewStatus
from villagelink.orders.services import OrderError, order_complete, order_deliver, order_ship, review_write

from .test_views import add, checkout_form


@pytest.fixture
def completed(client, market):
    buyer = make_user("lisi", Role.BUYER)
    client.force_login(buyer)
    add(client, market.butter, 1)
    client.post(reverse("storefront:checkout"), checkout_form(client))
    order = Order.objects.get()
    order_ship(by=market.seller, order=order, carrier="EMS", tracking_number="EA123456789CN")
    order_deliver(by=market.seller, order=order)
    order_complete(by=buyer, order=order)
    return Order.objects.get(pk=order.pk)  # as it is now (the services answered with their own copies)


def review_url(order):
    return reverse("storefront:my_order_review", args=[order.pk, order.lines.get().pk])


def test_the_buyer_reviews_the_officer_approves_and_the_pages_show_it(
    client, market, completed, county_officer
):
    line = completed.lines.get()
    page = client.get(reverse("storefront:my_order", args=[completed.pk])).content.decode()
    assert page.count(f'data-testid="review-form-{line.pk}"') == 1
    assert "review-form" not in page.split("</title>")[0]  # in the page, not in its title
    sent = client.post(
        review_url(completed), {f"line{line.pk}-stars": "4", f"line{line.pk}-text": "Fresh and rich."}
    )
    assert sent.status_code == 302
    review = Review.objects.get()
    assert (review.stars, review.status, review.product, review.shop) == (
        4,
        ReviewStatus.PENDING,
        market.butter,
        market.shop,
    )
    product_url = reverse("storefront:product", args=[market.butter.pk])
    assert "Fresh and rich." not in client.get(product_url).content.decode()  # not before it is approved

    client.force_login(county_officer)
    waiting = client.get(reverse("orders:reviews")).content.decode()
    assert "Fresh and rich." in waiting
    client.post(reverse("orders:review_moderate", args=[review.pk]), {"action": "approve"})
    assert Review.objects.get().status == ReviewStatus.APPROVED
    client.logout()
    for url in (product_url, reverse("storefront:shop", args=[market.shop.pk])):
        page = client.get(url).content.decode()
        assert "Fresh and rich." in page and "4.0 ★ from 1 review" in page


def test_a_product_is_reviewed_once_by_its_buyer_after_completion(client, market, completed):
    line = completed.lines.get()
    with pytest.raises(OrderError, match="Only the buyer"):
        review_write(by=market.seller, line=line, stars=5)
    review_write(by=completed.buyer, line=line, stars=5)
    with pytest.raises(OrderError, match="reviewed already"):
        review_write(by=completed.buyer, line=line, stars=1)
    Order.objects.filter(pk=completed.pk).update(status="delivered")
    Review.objects.all().delete()
    with pytest.raises(OrderError, match="once its order is completed"):
        review_write(by=completed.buyer, line=Order.objects.get(pk=completed.pk).lines.get(), stars=5)


def test_a_wrong_review_is_said_beside_its_field_as_typed(client, completed):
    line = completed.lines.get()
    long = "x" * 1001
    refused = client.post(review_url(completed), {f"line{line.pk}-stars": "9", f"line{line.pk}-text": long})
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "Select a valid choice." in page and "at most 1000 characters" in page
    assert not Review.objects.exists()


def test_only_the_officers_of_the_shops_area_moderate(
    client, market, completed, other_county_officer, point_operator
):
    line = completed.lines.get()
    review = review_write(by=completed.buyer, line=line, stars=3)
    for person in (other_county_officer, point_operator, market.seller):
        client.force_login(person)
        answer = client.post(reverse("orders:review_moderate", args=[review.pk]), {"action": "approve"})
        assert answer.status_code in (403, 404)
    assert Review.objects.get().status == ReviewStatus.PENDING
    client.force_login(other_county_officer)
    assert "No review is waiting." in client.get(reverse("orders:reviews")).content.decode()
