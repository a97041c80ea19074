"""Fulfilment through the API: the orders a person may see (orders.selectors.orders_visible) and their status
moves (orders.services). The serializers for lines, steps and statuses are shared with the storefront's API."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from villagelink.core.bounds import MAX_ID
from villagelink.core.exceptions import ApplicationError
from villagelink.core.serializers import NoteField, StrictSerializer, YuanField
from villagelink.network.models import ServiceSite

from .models import Channel, Kind, Order, OrderEvent, OrderLine, PaymentMethod, Status
from .selectors import order_get, order_list, order_points
from .services import can_fulfil, order_cancel, order_complete, order_deliver, order_refund, order_ship

ORDER_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)


class NamedChoiceField(serializers.ChoiceField):
    """A choice documented as one named enum component, however many serializers use it (drf-spectacular
    would otherwise name the enum after the field, and `status` already names the shops' statuses)."""

    def __init__(self, *, component: str, **kwargs):
        self.component = component
        super().__init__(**kwargs)


class NamedChoiceFieldExtension(OpenApiSerializerFieldExtension):
    target_class = NamedChoiceField

    def get_name(self):
        return self.target.component

    def map_serializer_field(self, auto_schema, direction):
        return {
            "type": "string",
            "enum": list(self.target.choices),
            "description": "\n".join(
                f"* `{value}` - {label}" for value, label in self.target.choices.items()
            ),
        }


def order_status_field(**kwargs) -> NamedChoiceField:
    return NamedChoiceField(component="OrderStatusEnum", choices=Status.choices, read_only=True, **kwargs)


class OrderLineSerializer(serializers.ModelSerializer):
    unit_price = YuanField(source="unit_price_fen", read_only=True)
    amount = YuanField(source="amount_fen", read_only=True)

    class Meta:
        model = OrderLine
        fields = ["product", "description", "quantity", "unit_price", "amount"]
        read_only_fields = fields


class OrderStepSerializer(serializers.ModelSerializer):
    """One step the order took: the status it reached, when, and a note (the carrier, a reason)."""

    status = order_status_field()
    note = NoteField(read_only=True)

    class Meta:
        model = OrderEvent
        fields = ["status", "at", "note"]
        read_only_fields = fields


class ShopRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class SiteRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class OrderSerializer(serializers.ModelSerializer):
    """An order as the shop and the officers of its area see it in lists."""

    status = order_status_field()
    kind = NamedChoiceField(component="OrderKindEnum", choices=Kind.choices, read_only=True)
    channel = serializers.ChoiceField(choices=Channel.choices, read_only=True)
    payment_method = serializers.ChoiceField(choices=PaymentMethod.choices, read_only=True)
    shop = ShopRefSerializer(read_only=True, allow_null=True)
    unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    total = YuanField(
        source="total_fen", read_only=True, help_text=gettext_lazy("Goods and, on this storefront, shipping.")
    )
    shipping_fee = YuanField(source="shipping_fee_fen", read_only=True)
    refunded = YuanField(source="refunded_fen", read_only=True)
    cancel_reason = NoteField(read_only=True)

    class Meta:
        model = Order
        fields = [
            "id",
            "number",
            "kind",
            "channel",
            "status",
            "shop",
            "unit",
            "platform",
            "external_id",
            "payment_method",
            "total",
            "shipping_fee",
            "refunded",
            "placed_at",
            "paid_at",
            "arrives_from",
            "arrives_by",
            "carrier",
            "tracking_number",
            "cancel_reason",
            "completed_on",
        ]
        read_only_fields = fields


class DeliverySerializer(serializers.Serializer):
    name = serializers.CharField(read_only=True)
    phone = serializers.CharField(read_only=True)
    province = serializers.CharField(
        read_only=True, help_text=gettext_lazy("The province's GB/T 2260 code; empty if not given.")
    )
    address = serializers.CharField(read_only=True)
    note = serializers.CharField(read_only=True)


class OrderDetailSerializer(OrderSerializer):
    """An order with its lines and steps; where to deliver it only to those who fulfil it, while it is open."""

    lines = OrderLineSerializer(many=True, read_only=True)
    steps = OrderStepSerializer(source="events", many=True, read_only=True)
    handed_over_at = SiteRefSerializer(read_only=True, allow_null=True)
    delivery = serializers.SerializerMethodField(
        help_text=gettext_lazy(
            "Only for the shop's seller or a service point of its area, while the order is open."
        )
    )

    class Meta(OrderSerializer.Meta):
        fields = [*OrderSerializer.Meta.fields, "handed_over_at", "lines", "steps", "delivery"]
        read_only_fields = fields

    @extend_schema_field(DeliverySerializer(allow_null=True))
    def get_delivery(self, order: Order) -> dict | None:
        if not (order.is_open and can_fulfil(self.context["request"].user, order)):
            return None
        return {
            "name": order.buyer_name,
            "phone": order.phone(),
            "province": order.province,
            "address": order.address(),
            "note": order.note,
        }


class OrderFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=["open", *Status.values],
        required=False,
        help_text=gettext_lazy("`open`: every order that still needs something from the shop."),
    )


class ShipSerializer(StrictSerializer):
    """The carrier and tracking number, or the service point that takes the parcel to ship it."""

    carrier = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    tracking_number = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    site = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        allow_null=True,
        default=None,
        help_text=gettext_lazy(
            "Or the service point (of the shop's village, township or county) that takes the parcel."
        ),
    )


class ReasonSerializer(StrictSerializer):
    """Why the order is cancelled or refunded (the buyer sees it)."""

    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


def _site_serving(order: Order, site_id: int | None) -> ServiceSite | None:
    """An open service point of the order's village, township or county (the ones the fulfilment page offers)."""
    if site_id is None:
        return None
    site = order_points(order).filter(pk=site_id).first()
    if site is None:
        raise ApplicationError(
            _("No open service point of the shop's village, township or county has the id %(id)d.")
            % {"id": site_id}
        )
    return site


def _answer(request, order: Order) -> Response:
    fresh = order_get(user=request.user, pk=order.pk)
    return Response(OrderDetailSerializer(fresh, context={"request": request}).data)


@extend_schema_view(
    list=extend_schema(parameters=[OrderFilterSerializer]),
    retrieve=extend_schema(parameters=[ORDER_ID], responses=OrderDetailSerializer),
)
class OrderViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Orders the caller may see: a seller those of their shops, a buyer their own, officers and site operators
    those of their area, administrators all. The shop's seller or a service point of its area moves them on."""

    serializer_class = OrderSerializer
    filter_backends: list = []
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        filters = OrderFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return order_list(user=self.request.user, status=filters.validated_data.get("status", ""))

    def retrieve(self, request, pk: str, **kwargs):
        return _answer(request, order_get(user=request.user, pk=int(pk)))

    def _move(self, request, pk: str, body: type[serializers.Serializer] | None, move) -> Response:
        order = order_get(user=request.user, pk=int(pk))
        data = {}
        if body is not None:
            parsed = body(data=request.data)
            parsed.is_valid(raise_exception=True)
            data = parsed.validated_data
        return _answer(request, move(order, data))

    @extend_schema(parameters=[ORDER_ID], request=ShipSerializer, responses=OrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def ship(self, request, pk: str, **kwargs):
        """Ships with a carrier and tracking number, or hands the parcel over at a service point."""
        return self._move(
            request,
            pk,
            ShipSerializer,
            lambda order, data: order_ship(
                by=request.user,
                order=order,
                carrier=data["carrier"],
                tracking_number=data["tracking_number"],
                site=_site_serving(order, data["site"]),
            ),
        )

    @extend_schema(parameters=[ORDER_ID], request=None, responses=OrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def deliver(self, request, pk: str, **kwargs):
        """Delivered to the buyer; for cash on delivery, the cash is collected."""
        return self._move(request, pk, None, lambda order, data: order_deliver(by=request.user, order=order))

    @extend_schema(parameters=[ORDER_ID], request=None, responses=OrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk: str, **kwargs):
        """The sale stands: it counts for the shop's village and brings income to its poor household(s)."""
        return self._move(request, pk, None, lambda order, data: order_complete(by=request.user, order=order))

    @extend_schema(parameters=[ORDER_ID], request=ReasonSerializer, responses=OrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk: str, **kwargs):
        """Cancels an unpaid order, or refunds a paid one that has not shipped; its stock goes back on sale."""
        return self._move(
            request,
            pk,
            ReasonSerializer,
            lambda order, data: order_cancel(by=request.user, order=order, reason=data["reason"]),
        )

    @extend_schema(parameters=[ORDER_ID], request=ReasonSerializer, responses=OrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def refund(self, request, pk: str, **kwargs):
        """Refunds a delivered order that the buyer returned or rejected."""
        return self._move(
            request,
            pk,
            ReasonSerializer,
            lambda order, data: order_refund(by=request.user, order=order, reason=data["reason"]),
        )
