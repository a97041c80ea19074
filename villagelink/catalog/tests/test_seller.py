"""The seller's back office: their own shop's products, photos and stock, with the stock's history; nothing of
another shop, nor of the registry or the area."""

import io

from django.db.models import Sum
from django.urls import reverse
from PIL import Image

from villagelink.catalog.models import Product, StockMove


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (400, 300), (200, 160, 80)).save(out, format="JPEG")
    return out.getvalue()


def stock_of(product) -> tuple[int, int]:
    """The product's stock, and the sum of its history."""
    return (
        Product.objects.get(pk=product.pk).stock,
        StockMove.objects.filter(product=product).aggregate(n=Sum("change"))["n"] or 0,
    )


def test_the_seller_reaches_their_shop_from_the_navigation(client, market):
    client.force_login(market.seller)
    home = client.get(reverse("orders:orders")).content.decode()  # the back office, as a seller sees it
    assert reverse("catalog:my_shops") in home
    to_shop = client.get(reverse("catalog:my_shops"))
    assert to_shop["Location"] == reverse("catalog:shop_detail", args=[market.shop.pk])
    page = client.get(to_shop["Location"]).content.decode()
    assert "Yak butter" in page and reverse("catalog:shop_product_new", args=[market.shop.pk]) in page
    assert 'data-testid="status-form"' not in page  # opening and closing the shop is for its area's people
    assert "/registry/" not in page and "/units/" not in page


def test_the_seller_adds_a_product_with_a_photo_and_edits_it(client, market):
    client.force_login(market.seller)
    form = {"name_zh": "青稞饼", "name_en": "Barley cake", "category": "grain", "price": "12.50"}
    form |= {"unit_label": "a piece", "stock": "30", "is_listed": "on"}
    new = client.get(reverse("catalog:shop_product_new", args=[market.shop.pk]))
    assert "origin_village" not in new.context["form"].fields  # a seller has no area to pick a village in
    response = client.post(reverse("catalog:shop_product_new", args=[market.shop.pk]), form)
    assert response.status_code == 302
    cake = Product.objects.get(name_en="Barley cake")
    assert (cake.shop, cake.price_fen, cake.stock) == (market.shop, 1250, 30)
    assert stock_of(cake) == (30, 30)
    with io.BytesIO(jpeg()) as photo:
        photo.name = "cake.jpg"
        client.post(
            reverse("catalog:shop_photo_add", args=[market.shop.pk]), {"product": cake.pk, "photo": photo}
        )
    assert cake.photos.count() == 1
    response = client.post(
        reverse("catalog:product_edit", args=[cake.pk]), form | {"price": "13", "stock": "0"}
    )
    assert response.status_code == 302
    cake.refresh_from_db()
    assert (cake.price_fen, cake.stock, cake.is_listed) == (1300, 30, True)  # the stock is not in the form
    client.post(reverse("catalog:product_edit", args=[cake.pk]), form | {"is_listed": ""})
    assert not Product.objects.get(pk=cake.pk).is_listed  # off sale


def test_stock_changes_by_hand_are_kept_with_their_reasons(client, market):
    client.force_login(market.seller)
    url = reverse("catalog:product_stock", args=[market.butter.pk])
    assert (
        client.post(
            url, {"change": "15", "reason": "restock", "note": "from the spring churning"}
        ).status_code
        == 302
    )
    assert client.post(url, {"change": "-2", "reason": "damaged"}).status_code == 302
    assert stock_of(market.butter) == (33, 33)
    page = client.get(reverse("catalog:product_edit", args=[market.butter.pk])).content.decode()
    assert "from the spring churning" in page and "+15" in page and "Spoiled, damaged or lost" in page
    assert 'data-testid="stock-now">33<' in page


def test_a_wrong_stock_change_is_said_beside_its_field_and_changes_nothing(client, market):
    client.force_login(market.seller)
    url = reverse("catalog:product_stock", args=[market.butter.pk])
    response = client.post(url, {"change": "-21", "reason": "correction"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Only 20 in stock: at most 20 can be taken away." in page and 'name="change" value="-21"' in page
    assert "Select a valid choice" in client.post(url, {"change": "3", "reason": "sale"}).content.decode()
    assert (
        "Ensure this value" in client.post(url, {"change": "99999999", "reason": "restock"}).content.decode()
    )
    assert stock_of(market.butter) == (20, 20)


def test_a_seller_reaches_nothing_of_another_shop(client, market):
    client.force_login(market.seller)
    other, product = market.other_shop, market.other_product
    assert client.get(reverse("catalog:shop_detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("catalog:product_edit", args=[product.pk])).status_code == 404
    stock = client.post(
        reverse("catalog:product_stock", args=[product.pk]), {"change": "5", "reason": "restock"}
    )
    assert stock.status_code == 404
    photo = client.post(reverse("catalog:shop_photo_add", args=[other.pk]), {"product": product.pk})
    assert photo.status_code == 404
    assert (
        client.post(reverse("catalog:shop_status", args=[market.shop.pk]), {"status": "closed"}).status_code
        == 404
    )
    assert client.get(reverse("catalog:shops")).context["page"].paginator.count == 0
    assert stock_of(product) == (5, 5)


def test_the_seller_orders_and_removes_the_photos(client, market):
    client.force_login(market.seller)
    for _n in range(3):
        with io.BytesIO(jpeg()) as photo:
            photo.name = "butter.jpg"
            client.post(
                reverse("catalog:shop_photo_add", args=[market.shop.pk]),
                {"product": market.butter.pk, "photo": photo, "back": "product"},
            )
    first, second, third = market.butter.photos.order_by("position")
    url = reverse("catalog:product_photo_act", args=[market.butter.pk])
    assert client.post(url, {"photo": third.pk, "action": "first"})["Location"] == reverse(
        "catalog:product_edit", args=[market.butter.pk]
    )
    assert list(market.butter.photos.order_by("position").values_list("pk", flat=True)) == [
        third.pk,
        first.pk,
        second.pk,
    ]
    client.post(url, {"photo": first.pk, "action": "remove"})
    assert list(market.butter.photos.order_by("position").values_list("pk", "position")) == [
        (third.pk, 0),
        (second.pk, 1),
    ]
    other = client.post(
        reverse("catalog:product_photo_act", args=[market.other_product.pk]),
        {"photo": third.pk, "action": "remove"},
    )
    assert other.status_code == 404 and market.butter.photos.count() == 2
