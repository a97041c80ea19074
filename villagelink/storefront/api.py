"""The buyer's API: the public catalogue, placing an order without a cart, tracking an order.

Anyone may call it, signed in or not. Nothing here shows a household's name, ID or phone; a placed or tracked
order shows its lines, steps and carrier, never where it goes.
"""

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from villagelink.catalog.models import Category, Product
from villagelink.catalog.shipping import PROVINCES
from villagelink.core.clients import client_address
from villagelink.core.exceptions import ApplicationError, ErrorCode
from villagelink.core.serializers import StrictSerializer, YuanField
from villagelink.orders.api import MAX_ID, OrderLineSerializer, OrderStepSerializer, order_status_field
from villagelink.orders.models import Order, PaymentMethod
from villagelink.orders.selectors import TRACK_WINDOW_SECONDS, TooManyAttempts, order_track
from villagelink.orders.services import (
    KEY_PATTERN,
    MAX_LINES,
    MAX_QUANTITY,
    CartLine,
    CheckoutResult,
    Contact,
    checkout_place,
)

from .selectors import origin_of, origins_of, product_public_get, product_search, region_get

PHOTO_WIDTH = 640

# Products ---------------------------------------------------------------------------------------------------


class UnitRefSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)


class OriginSerializer(serializers.Serializer):
    village = UnitRefSerializer(
        read_only=True,
        help_text=gettext_lazy("The product's village (or the shop's unit when none is named)."),
    )
    county = UnitRefSerializer(read_only=True, allow_null=True)


class StorefrontProductSerializer(serializers.ModelSerializer):
    category = serializers.ChoiceField(choices=Category.choices, read_only=True)
    price = YuanField(source="price_fen", read_only=True, help_text='Yuan with two decimals, e.g. "68.00".')
    in_stock = serializers.SerializerMethodField()
    shop = serializers.CharField(source="shop.local_name", read_only=True)
    origin = serializers.SerializerMethodField()
    photos = serializers.SerializerMethodField()

    class Meta:
        model = Product
        fields = [
            "id",
            "name_zh",
            "name_en",
            "name_bo",
            "description_zh",
            "description_en",
            "category",
            "price",
            "unit_label",
            "stock",
            "in_stock",
            "poverty_area_product",
            "shop",
            "origin",
            "photos",
        ]
        read_only_fields = fields

    def get_in_stock(self, product: Product) -> bool:
        return product.stock > 0

    @extend_schema_field(OriginSerializer)
    def get_origin(self, product: Product) -> dict:
        origins = self.context.get("origins")
        origin = origins[product.pk] if origins is not None else origin_of(product)
        return OriginSerializer({"village": origin["place"], "county": origin["county"]}).data

    @extend_schema_field(serializers.ListField(child=serializers.URLField()))
    def get_photos(self, product: Product) -> list[str]:
        request = self.context["request"]
        return [
            request.build_absolute_uri(reverse("product_photo_sized", args=[photo.pk, PHOTO_WIDTH]))
            for photo in product.photos.all()
        ]


class ProductSearchSerializer(serializers.Serializer):
    q = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        help_text=gettext_lazy("Words to find in the products' names and descriptions (all of them)."),
    )
    category = serializers.ChoiceField(choices=Category.choices, required=False)
    region = serializers.CharField(
        max_length=12,
        required=False,
        help_text=gettext_lazy("Code of a prefecture, county or township: its products only."),
    )


@extend_schema_view(
    list=extend_schema(parameters=[ProductSearchSerializer]),
    retrieve=extend_schema(parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)]),
)
class StorefrontProductViewSet(viewsets.GenericViewSet):
    """Products on sale on this storefront, from every county: open to anyone."""

    serializer_class = StorefrontProductSerializer
    permission_classes = [AllowAny]
    filter_backends: list = []
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        search = ProductSearchSerializer(data=self.request.query_params)
        search.is_valid(raise_exception=True)
        data = search.validated_data
        region = None
        if data.get("region"):
            try:
                region = region_get(code=data["region"])
            except Http404 as error:
                raise serializers.ValidationError(
                    {
                        "region": [
                            _("No prefecture, county or township has the code “%(code)s”.")
                            % {"code": data["region"]}
                        ]
                    }
                ) from error
        return product_search(query=data.get("q", ""), category=data.get("category", ""), region=region)

    def list(self, request, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        context = {**self.get_serializer_context(), "origins": origins_of(page)}
        return self.get_paginated_response(StorefrontProductSerializer(page, many=True, context=context).data)

    def retrieve(self, request, pk: str, **kwargs):
        product = product_public_get(pk=int(pk))
        return Response(self.get_serializer(product).data)


# Orders -----------------------------------------------------------------------------------------------------


class PlaceLineSerializer(StrictSerializer):
    """A product's id and how many of it."""

    product = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)


class PlaceOrderSerializer(StrictSerializer):
    """The products and quantities (from one shop or several), who receives them where, and how they pay."""

    lines = serializers.ListField(child=PlaceLineSerializer(), min_length=1, max_length=MAX_LINES)
    name = serializers.CharField(max_length=100, help_text=gettext_lazy("Who receives the order."))
    phone = serializers.CharField(max_length=20)
    province = serializers.ChoiceField(
        choices=PROVINCES,
        help_text=gettext_lazy(
            "Where the order goes: the province's GB/T 2260 code (54 for Tibet), for the fee and the delivery "
            "window."
        ),
    )
    address = serializers.CharField(max_length=300)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    payment_method = serializers.ChoiceField(choices=PaymentMethod.choices)


class BuyerOrderSerializer(serializers.ModelSerializer):
    """An order as its buyer sees it: never where it goes."""

    shop = serializers.CharField(source="shop.local_name", read_only=True, allow_null=True)
    status = order_status_field()
    total = YuanField(
        source="total_fen", read_only=True, help_text=gettext_lazy("What the buyer pays: goods and shipping.")
    )
    shipping_fee = YuanField(source="shipping_fee_fen", read_only=True)
    arrives_from = serializers.DateField(read_only=True, allow_null=True)
    arrives_by = serializers.DateField(read_only=True, allow_null=True)
    lines = OrderLineSerializer(many=True, read_only=True)

    class Meta:
        model = Order
        fields = ["number", "shop", "status", "total", "shipping_fee", "arrives_from", "arrives_by", "lines"]
        read_only_fields = fields


class CheckoutSerializer(serializers.Serializer):
    orders = BuyerOrderSerializer(many=True, read_only=True, help_text=gettext_lazy("One order per shop."))
    total = YuanField(read_only=True)
    payment_method = serializers.ChoiceField(choices=PaymentMethod.choices, read_only=True)
    pay_url = serializers.CharField(
        read_only=True,
        help_text=gettext_lazy("Where the buyer pays online; empty for cash on delivery or once paid."),
    )


class TrackSerializer(StrictSerializer):
    """The order number and the last 4 digits of the phone given with the order."""

    number = serializers.CharField(max_length=20, help_text=gettext_lazy("The order number."))
    phone_last4 = serializers.CharField(
        max_length=4, help_text=gettext_lazy("The last 4 digits of the phone given with the order.")
    )


class TrackedOrderSerializer(BuyerOrderSerializer):
    """An order's progress as its buyer sees it: its steps and carrier, never where it goes."""

    steps = OrderStepSerializer(source="events", many=True, read_only=True)

    class Meta(BuyerOrderSerializer.Meta):
        fields = [*BuyerOrderSerializer.Meta.fields, "steps", "carrier", "tracking_number"]
        read_only_fields = fields


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    detail = serializers.CharField(read_only=True)


IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    {"type": "string", "pattern": KEY_PATTERN.pattern, "minLength": 8, "maxLength": 64},
    OpenApiParameter.HEADER,
    required=True,
    description=gettext_lazy(
        "8 to 64 letters, digits, - or _, new for each order: sent again, it answers with the same orders."
    ),
)


def _checkout_body(request, result: CheckoutResult) -> dict:
    return CheckoutSerializer(
        {
            "orders": result.orders,
            "total": result.checkout.total_fen,
            "payment_method": result.checkout.payment_method,
            "pay_url": request.build_absolute_uri(result.pay_url) if result.pay_url else "",
        },
        context={"request": request},
    ).data


class StorefrontOrderViewSet(viewsets.GenericViewSet):
    """Placing an order (one per shop) without a cart, and tracking one by its number and phone."""

    permission_classes = [AllowAny]
    serializer_class = PlaceOrderSerializer

    @extend_schema(
        parameters=[IDEMPOTENCY_KEY],
        request=PlaceOrderSerializer,
        responses={
            201: CheckoutSerializer,
            200: OpenApiResponse(CheckoutSerializer, description=gettext_lazy("The key was used already.")),
        },
    )
    def create(self, request, **kwargs):
        """Places one order per shop for the lines, reserving their stock. Cash on delivery, or pay online at
        `pay_url`."""
        key = request.headers.get("Idempotency-Key", "")
        if not KEY_PATTERN.match(key):
            raise ApplicationError(
                _("Send an Idempotency-Key header of 8 to 64 letters, digits, - or _, new for each order.")
            )
        body = PlaceOrderSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        result = checkout_place(
            key=key,
            lines=[CartLine(line["product"], line["quantity"]) for line in data["lines"]],
            contact=Contact(
                name=data["name"],
                phone=data["phone"],
                address=data["address"],
                note=data["note"],
                province=data["province"],
            ),
            payment_method=data["payment_method"],
            buyer=request.user,
            guest=(
                f"session:{request.session.session_key}"
                if request.session.session_key
                else f"client:{client_address(request)}"
            ),
            client=client_address(request),
            return_url=request.build_absolute_uri(reverse("storefront:track")),
        )
        return Response(
            _checkout_body(request, result),
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )

    @extend_schema(
        request=TrackSerializer,
        responses={
            200: TrackedOrderSerializer,
            404: OpenApiResponse(
                ErrorSerializer, description=gettext_lazy("No order has this number and phone.")
            ),
            429: OpenApiResponse(
                ErrorSerializer, description=gettext_lazy("Too many wrong tries for this number.")
            ),
        },
    )
    @action(detail=False, methods=["post"])
    def track(self, request, **kwargs):
        """An order's status and steps, found by its number and the last 4 digits of its phone. After 10 wrong
        tries on one number, or 30 from one client, within an hour, tracking is refused for the hour."""
        body = TrackSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            order = order_track(
                number=body.validated_data["number"],
                phone_last4=body.validated_data["phone_last4"],
                client=client_address(request),
            )
        except TooManyAttempts:
            return Response(
                {
                    "code": "too_many_attempts",
                    "detail": _("Too many wrong tries for this order number; try again in an hour."),
                },
                status=status.HTTP_429_TOO_MANY_REQUESTS,
                headers={"Retry-After": str(TRACK_WINDOW_SECONDS)},
            )
        if order is None:
            raise ApplicationError(
                _("No order has this number and phone; check both against your confirmation."),
                code=ErrorCode.NOT_FOUND,
            )
        return Response(TrackedOrderSerializer(order, context={"request": request}).data)
