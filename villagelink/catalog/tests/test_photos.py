import datetime
import io

import pytest
from PIL import Image

from villagelink.catalog.models import ProductPhoto
from villagelink.catalog.services import (
    CatalogError,
    ProductData,
    product_add_photo,
    product_create,
    shop_open,
)
from villagelink.registry.idnumbers import check_digit
from villagelink.registry.services import HouseholdData, household_register


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def product(units, point_operator):
    first17 = "54022119800101123"
    household = household_register(
        by=point_operator,
        village=units["540221101201"],
        id_number=first17 + check_digit(first17),
        data=HouseholdData(head_name="Tashi"),
    )
    shop = shop_open(
        by=point_operator,
        name="S",
        platform="storefront",
        opened_on=datetime.date(2018, 1, 1),
        household=household,
    )
    return product_create(
        by=point_operator,
        shop=shop,
        data=ProductData(
            name_zh="酥油", name_en="Butter", category="dairy", price_fen=6800, unit_label="500 g"
        ),
    )


def image_bytes(fmt="JPEG", size=(2400, 1200), exif=None) -> bytes:
    out = io.BytesIO()
    kwargs = {"exif": exif} if exif is not None else {}
    Image.new("RGB", size, (200, 120, 40)).save(out, format=fmt, **kwargs)
    return out.getvalue()


def test_a_photo_is_stored_resized_as_jpeg_without_metadata(product, point_operator, client):
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # a camera tag: must not survive
    photo = product_add_photo(by=point_operator, product=product, data=image_bytes(exif=exif))
    assert (photo.width, photo.height) == (1600, 800)
    with Image.open(photo.image.path) as stored:
        assert stored.format == "JPEG" and not stored.getexif()
    response = client.get(f"/media/photos/{photo.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert "max-age" in response["Cache-Control"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"not a picture at all", "not a photo that can be read"),
        (image_bytes("GIF", (400, 400)), "Upload a JPEG, PNG or WebP photo"),
        (image_bytes("PNG", (50, 400)), "between 100 and 6000 pixels"),
        (image_bytes("PNG", (6500, 200)), "between 100 and 6000 pixels"),
        (b"\xff\xd8" + b"0" * (5 * 1024 * 1024), "larger than 5 MB"),
    ],
)
def test_anything_but_a_reasonable_photo_is_refused(product, point_operator, data, message):
    with pytest.raises(CatalogError, match=message):
        product_add_photo(by=point_operator, product=product, data=data)
    assert not ProductPhoto.objects.exists()


def test_photos_of_another_village_cannot_be_added(product, county_officer, other_county_officer):
    with pytest.raises(CatalogError, match="outside your area"):
        product_add_photo(by=other_county_officer, product=product, data=image_bytes())


def test_a_photo_is_uploaded_on_the_shop_page_and_shown_there(product, point_operator, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(point_operator)
    url = f"/catalog/shops/{product.shop.pk}/photos/"
    response = client.post(
        url, {"product": product.pk, "photo": SimpleUploadedFile("p.png", image_bytes("PNG", (800, 600)))}
    )
    assert response.status_code == 302
    photo = ProductPhoto.objects.get()
    page = client.get(f"/catalog/shops/{product.shop.pk}/").content.decode()
    assert f"/media/photos/{photo.pk}/" in page
    refused = client.post(
        url, {"product": product.pk, "photo": SimpleUploadedFile("p.png", b"text")}, follow=True
    )
    assert "not a photo that can be read" in refused.content.decode()
    assert ProductPhoto.objects.count() == 1
