"""The desk's API: assisted purchases and sales, parcels, reversals and totals, for a service site in scope
(an operator's own site when none is named)."""

import datetime

from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from villagelink.catalog.models import Category
from villagelink.core.bounds import MAX_ID
from villagelink.core.dates import region_today, region_zone
from villagelink.core.exceptions import ApplicationError, ErrorCode
from villagelink.core.serializers import StrictSerializer, YuanField
from villagelink.orders.models import Order, PurchaseCategory

from .forms import PLATFORMS
from .models import Direction, Parcel
from .selectors import desk_household, desk_order, desk_parcel, desk_site, desk_totals
from .services import (
    assisted_purchase_record,
    assisted_sale_record,
    assisted_trade_reverse,
    desk_entry_once,
    parcel_log,
    parcel_pick_up,
)


class DeskBase(StrictSerializer):
    site = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text=gettext_lazy("The service site; an operator's own site when left out."),
    )
    household = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    day = serializers.DateField(required=False, help_text=gettext_lazy("Defaults to today."))
    made_at = serializers.DateTimeField(
        required=False,
        help_text=gettext_lazy(
            "When the entry was made (on a phone, perhaps offline): its day in the region's time is the day "
            "recorded, unless `day` is given."
        ),
    )
    key = serializers.RegexField(
        r"^[A-Za-z0-9-]{8,64}$",
        required=False,
        help_text=gettext_lazy(
            "A key the client makes once per entry (a UUID): the same entry sent again with the same key is "
            "recorded once, and answered 200 with the first record."
        ),
    )


class PurchaseIn(DeskBase):
    platform = serializers.ChoiceField(choices=PLATFORMS)
    description = serializers.CharField(max_length=200)
    category = serializers.ChoiceField(choices=PurchaseCategory.choices)
    amount = YuanField()
    service_fee = YuanField(required=False)
    local_price = YuanField(required=False)


class SaleIn(DeskBase):
    platform = serializers.ChoiceField(choices=PLATFORMS)
    description = serializers.CharField(max_length=200)
    category = serializers.ChoiceField(choices=Category.choices)
    quantity = serializers.IntegerField(min_value=1, max_value=100_000)
    amount = YuanField()


class ParcelIn(DeskBase):
    direction = serializers.ChoiceField(choices=Direction.choices)
    carrier = serializers.CharField(max_length=60)
    tracking_number = serializers.CharField(max_length=60)
    cost = YuanField(required=False, help_text=gettext_lazy("What the delivery cost, if known."))


class ReasonIn(StrictSerializer):
    site = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    reason = serializers.CharField(max_length=300)


class TradeOut(serializers.ModelSerializer):
    amount = YuanField(source="total_fen", read_only=True)
    service_fee = YuanField(source="service_fee_fen", read_only=True)

    class Meta:
        model = Order
        fields = [
            "id",
            "number",
            "kind",
            "channel",
            "status",
            "platform",
            "category",
            "amount",
            "service_fee",
            "household",
            "placed_on",
        ]
        read_only_fields = fields


class ParcelOut(serializers.ModelSerializer):
    cost = YuanField(source="cost_fen", read_only=True, allow_null=True)

    class Meta:
        model = Parcel
        fields = [
            "id", "site", "direction", "household", "carrier", "tracking_number", "cost", "day", "picked_up_on",
        ]  # fmt: skip
        read_only_fields = fields


class TotalsOut(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    purchases = serializers.IntegerField(read_only=True)
    purchases_amount = YuanField()
    savings = YuanField()
    service_fees = YuanField()
    sales = serializers.IntegerField(read_only=True)
    sales_amount = YuanField()
    parcels_received = serializers.IntegerField(read_only=True)
    parcels_picked_up = serializers.IntegerField(read_only=True)
    parcels_sent = serializers.IntegerField(read_only=True)


class TotalsQuery(serializers.Serializer):
    site = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)


def _context(request, data):
    site = desk_site(user=request.user, pk=data.get("site"))
    if site is None:
        raise ApplicationError(_("Name the service site: you operate none."), code=ErrorCode.NOT_FOUND)
    household = desk_household(site=site, pk=data["household"]) if data.get("household") else None
    return site, household


ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)


class DeskViewSet(viewsets.ViewSet):
    """Recording at a service site's desk."""

    lookup_value_regex = r"\d+"

    def _in(self, serializer_class, request):
        serializer = serializer_class(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @extend_schema(request=PurchaseIn, responses={201: TradeOut, 200: TradeOut})
    @action(detail=False, methods=["post"])
    def purchases(self, request, *args, **kwargs):
        data = self._in(PurchaseIn, request)
        site, household = _context(request, data)
        order, new = desk_entry_once(
            by=request.user,
            key=data.get("key", ""),
            record=lambda: assisted_purchase_record(
                by=request.user,
                site=site,
                household=household,
                platform=data["platform"],
                description=data["description"],
                category=data["category"],
                amount_fen=data["amount"],
                service_fee_fen=data.get("service_fee") or 0,
                local_price_fen=data.get("local_price"),
                day=_day(data),
            ),
        )
        return Response(TradeOut(order).data, status=status.HTTP_201_CREATED if new else status.HTTP_200_OK)

    @extend_schema(request=SaleIn, responses={201: TradeOut, 200: TradeOut})
    @action(detail=False, methods=["post"])
    def sales(self, request, *args, **kwargs):
        data = self._in(SaleIn, request)
        site, household = _context(request, data)
        order, new = desk_entry_once(
            by=request.user,
            key=data.get("key", ""),
            record=lambda: assisted_sale_record(
                by=request.user,
                site=site,
                household=household,
                platform=data["platform"],
                description=data["description"],
                category=data["category"],
                quantity=data["quantity"],
                amount_fen=data["amount"],
                day=_day(data),
            ),
        )
        return Response(TradeOut(order).data, status=status.HTTP_201_CREATED if new else status.HTTP_200_OK)

    @extend_schema(request=ParcelIn, responses={201: ParcelOut, 200: ParcelOut})
    @action(detail=False, methods=["post"])
    def parcels(self, request, *args, **kwargs):
        data = self._in(ParcelIn, request)
        site, household = _context(request, data)
        parcel, new = desk_entry_once(
            by=request.user,
            key=data.get("key", ""),
            record=lambda: parcel_log(
                by=request.user,
                site=site,
                household=household,
                direction=data["direction"],
                carrier=data["carrier"],
                tracking_number=data["tracking_number"],
                cost_fen=data.get("cost"),
                day=_day(data),
            ),
        )
        return Response(ParcelOut(parcel).data, status=status.HTTP_201_CREATED if new else status.HTTP_200_OK)

    @extend_schema(request=DeskBase, responses={200: ParcelOut}, parameters=[ID])
    @action(detail=True, methods=["post"], url_path="pick-up")
    def pick_up(self, request, pk=None, *args, **kwargs):
        # The object first: a parcel of another site is not found, whatever the body says.
        parcel = _found(desk_parcel, _site_named(request), pk)
        data = self._in(DeskBase, request)
        parcel = parcel_pick_up(by=request.user, parcel=parcel, day=data.get("day"))
        return Response(ParcelOut(parcel).data)

    @extend_schema(request=ReasonIn, responses={200: TradeOut}, parameters=[ID])
    @action(detail=True, methods=["post"])
    def reverse(self, request, pk=None, *args, **kwargs):
        order = _found(desk_order, _site_named(request), pk)
        data = self._in(ReasonIn, request)
        order = assisted_trade_reverse(by=request.user, order=order, reason=data["reason"])
        return Response(TradeOut(order).data)

    @extend_schema(parameters=[TotalsQuery], responses={200: TotalsOut})
    @action(detail=False, methods=["get"])
    def totals(self, request, *args, **kwargs):
        query = TotalsQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        site, _household = _context(request, query.validated_data)
        end = query.validated_data.get("end") or region_today()
        start = query.validated_data.get("start") or end.replace(day=1)
        if start > end or (end - start) > datetime.timedelta(days=3660):
            raise ApplicationError(_("Give a start on or before the end, at most ten years apart."))
        t = desk_totals(site=site, start=start, end=end)
        return Response(
            TotalsOut(
                {
                    "start": start,
                    "end": end,
                    "purchases": t.purchases,
                    "purchases_amount": t.purchases_fen,
                    "savings": t.savings_fen,
                    "service_fees": t.fees_fen,
                    "sales": t.sales,
                    "sales_amount": t.sales_fen,
                    "parcels_received": t.parcels_received,
                    "parcels_picked_up": t.parcels_picked_up,
                    "parcels_sent": t.parcels_sent,
                }
            ).data
        )


def _day(data) -> datetime.date | None:
    """The day an entry is recorded on: the one given, else the region's day of the moment it was made."""
    if data.get("day") is not None or data.get("made_at") is None:
        return data.get("day")
    return data["made_at"].astimezone(region_zone()).date()


def _site_named(request):
    """The site named in the body (an operator's own when none is), before the body is otherwise checked."""
    raw = request.data.get("site") if isinstance(request.data, dict) else None
    pk = raw if isinstance(raw, int) and 0 < raw < MAX_ID else None
    site, _household = _context(request, {"site": pk})
    return site


def _found(getter, site, pk):
    if not str(pk).isdigit() or len(str(pk)) > 15:
        raise Http404
    return getter(site=site, pk=int(pk))


def register(router) -> None:
    router.register("desk", DeskViewSet, basename="desk")
