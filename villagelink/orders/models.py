"""Orders, their lines and steps, checkouts, payments, refunds and the income they bring to households.

An order belongs to one shop (or, for an assisted purchase, to the village it brings goods into). Its status
moves only through `villagelink.orders.services`, along `TRANSITIONS`; every move is an `OrderEvent`.
Money is integer fen throughout.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from villagelink.catalog.models import Platform
from villagelink.catalog.shipping import PROVINCE_NAMES
from villagelink.core.crypto import decrypt

from .carriers import carrier_label
from .fact_models import Fact as Fact  # the facts are this app's models too, imported from here
from .fact_models import Measures as Measures
from .fact_models import MonthlyFact as MonthlyFact


class Kind(models.TextChoices):
    SALE = "sale", _("Sale")
    PURCHASE = "purchase", _("Purchase")


class Channel(models.TextChoices):
    STOREFRONT = "storefront", _("This storefront")
    PLATFORM = "platform", _("External platform")
    ASSISTED = "assisted", _("Assisted at a service point")


class Status(models.TextChoices):
    PLACED = "placed", _("Placed")
    PAID = "paid", _("Paid")
    SHIPPED = "shipped", _("Shipped")
    DELIVERED = "delivered", _("Delivered")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")
    REFUNDED = "refunded", _("Refunded")
    REVERSED = "reversed", _("Reversed (entered by mistake)")


class PurchaseCategory(models.TextChoices):
    """What an assisted online purchase brought into the village."""

    AGRICULTURAL_INPUTS = "agri_inputs", _("Agricultural inputs")
    DAILY_GOODS = "daily_goods", _("Daily goods")
    FOOD = "food", _("Food")
    CLOTHING = "clothing", _("Clothing")
    APPLIANCES = "appliances", _("Appliances and electronics")
    BUILDING_MATERIALS = "building", _("Building materials")
    OTHER = "other", _("Other")


class PaymentMethod(models.TextChoices):
    CASH_ON_DELIVERY = "cod", _("Cash on delivery")
    ONLINE = "online", _("Pay online")


# Where each status may go. Cash-on-delivery orders ship unpaid; their cash is settled on delivery.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.PLACED: frozenset({Status.PAID, Status.SHIPPED, Status.CANCELLED}),
    Status.PAID: frozenset({Status.SHIPPED, Status.REFUNDED}),
    Status.SHIPPED: frozenset({Status.DELIVERED}),
    Status.DELIVERED: frozenset({Status.COMPLETED, Status.REFUNDED}),
    # A trade recorded at a service point or imported from a platform report that was entered by mistake is
    # reversed (orders.services checks the channel), never deleted.
    Status.COMPLETED: frozenset({Status.REVERSED}),
    Status.CANCELLED: frozenset(),
    Status.REFUNDED: frozenset(),
    Status.REVERSED: frozenset(),
}

# The steps a buyer sees on the tracking page, in order.
STEPS = (Status.PLACED, Status.PAID, Status.SHIPPED, Status.DELIVERED, Status.COMPLETED)


class Checkout(models.Model):
    """One submission of a cart: the orders it made (one per shop) are paid together. `key` is the
    idempotency key the page or API client sends, so that a repeated submission finds this checkout — only
    for the same `owner` (a keyed hash of the buyer's account, else the guest's session or address): the same
    key sent by someone else makes their own checkout and never shows this one."""

    key = models.CharField(max_length=64)
    owner = models.CharField(max_length=64, blank=True, default="")
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="checkouts"
    )
    payment_method = models.CharField(_("payment"), max_length=10, choices=PaymentMethod.choices)
    total_fen = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(payment_method__in=PaymentMethod.values),
                name="orders_checkout_payment_method_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(total_fen__gte=0), name="orders_checkout_total_positive"
            ),
            models.UniqueConstraint(fields=["owner", "key"], name="orders_checkout_key_per_owner"),
        ]

    def __str__(self) -> str:
        return f"checkout {self.pk}"


class Order(models.Model):
    number = models.CharField(_("order number"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLACED)
    checkout = models.ForeignKey(
        Checkout, null=True, blank=True, on_delete=models.PROTECT, related_name="orders", db_index=False
    )
    shop = models.ForeignKey(
        "catalog.Shop",
        verbose_name=_("shop"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
        db_index=False,
    )
    # The village whose figures the order counts in: the shop's unit for a sale, the buyer's for a purchase.
    unit = models.ForeignKey(
        "geo.AdminUnit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="orders"
    )
    site = models.ForeignKey(
        "network.ServiceSite",
        verbose_name=_("service site"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
        db_index=False,
    )
    platform = models.CharField(_("platform"), max_length=20, blank=True)
    external_id = models.CharField(_("order number on the platform"), max_length=64, blank=True)
    # What kind of goods: a PurchaseCategory for a purchase, a catalog Category for a sale ("" if unknown).
    category = models.CharField(_("category"), max_length=20, blank=True)
    # The household (or cooperative/enterprise) an assisted trade was made for or with, if any.
    household = models.ForeignKey(
        "registry.Household",
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
        db_index=False,
    )
    organisation = models.ForeignKey(
        "registry.Organisation",
        verbose_name=_("cooperative or enterprise"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
        db_index=False,
    )
    service_fee_fen = models.BigIntegerField(_("service fee (fen)"), default=0)
    # For an assisted purchase: what the same goods cost in the local shop, so the saving can be reported.
    local_price_fen = models.BigIntegerField(_("local shop price (fen)"), null=True, blank=True)
    payment_method = models.CharField(
        _("payment"), max_length=10, choices=PaymentMethod.choices, default=PaymentMethod.CASH_ON_DELIVERY
    )
    # What the buyer pays: the lines and, for a storefront order, its shipping fee (`shipping_fee_fen`).
    total_fen = models.BigIntegerField(_("total (fen)"))
    refunded_fen = models.BigIntegerField(_("refunded (fen)"), default=0)
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="orders",
        db_index=False,
    )
    buyer_name = models.CharField(_("name"), max_length=100, blank=True)
    phone_encrypted = models.TextField(blank=True, editable=False)
    phone_last4 = models.CharField(max_length=4, blank=True, editable=False)
    address_encrypted = models.TextField(blank=True, editable=False)
    note = models.CharField(_("notes"), max_length=300, blank=True)
    # A storefront order's shipping (`catalog.shipping`): what the shop charged to send it (part of the total),
    # the province it goes to, and when it should arrive as promised at checkout.
    shipping_fee_fen = models.BigIntegerField(_("shipping fee (fen)"), default=0)
    province = models.CharField(_("province"), max_length=2, blank=True)
    arrives_from = models.DateField(_("arrives from"), null=True, blank=True)
    arrives_by = models.DateField(_("arrives by"), null=True, blank=True)
    placed_at = models.DateTimeField(_("placed at"))
    placed_on = models.DateField(_("placed on"), db_index=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    # True while the order keeps its lines' quantities out of the products' stock.
    holds_stock = models.BooleanField(default=False)
    carrier = models.CharField(_("carrier"), max_length=60, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=60, blank=True)
    handed_over_at = models.ForeignKey(
        "network.ServiceSite",
        verbose_name=_("handed over at"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    cancel_reason = models.CharField(_("reason"), max_length=300, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    # Set when an officer confirms a data-quality flag on the order (villagelink.quality): it then counts in no
    # figure, whatever its status, until the flag is withdrawn.
    excluded = models.BooleanField(_("excluded from the figures"), default=False)
    # The buyer as a keyed hash of their platform account or phone (core.crypto.keyed_hash, never the plain
    # value): what the data-quality check compares to find one buyer ordering from a shop again and again.
    buyer_key = models.CharField(max_length=64, blank=True, default="", editable=False)

    scope_path_lookup = "unit__path"

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-placed_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=Kind.values), name="orders_order_kind_valid"),
            models.CheckConstraint(
                condition=models.Q(channel__in=Channel.values), name="orders_order_channel_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=Status.values), name="orders_order_status_valid"
            ),
            models.CheckConstraint(condition=models.Q(total_fen__gte=0), name="orders_order_total_positive"),
            models.CheckConstraint(
                condition=models.Q(service_fee_fen__gte=0, shipping_fee_fen__gte=0)
                & models.Q(shipping_fee_fen__lte=models.F("total_fen"))
                & (models.Q(local_price_fen__isnull=True) | models.Q(local_price_fen__gte=0)),
                name="orders_order_fees_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(refunded_fen__gte=0, refunded_fen__lte=models.F("total_fen")),
                name="orders_order_refund_within_total",
            ),
            models.UniqueConstraint(
                fields=["platform", "external_id"],
                condition=~models.Q(external_id=""),
                name="orders_order_external_id_unique",
            ),
        ]
        # Every index an order's insert pays for earns it (`orders/tests/test_indexes.py` shows each one's use):
        # a shop's orders by status (also the shop's orders: no index on the shop alone); the expiry of unpaid
        # storefront orders; and, partial, the mostly-empty links (a storefront order has a checkout and a
        # buyer, a desk order a site, household or organisation, a parcel its hand-over point): an imported
        # order, most of them, goes into none of these.
        indexes = [
            models.Index(fields=["shop", "status"]),
            models.Index(
                fields=["status", "expires_at"],
                condition=models.Q(expires_at__isnull=False),
                name="orders_order_expiring",
            ),
            *(
                models.Index(
                    fields=[field],
                    condition=models.Q(**{f"{field}__isnull": False}),
                    name=f"orders_order_{name}",
                )
                for field, name in (
                    ("checkout", "checkout_set"),
                    ("buyer", "buyer_set"),
                    ("site", "site_set"),
                    ("household", "household_set"),
                    ("organisation", "organisation_set"),
                    ("handed_over_at", "handed_over_set"),
                )
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def carrier_label(self) -> str:
        return carrier_label(self.carrier)

    def can_move_to(self, status: str) -> bool:
        return status in TRANSITIONS[self.status]

    @property
    def is_open(self) -> bool:
        """Still on its way to the buyer (or to being paid)."""
        return self.status in (Status.PLACED, Status.PAID, Status.SHIPPED, Status.DELIVERED)

    @property
    def amount_fen(self) -> int:
        """What the order is worth after refunds."""
        return self.total_fen - self.refunded_fen

    @property
    def province_name(self) -> str:
        return str(PROVINCE_NAMES.get(self.province, ""))

    @property
    def goods_fen(self) -> int:
        """What its goods cost, without the shipping fee."""
        return self.total_fen - self.shipping_fee_fen

    @property
    def platform_number_label(self) -> str:
        """What the platform's own order number (`external_id`) is called on staff pages: "Taobao / Tmall order
        number", or "Platform order number" for a generic sheet ("" if the order has none)."""
        if not self.external_id:
            return ""
        if self.platform in Platform.values and self.platform not in (Platform.STOREFRONT, Platform.OTHER):
            return gettext("%(platform)s order number") % {"platform": Platform(self.platform).label}
        return gettext("Platform order number")

    def phone(self) -> str:
        return decrypt(self.phone_encrypted) if self.phone_encrypted else ""

    def address(self) -> str:
        return decrypt(self.address_encrypted) if self.address_encrypted else ""


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        "catalog.Product",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="order_lines",
        db_index=False,
    )
    description = models.CharField(_("item"), max_length=200)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price_fen = models.BigIntegerField(_("unit price (fen)"))
    amount_fen = models.BigIntegerField(_("amount (fen)"))

    class Meta:
        ordering = ["order", "pk"]
        # A product's lines (its sales counts, the guard on deleting it): partial, as an imported line has none.
        indexes = [
            models.Index(
                fields=["product"], condition=models.Q(product__isnull=False), name="orders_line_product_set"
            )
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="orders_line_quantity_positive"),
            models.CheckConstraint(
                condition=models.Q(unit_price_fen__gte=0, amount_fen__gte=0),
                name="orders_line_amounts_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.description} × {self.quantity}"

    @property
    def item(self) -> str:
        """What was bought, in the reader's language: the product's name when the line is a product of this
        storefront, else the line's description as it was recorded."""
        return self.product.name if self.product_id is not None and self.product else self.description


class OrderEvent(models.Model):
    """One step of an order: who moved it to which status, when, and why."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    at = models.DateTimeField(_("at"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["order", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.order} → {self.status}"


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for payment")
    SUCCEEDED = "succeeded", _("Paid")
    FAILED = "failed", _("Failed")


class Payment(models.Model):
    """What the buyer pays for one checkout, through one provider (see villagelink.orders.payments)."""

    checkout = models.OneToOneField(Checkout, on_delete=models.PROTECT, related_name="payment")
    provider = models.CharField(max_length=20)
    amount_fen = models.BigIntegerField()
    status = models.CharField(max_length=10, choices=PaymentStatus.choices, default=PaymentStatus.PENDING)
    provider_ref = models.CharField(max_length=64, unique=True)
    idempotency_key = models.CharField(max_length=64, unique=True)
    notification_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_fen__gte=0), name="orders_payment_amount_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=PaymentStatus.values), name="orders_payment_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.provider_ref


class RefundStatus(models.TextChoices):
    PENDING = "pending", _("Being refunded")
    SUCCEEDED = "succeeded", _("Refunded")
    FAILED = "failed", _("Refund failed")


class Refund(models.Model):
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="refunds")
    amount_fen = models.BigIntegerField()
    status = models.CharField(max_length=10, choices=RefundStatus.choices, default=RefundStatus.PENDING)
    idempotency_key = models.CharField(max_length=64, unique=True)
    provider_ref = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_fen__gt=0), name="orders_refund_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.idempotency_key


class IncomeShare(models.Model):
    """E-commerce income of a registered-poor household from one completed sale: the whole amount for the
    household's own shop, an equal share for each poor household linked to a cooperative's or enterprise's."""

    # No index of its own: the unique (order, household) below leads with the order.
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="income_shares", db_index=False)
    household = models.ForeignKey(
        "registry.Household", on_delete=models.PROTECT, related_name="income_shares"
    )
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    day = models.DateField(_("day"))

    scope_path_lookup = "household__village__path"

    class Meta:
        ordering = ["-day", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["order", "household"], name="orders_income_share_once"),
        ]

    def __str__(self) -> str:
        return f"{self.household_id}: {self.amount_fen}"


class SimulatedCharge(models.Model):
    """The simulated online payment provider's own books (it stands in for WeChat Pay or Alipay)."""

    ref = models.CharField(max_length=64, unique=True)
    idempotency_key = models.CharField(max_length=64, unique=True)
    amount_fen = models.BigIntegerField()
    description = models.CharField(max_length=200)
    return_url = models.CharField(max_length=300)
    status = models.CharField(max_length=10, default="open")
    refunded_fen = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return self.ref


class SimulatedRefund(models.Model):
    charge = models.ForeignKey(SimulatedCharge, on_delete=models.CASCADE, related_name="refunds")
    idempotency_key = models.CharField(max_length=64, unique=True)
    amount_fen = models.BigIntegerField()

    def __str__(self) -> str:
        return self.idempotency_key


def stars_text(stars: int) -> str:
    """★★★★☆ for 4 of 5."""
    return "★" * stars + "☆" * (5 - stars)


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for review")
    APPROVED = "approved", _("Shown")
    REJECTED = "rejected", _("Not shown")


class Review(models.Model):
    """A buyer's stars and words on one line of a completed storefront order, shown once the shop's county
    officer has approved it (`services.reviews`)."""

    line = models.OneToOneField(
        OrderLine, verbose_name=_("order line"), on_delete=models.CASCADE, related_name="review"
    )
    product = models.ForeignKey(
        "catalog.Product", verbose_name=_("product"), on_delete=models.CASCADE, related_name="reviews"
    )
    shop = models.ForeignKey(
        "catalog.Shop", verbose_name=_("shop"), on_delete=models.CASCADE, related_name="reviews"
    )
    stars = models.PositiveSmallIntegerField(_("stars"))
    text = models.TextField(_("review"), max_length=1000, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.PENDING
    )
    written_at = models.DateTimeField(_("written at"), default=timezone.now)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)

    scope_path_lookup = "shop__unit__path"

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-written_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(stars__gte=1, stars__lte=5), name="orders_review_stars"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=ReviewStatus.values), name="orders_review_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["product", "status", "written_at"], name="orders_review_product")]

    def __str__(self) -> str:
        return f"{self.product_id}: {self.stars}"

    @property
    def stars_text(self) -> str:
        return stars_text(self.stars)
