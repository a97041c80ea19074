"""Writes to shops and products."""

import datetime
import io
import uuid
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from villagelink.accounts.models import Role, User
from villagelink.accounts.permissions import can_work_in_registry
from villagelink.accounts.services import user_create, user_role_assign
from villagelink.approvals.services import approvals_guard
from villagelink.assistance.models import AssistanceKind
from villagelink.assistance.services import assistance_record
from villagelink.core import notes
from villagelink.core.bounds import MAX_STOCK
from villagelink.core.dates import region_today
from villagelink.core.exceptions import ApplicationError, ErrorCode, Problems
from villagelink.core.scope import in_scope
from villagelink.geo.models import AdminUnit, Level
from villagelink.network.models import ServiceSite
from villagelink.registry.models import Household, Organisation

from .models import (
    ADJUSTMENTS,
    Category,
    Platform,
    Product,
    ProductPhoto,
    Shop,
    ShopStatus,
    StockMove,
    StockReason,
)
from .shipping import MAX_DISPATCH_DAYS, MAX_FEE_FEN, PROVINCE_NAMES


class CatalogError(ApplicationError):
    pass


def _require(by: User, unit: AdminUnit, field: str | None = None) -> None:
    if not can_work_in_registry(by):
        raise CatalogError(
            _("Only site operators, officers and administrators open shops."), code=ErrorCode.FORBIDDEN
        )
    if not in_scope(by, unit.path):
        raise CatalogError(
            _("%(unit)s lies outside your area.") % {"unit": unit}, code=ErrorCode.FORBIDDEN, field=field
        )


@transaction.atomic
def shop_open(
    *,
    by: User,
    name: str,
    platform: str,
    opened_on: datetime.date,
    household: Household | None = None,
    organisation: Organisation | None = None,
    external_id: str = "",
    site: ServiceSite | None = None,
    name_bo: str = "",
    name_en: str = "",
) -> Shop:
    """Opens a shop for a household or an organisation. `name` is the name it is registered under; `name_bo`
    and `name_en` its Tibetan and English names, where it has them. For a household registered as poor at the
    time, the shop set-up is also recorded as assistance, in the same transaction."""
    if (household is None) == (organisation is None):
        raise CatalogError(
            _("A shop belongs to one household, or to one cooperative or enterprise."), field="household"
        )
    unit = household.village if household is not None else organisation.unit
    _require(by, unit, "household" if household is not None else "organisation")
    problems = Problems(CatalogError)
    if not name.strip():
        problems.add("name", _("Give the shop a name."))
    if platform not in Platform.values:
        problems.add("platform", _("Choose the platform the shop is on."))
    elif platform != Platform.STOREFRONT and not external_id.strip():
        problems.add(
            "external_id",
            _("Give the shop's id or address on %(platform)s.") % {"platform": Platform(platform).label},
        )
    if opened_on > region_today():
        problems.add("opened_on", _("The opening date is in the future."))
    if site is not None and not unit.path.startswith(site.unit.path):
        problems.add("site", _("%(site)s does not serve %(unit)s.") % {"site": site, "unit": unit})
    problems.raise_if_any()
    approvals_guard([(unit.path, opened_on)], onwards=True)
    shop = Shop(
        name=name.strip(),
        name_bo=name_bo.strip(),
        name_en=name_en.strip(),
        household=household,
        organisation=organisation,
        unit=unit,
        platform=platform,
        external_id=external_id.strip(),
        opened_on=opened_on,
        opened_with=site,
    )
    try:
        with transaction.atomic():
            shop.save()
    except IntegrityError as exc:
        raise CatalogError(
            _("Another shop already has this id on %(platform)s.") % {"platform": Platform(platform).label},
            code=ErrorCode.CONFLICT,
            field="external_id",
        ) from exc
    if household is not None and household.is_poor_in(opened_on.year):
        assistance_record(
            by=by,
            household=household,
            kind=AssistanceKind.SHOP_SETUP,
            day=opened_on,
            site=site,
            note=notes.note("shop_opened", shop=shop.name),
            shop=shop,
        )
    return shop


@transaction.atomic
def shop_set_status(*, by: User, shop: Shop, status: str, day: datetime.date | None = None) -> Shop:
    shop = Shop.objects.select_for_update().select_related("unit").get(pk=shop.pk)
    _require(by, shop.unit)
    if status not in ShopStatus.values:
        raise CatalogError(_("Choose open, suspended or closed."))
    day = day or region_today()
    if status == ShopStatus.CLOSED and day < shop.opened_on:
        raise CatalogError(_("A shop cannot close before it opened."))
    closed_on = day if status == ShopStatus.CLOSED else None
    if closed_on != shop.closed_on:
        changed = [d for d in (closed_on, shop.closed_on) if d is not None]
        approvals_guard([(shop.unit.path, min(changed))], onwards=True)
    shop.status = status
    shop.closed_on = closed_on
    shop.save(update_fields=["status", "closed_on"])
    return shop


@transaction.atomic
def shop_assign_seller(*, by: User, shop: Shop, user: User | None) -> Shop:
    """Gives a seller's account of the person's area the shop to run; the account is placed in the shop's
    unit. Any other account is refused with accounts' one answer: a new seller needs a new account."""
    _require(by, shop.unit)
    user = user_role_assign(by=by, user=user, role=Role.SELLER, scope=shop.unit)
    shop.seller = user
    shop.save(update_fields=["seller"])
    return shop


@transaction.atomic
def shop_seller_create(*, by: User, shop: Shop, username: str, password: str, first_name: str = "") -> Shop:
    """Makes a new seller's account, placed in the shop's unit, and gives it the shop to run."""
    _require(by, shop.unit)
    shop.seller = user_create(
        by=by, username=username, password=password, role=Role.SELLER, scope=shop.unit, first_name=first_name
    )
    shop.save(update_fields=["seller"])
    return shop


@dataclass(frozen=True)
class ProductData:
    name_zh: str
    name_en: str
    category: str
    price_fen: int
    unit_label: str
    stock: int = 0
    name_bo: str = ""
    description_zh: str = ""
    description_en: str = ""
    description_bo: str = ""
    origin_village: AdminUnit | None = None
    poverty_area_product: bool = False
    is_listed: bool = True


def can_manage_shop(user, shop: Shop) -> bool:
    """Who runs a shop's products and stock: its seller, and the operators, officers and administrators whose
    area holds it."""
    if not user.is_authenticated:
        return False
    if user.role == Role.SELLER:
        return shop.seller_id == user.pk
    return can_work_in_registry(user) and in_scope(user, shop.unit.path)


def _require_shop(by: User, shop: Shop) -> None:
    if can_manage_shop(by, shop):
        return
    if by.is_authenticated and by.role != Role.SELLER:
        _require(by, shop.unit)  # says what is wrong: the role, or the area
    raise CatalogError(
        _("Only the shop's seller, or an operator or officer of its area, may change its products."),
        code=ErrorCode.FORBIDDEN,
    )


@dataclass(frozen=True)
class ShippingRules:
    fee_fen: int
    province_fees: dict[str, int]  # GB/T 2260 province code → fen, for the provinces that differ
    free_over_fen: int | None
    dispatch_days: int


@transaction.atomic
def shop_set_shipping(*, by: User, shop: Shop, rules: ShippingRules) -> Shop:
    """What the shop charges to send an order (the usual fee, other fees for some provinces, free from an
    amount) and the days it takes to hand one to the carrier: for orders placed from now on."""
    shop = Shop.objects.select_for_update().select_related("unit").get(pk=shop.pk)
    _require_shop(by, shop)
    problems = Problems(CatalogError)
    for field, fen in (
        ("fee", rules.fee_fen),
        ("free_over", rules.free_over_fen),
        *((f"fee_{code}", fen) for code, fen in rules.province_fees.items()),
    ):
        if fen is not None and not 0 <= fen <= MAX_FEE_FEN:
            problems.add(field, _("Give a fee between ¥0 and ¥%(most)d.") % {"most": MAX_FEE_FEN // 100})
    for code in rules.province_fees:
        if code not in PROVINCE_NAMES:
            problems.add(f"fee_{code}", _("“%(code)s” is not a province's code.") % {"code": code})
    if not 0 <= rules.dispatch_days <= MAX_DISPATCH_DAYS:
        problems.add(
            "dispatch_days",
            _("Give the days to dispatch as a number from 0 to %(most)d.") % {"most": MAX_DISPATCH_DAYS},
        )
    problems.raise_if_any()
    shop.shipping_fee_fen = rules.fee_fen
    # a province's fee that is the usual one is no rule of its own
    shop.province_fees = {
        code: fen for code, fen in sorted(rules.province_fees.items()) if fen != rules.fee_fen
    }
    shop.free_shipping_over_fen = rules.free_over_fen
    shop.dispatch_days = rules.dispatch_days
    shop.save(update_fields=["shipping_fee_fen", "province_fees", "free_shipping_over_fen", "dispatch_days"])
    return shop


def _apply_product(product: Product, data: ProductData, *, creating: bool = False) -> None:
    """The product's details from `data`; its stock only when it is listed (afterwards the stock moves only
    with a recorded change: `stock_adjust`, an order)."""
    problems = Problems(CatalogError)
    for name in ("name_zh", "name_en"):
        if not getattr(data, name).strip():
            problems.add(name, _("Give the product's name in Chinese and in English."))
    if data.category not in Category.values:
        problems.add("category", _("Choose the product's category."))
    if data.price_fen <= 0:
        problems.add("price", _("The price must be more than zero."))
    if data.stock < 0:
        problems.add("stock", _("Stock cannot be negative."))
    if data.origin_village is not None and data.origin_village.level != Level.VILLAGE:
        problems.add("origin_village", _("The origin must be a village."))
    problems.raise_if_any()
    for field in ProductData.__dataclass_fields__:
        if field == "stock" and not creating:
            continue
        value = getattr(data, field)
        setattr(product, field, value.strip() if isinstance(value, str) else value)


@transaction.atomic
def product_create(*, by: User, shop: Shop, data: ProductData) -> Product:
    _require_shop(by, shop)
    product = Product(shop=shop)
    _apply_product(product, data, creating=True)
    product.save()
    if product.stock:
        StockMove.objects.create(product=product, change=product.stock, reason=StockReason.OPENING, by=by)
    # help given to a poor household: a listing made for it by a site's operator or an officer (a seller
    # listing on their own is no act of assistance)
    helped = can_work_in_registry(by) and shop.household is not None
    if helped and shop.household.is_poor_in(region_today().year):
        assistance_record(
            by=by,
            household=shop.household,
            kind=AssistanceKind.PRODUCT_LISTING,
            day=region_today(),
            site=shop.opened_with,
            note=notes.note("listed", product=product.name_zh),
            shop=shop,
        )
    return product


@transaction.atomic
def product_update(*, by: User, product: Product, data: ProductData) -> Product:
    product = Product.objects.select_for_update().select_related("shop__unit").get(pk=product.pk)
    _require_shop(by, product.shop)
    _apply_product(product, data)
    product.save()
    return product


@transaction.atomic
def stock_adjust(*, by: User, product: Product, change: int, reason: str, note: str = "") -> StockMove:
    """A change of stock recorded by hand, with its reason (new stock received, counted again, spoiled or
    lost), under the product's row lock so that a checkout at the same moment is counted right."""
    product = Product.objects.select_for_update().select_related("shop__unit").get(pk=product.pk)
    _require_shop(by, product.shop)
    problems = Problems(CatalogError)
    if reason not in ADJUSTMENTS:
        problems.add("reason", _("Choose why the stock changes."))
    if change == 0 or abs(change) > MAX_STOCK:
        problems.add(
            "change", _("Give a change between -%(max)s and %(max)s, not zero.") % {"max": MAX_STOCK}
        )
    elif product.stock + change < 0:
        problems.add(
            "change",
            _("Only %(stock)d in stock: at most %(stock)d can be taken away.") % {"stock": product.stock},
        )
    elif product.stock + change > MAX_STOCK:
        problems.add("change", _("The stock would exceed %(max)s.") % {"max": MAX_STOCK})
    if len(note.strip()) > 200:
        problems.add("note", _("Keep the note to 200 characters."))
    problems.raise_if_any()
    Product.objects.filter(pk=product.pk).update(stock=F("stock") + change)
    return StockMove.objects.create(product=product, change=change, reason=reason, note=note.strip(), by=by)


MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PHOTO_SIDE = 6000
STORED_PHOTO_SIDE = 1600
PHOTO_FORMATS = {"JPEG", "PNG", "WEBP"}


@transaction.atomic
def product_add_photo(*, by: User, product: Product, data: bytes) -> ProductPhoto:
    """Checks that `data` is a real JPEG, PNG or WebP photo of sane size, and stores it re-encoded as JPEG
    (at most 1600 px a side, without its metadata: no camera location leaves the village)."""
    _require_shop(by, product.shop)
    if len(data) > MAX_PHOTO_BYTES:
        raise CatalogError(_("The photo is larger than 5 MB; take or save it smaller."))
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            width, height = probe.size
            probe.verify()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise CatalogError(
            _("The file is not a photo that can be read; upload a JPEG, PNG or WebP image.")
        ) from exc
    if kind not in PHOTO_FORMATS:
        raise CatalogError(_("Upload a JPEG, PNG or WebP photo."))
    if max(width, height) > MAX_PHOTO_SIDE or min(width, height) < 100:
        raise CatalogError(
            _("The photo must be between 100 and %(max)d pixels on each side.") % {"max": MAX_PHOTO_SIDE}
        )
    with Image.open(io.BytesIO(data)) as image:
        image = ImageOps.exif_transpose(image).convert("RGB")
        image.thumbnail((STORED_PHOTO_SIDE, STORED_PHOTO_SIDE))
        out = io.BytesIO()
        image.save(out, format="JPEG", quality=85, optimize=True, progressive=True)
    position = product.photos.count()
    photo = ProductPhoto(product=product, position=position, width=image.width, height=image.height)
    photo.image.save(f"{uuid.uuid4().hex}.jpg", ContentFile(out.getvalue()), save=True)
    return photo


def _photos_renumber(product: Product, first: ProductPhoto | None = None) -> None:
    """Positions 0, 1, 2… in the present order, `first` (if given) at the front."""
    photos = list(product.photos.order_by("position", "pk"))
    if first is not None:
        photos = [first, *[p for p in photos if p.pk != first.pk]]
    for position, photo in enumerate(photos):
        if photo.position != position:
            ProductPhoto.objects.filter(pk=photo.pk).update(position=position)


@transaction.atomic
def product_photo_first(*, by: User, photo: ProductPhoto) -> None:
    """Makes `photo` the product's first, the one the cards and the product page show first."""
    product = Product.objects.select_for_update().select_related("shop__unit").get(pk=photo.product_id)
    _require_shop(by, product.shop)
    _photos_renumber(product, first=photo)
    Product.objects.filter(pk=product.pk).update(updated_at=timezone.now())  # the kept pages show it at once


@transaction.atomic
def product_photo_remove(*, by: User, photo: ProductPhoto) -> None:
    """Takes a photo off the product (its file is removed with it)."""
    product = Product.objects.select_for_update().select_related("shop__unit").get(pk=photo.product_id)
    _require_shop(by, product.shop)
    name = photo.image.name
    photo.delete()
    _photos_renumber(product)
    Product.objects.filter(pk=product.pk).update(updated_at=timezone.now())
    if name and not ProductPhoto.objects.filter(image=name).exists():  # demo photos share their files
        transaction.on_commit(lambda: default_storage.delete(name))
