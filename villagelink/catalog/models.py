import datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from villagelink.core.names import in_reader_language

from .shipping import MAX_DISPATCH_DAYS


class Platform(models.TextChoices):
    STOREFRONT = "storefront", _("This storefront")
    TAOBAO = "taobao", _("Taobao / Tmall")
    JD = "jd", _("JD")
    PINDUODUO = "pinduoduo", _("Pinduoduo")
    WECHAT = "wechat", _("WeChat")
    DOUYIN = "douyin", _("Douyin")
    OTHER = "other", _("Other platform")


class ShopStatus(models.TextChoices):
    OPEN = "open", _("Open")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", _("Closed")


class Category(models.TextChoices):
    MEAT = "meat", _("Meat")
    DAIRY = "dairy", _("Dairy and butter")
    GRAIN = "grain", _("Highland barley and grain")
    HERBS = "herbs", _("Medicinal herbs and fungi")
    TEA = "tea", _("Tea and drinks")
    CRAFTS = "crafts", _("Handicrafts and textiles")
    OTHER = "other", _("Other")


class Shop(models.Model):
    """An online shop of a household, a cooperative or an enterprise, on this storefront or another platform.

    `unit` is the owner's unit (a household's village, an organisation's unit), kept on the shop so that
    scope and figures need no detour through the owner.
    """

    name = models.CharField(_("name"), max_length=120, help_text=_("The name the shop is registered under."))
    name_bo = models.CharField(_("name (Tibetan)"), max_length=120, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    household = models.ForeignKey(
        "registry.Household",
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="shops",
    )
    organisation = models.ForeignKey(
        "registry.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="shops",
    )
    unit = models.ForeignKey(
        "geo.AdminUnit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="shops"
    )
    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices)
    external_id = models.CharField(_("shop id or address on the platform"), max_length=200, blank=True)
    opened_on = models.DateField(_("opened on"))
    opened_with = models.ForeignKey(
        "network.ServiceSite",
        verbose_name=_("opened with the help of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="shops_opened",
    )
    status = models.CharField(_("status"), max_length=10, choices=ShopStatus.choices, default=ShopStatus.OPEN)
    seller = models.ForeignKey(
        "accounts.User",
        verbose_name=_("seller account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="shops",
        help_text=_("The account with which the owner runs the shop."),
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    # What sending an order costs the buyer, and how soon the shop hands it over (`catalog.shipping`): the usual
    # fee, a fee instead of it for some provinces ({GB/T 2260 code: fen}), free from an amount of goods.
    shipping_fee_fen = models.PositiveIntegerField(_("shipping fee (fen)"), default=0)
    province_fees = models.JSONField(_("shipping fee by province (fen)"), default=dict, blank=True)
    free_shipping_over_fen = models.PositiveIntegerField(_("free shipping from (fen)"), null=True, blank=True)
    dispatch_days = models.PositiveSmallIntegerField(_("days to dispatch"), default=2)

    scope_path_lookup = "unit__path"

    class Meta:
        verbose_name = _("shop")
        verbose_name_plural = _("shops")
        ordering = ["unit__code", "name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(household__isnull=False, organisation__isnull=True)
                | models.Q(household__isnull=True, organisation__isnull=False),
                name="catalog_shop_has_one_owner",
            ),
            models.CheckConstraint(
                condition=models.Q(platform__in=Platform.values), name="catalog_shop_platform_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=ShopStatus.values), name="catalog_shop_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(closed_on__isnull=True) | models.Q(closed_on__gte=models.F("opened_on")),
                name="catalog_shop_closes_after_opening",
            ),
            models.UniqueConstraint(
                fields=["platform", "external_id"],
                condition=~models.Q(external_id=""),
                name="catalog_shop_external_id_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(dispatch_days__lte=MAX_DISPATCH_DAYS),
                name="catalog_shop_dispatch_days_bounded",
            ),
        ]

    def __str__(self) -> str:
        return self.local_name

    @property
    def local_name(self) -> str:
        """The name in the reader's language where known, else the registered one (core.names)."""
        return in_reader_language(self.name, bo=self.name_bo, en=self.name_en)

    @property
    def owner(self):
        return self.household or self.organisation

    def is_open_on(self, day: datetime.date) -> bool:
        return self.opened_on <= day and (self.closed_on is None or self.closed_on > day)

    def get_additional_data(self) -> dict:
        return {"unit_path": self.unit.path}


def _in_language(*, bo: str, zh: str, en: str) -> str:
    language = (get_language() or "en").lower()
    if language.startswith("bo"):
        return bo or zh or en
    if language.startswith("zh"):
        return zh or en
    return en or zh


class Product(models.Model):
    shop = models.ForeignKey(Shop, verbose_name=_("shop"), on_delete=models.PROTECT, related_name="products")
    name_zh = models.CharField(_("name (Chinese)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_bo = models.CharField(_("name (Tibetan)"), max_length=120, blank=True)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_bo = models.TextField(_("description (Tibetan)"), blank=True)
    category = models.CharField(_("category"), max_length=10, choices=Category.choices)
    price_fen = models.PositiveIntegerField(_("price (fen)"))
    unit_label = models.CharField(_("sold by"), max_length=40, help_text=_("e.g. 500 g, 1 kg, a piece"))
    stock = models.PositiveIntegerField(_("stock"), default=0)
    # Units in this storefront's orders that are not cancelled, refunded or reversed; kept by the order services
    # beside the stock (`orders.sold`), shown on the cards and sorted on.
    sold = models.PositiveIntegerField(_("sold"), default=0, editable=False)
    origin_village = models.ForeignKey(
        "geo.AdminUnit",
        verbose_name=_("origin village"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    poverty_area_product = models.BooleanField(_("poverty-area product"), default=False)
    is_listed = models.BooleanField(_("listed"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Changes with every save (not with stock moves, which are single UPDATEs); keys cached product pages.
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    scope_path_lookup = "shop__unit__path"

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["shop", "name_zh", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(stock__gte=0), name="catalog_product_stock_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(price_fen__gt=0), name="catalog_product_price_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(category__in=Category.values), name="catalog_product_category_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name in the active language, falling back in a fixed order: Tibetan readers get the Tibetan
        name, else the Chinese, else the English; Chinese readers the Chinese, else the English; everyone
        else (English, French) the English, else the Chinese."""
        return _in_language(bo=self.name_bo, zh=self.name_zh, en=self.name_en)

    @property
    def description(self) -> str:
        return _in_language(bo=self.description_bo, zh=self.description_zh, en=self.description_en)

    def get_additional_data(self) -> dict:
        return {"unit_path": self.shop.unit.path}


def photo_path(instance: "ProductPhoto", filename: str) -> str:
    return f"products/{instance.product_id}/{filename}"


class ProductPhoto(models.Model):
    """A product photo, checked and re-encoded on upload (catalog.services.product_add_photo)."""

    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.ImageField(_("photo"), upload_to=photo_path)
    width = models.PositiveIntegerField(editable=False, default=0)
    height = models.PositiveIntegerField(editable=False, default=0)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    scope_path_lookup = "product__shop__unit__path"

    class Meta:
        verbose_name = _("product photo")
        verbose_name_plural = _("product photos")
        ordering = ["product", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.product} #{self.position}"


class StockReason(models.TextChoices):
    OPENING = "opening", _("Stock when listed")
    RESTOCK = "restock", _("New stock received")
    CORRECTION = "correction", _("Counted again: corrected")
    DAMAGED = "damaged", _("Spoiled, damaged or lost")
    SALE = "sale", _("Ordered on the storefront")
    RETURN = "return", _("Back on sale: order cancelled")


# What a seller or an operator records by hand; the others come with a listing or an order.
ADJUSTMENTS = (StockReason.RESTOCK, StockReason.CORRECTION, StockReason.DAMAGED)


class StockMove(models.Model):
    """One change of a product's stock, with its reason: the product's stock is the sum of its moves. Written
    beside every change (`catalog.services.stock_adjust`, the listing, and the order services' checkout and
    returns), never changed afterwards."""

    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="stock_moves"
    )
    change = models.IntegerField(_("change"))
    reason = models.CharField(_("reason"), max_length=12, choices=StockReason.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    reference = models.CharField(_("order number"), max_length=20, blank=True)
    by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    scope_path_lookup = "product__shop__unit__path"

    class Meta:
        verbose_name = _("stock change")
        verbose_name_plural = _("stock changes")
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(change=0), name="catalog_stockmove_changes"),
            models.CheckConstraint(
                condition=models.Q(reason__in=StockReason.values), name="catalog_stockmove_reason_valid"
            ),
        ]
        indexes = [models.Index(fields=["product", "at"], name="catalog_stockmove_product_at")]

    def __str__(self) -> str:
        return f"{self.product_id} {self.change:+d} {self.reason}"
