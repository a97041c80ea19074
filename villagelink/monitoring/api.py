"""The indicators over the API: one unit's, and each of its children's, for a period (scoped)."""

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from villagelink.core.exceptions import ApplicationError
from villagelink.core.money import fen_to_yuan
from villagelink.core.periods import period_from
from villagelink.core.serializers import StrictSerializer
from villagelink.geo.models import Level
from villagelink.geo.selectors import unit_get
from villagelink.orders.models import Channel
from villagelink.quality.shares import NOTHING, ON_ORDERS, AreaFlags

from .indicators import BY_NAME, INDICATORS, Measure, kpi_document, kpi_heading
from .selectors import Dashboard, Values, dashboard_for


class KpiQuery(StrictSerializer):
    unit = serializers.RegexField(r"^\d{6}(\d{3}){0,2}$", help_text="The unit's division code, e.g. 540000.")
    start = serializers.CharField(
        required=False, max_length=10, help_text="YYYY-MM-DD; 1 January of the end's year when left out."
    )
    end = serializers.CharField(required=False, max_length=10, help_text="YYYY-MM-DD; today when left out.")


def _field(indicator):
    if indicator.measure == Measure.YUAN:
        return serializers.CharField(
            allow_null=not indicator.additive, help_text=f"{indicator.definition} (yuan, two decimals)"
        )
    if indicator.measure == Measure.SHARE:
        return serializers.FloatField(allow_null=True, help_text=str(indicator.definition))
    if indicator.measure == Measure.DAYS:
        return serializers.FloatField(
            allow_null=True, help_text=f"{indicator.definition} (days, one decimal)"
        )
    return serializers.IntegerField(read_only=True, help_text=str(indicator.definition))


UnitOut = inline_serializer(
    "KpiUnit",
    fields={
        "code": serializers.CharField(),
        "name": serializers.CharField(),
        "level": serializers.ChoiceField(choices=Level.choices),
    },
)


class KpiFlaggedAmount(serializers.Serializer):
    open = serializers.CharField(
        help_text="The part of the figure resting on orders under open flags (yuan, two decimals)."
    )
    open_share = serializers.FloatField(
        allow_null=True, help_text="open ÷ the figure (null when the figure is nothing)."
    )
    excluded = serializers.CharField(
        help_text="Orders confirmed flags took out: no longer in the figure (yuan, two decimals)."
    )


class KpiFlaggedOrders(serializers.Serializer):
    open = serializers.IntegerField(read_only=True, help_text="The orders of the figure under open flags.")
    open_share = serializers.FloatField(
        allow_null=True, help_text="open ÷ the figure (null when the figure is nothing)."
    )
    excluded = serializers.IntegerField(
        read_only=True, help_text="Orders confirmed flags took out: no longer in the figure."
    )


FLAGGED = {Measure.YUAN: KpiFlaggedAmount, Measure.COUNT: KpiFlaggedOrders}
FlagsOut = inline_serializer(
    "KpiFlags",
    fields={
        "open_flags": serializers.IntegerField(
            read_only=True, help_text="Data-quality flags of the unit's area and period still open."
        ),
        **{name: FLAGGED[BY_NAME[name].measure](help_text=str(BY_NAME[name].label)) for name in ON_ORDERS},
    },
    help_text="What the figures rest on: orders under open data-quality flags (still counted, not yet "
    "reviewed) and orders that confirmed flags excluded (no longer counted), for each indicator measured on "
    "orders.",
)
KPI_FIELDS = {
    "unit": UnitOut,
    "start": serializers.DateField(),
    "end": serializers.DateField(),
    **{indicator.name: _field(indicator) for indicator in INDICATORS},
    "flags": FlagsOut,
}
# A class (not an inline serializer) so that the list and the single answer share one schema component.
KpisOut = type("KpisOut", (serializers.Serializer,), KPI_FIELDS)
QUERY = [
    OpenApiParameter("unit", str, required=True, description="The unit's division code, e.g. 540000."),
    OpenApiParameter("start", str, description="YYYY-MM-DD; 1 January of the end's year when left out."),
    OpenApiParameter("end", str, description="YYYY-MM-DD; today when left out."),
]


def flags_document(flags: AreaFlags, values: Values) -> dict:
    """What a unit's figures rest on, as the API gives it (money as yuan strings)."""
    document: dict = {"open_flags": flags.open_flags}
    for name in ON_ORDERS:
        part, money = flags.part(name), BY_NAME[name].measure == Measure.YUAN
        share = part.share_of(values[name])
        document[name] = {
            "open": fen_to_yuan(part.open) if money else part.open,
            "open_share": None if share is None else round(share, 4),
            "excluded": fen_to_yuan(part.excluded) if money else part.excluded,
        }
    return document


class _KpiView(APIView):
    def _dashboard(self, request) -> Dashboard:
        query = KpiQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        try:
            period = period_from(start=query.validated_data.get("start"), end=query.validated_data.get("end"))
        except ApplicationError as error:
            raise serializers.ValidationError({"start": [error.message]}) from error
        unit = unit_get(user=request.user, code=query.validated_data["unit"])
        return dashboard_for(user=request.user, unit=unit, period=period)


class KpisView(_KpiView):
    """Every indicator, by its name, for a unit in the caller's area and a period; and what the figures rest
    on (`flags`): orders under open data-quality flags, and orders confirmed flags took out."""

    @extend_schema(parameters=QUERY, responses=KpisOut)
    def get(self, request):
        dashboard = self._dashboard(request)
        return Response(
            {
                **kpi_document(dashboard.unit, dashboard.period, dashboard.values),
                "flags": flags_document(dashboard.flags, dashboard.values),
            }
        )


class KpiChildrenView(_KpiView):
    """The same for each child of the unit (each prefecture of a region, each county of a prefecture, …)."""

    @extend_schema(parameters=QUERY, responses=KpisOut(many=True))
    def get(self, request):
        dashboard = self._dashboard(request)
        flags = dashboard.children_flags
        return Response(
            [
                {
                    **kpi_document(child.unit, dashboard.period, child.values),
                    "flags": flags_document(flags.get(child.unit.path, NOTHING), child.values),
                }
                for child in dashboard.children
            ]
        )


def _yuan(help_text: str):
    return serializers.CharField(help_text=f"{help_text} (yuan, two decimals)")


ChannelOut = inline_serializer(
    "KpiChannel",
    many=True,
    fields={
        "channel": serializers.ChoiceField(choices=Channel.choices),
        "label": serializers.CharField(),
        "online_sales": _yuan("Online sales made through this channel"),
        "online_sales_orders": serializers.IntegerField(read_only=True),
        "online_purchases": _yuan("Online purchases made through this channel"),
        "online_purchases_orders": serializers.IntegerField(read_only=True),
    },
)
CategoryOut = inline_serializer(
    "KpiPurchaseCategory",
    many=True,
    fields={
        "category": serializers.CharField(help_text="A purchase category; empty for purchases without one."),
        "label": serializers.CharField(),
        "online_purchases": _yuan("Online purchases of this category"),
        "online_purchases_orders": serializers.IntegerField(read_only=True),
    },
)
TradeOut = inline_serializer(
    "KpiTrade",
    fields={
        "unit": UnitOut,
        "start": serializers.DateField(),
        "end": serializers.DateField(),
        "channels": ChannelOut,
        "purchase_categories": CategoryOut,
    },
)


class KpiTradeView(_KpiView):
    """Where the unit's online trade was made (this storefront, external platforms, service points) and what its
    online purchases brought in, for a period: the rows add up to online_sales and online_purchases."""

    @extend_schema(parameters=QUERY, responses=TradeOut)
    def get(self, request):
        dashboard = self._dashboard(request)
        return Response(
            {
                **kpi_heading(dashboard.unit, dashboard.period),
                "channels": [
                    {
                        "channel": row.key,
                        "label": row.label,
                        "online_sales": fen_to_yuan(row.sales_fen),
                        "online_sales_orders": row.sales_orders,
                        "online_purchases": fen_to_yuan(row.purchases_fen),
                        "online_purchases_orders": row.purchases_orders,
                    }
                    for row in dashboard.channels
                ],
                "purchase_categories": [
                    {
                        "category": row.key,
                        "label": row.label,
                        "online_purchases": fen_to_yuan(row.purchases_fen),
                        "online_purchases_orders": row.purchases_orders,
                    }
                    for row in dashboard.categories
                ],
            }
        )


urlpatterns = [
    path("kpis/", KpisView.as_view(), name="kpi-list"),
    path("kpis/children/", KpiChildrenView.as_view(), name="kpi-children"),
    path("kpis/trade/", KpiTradeView.as_view(), name="kpi-trade"),
]
