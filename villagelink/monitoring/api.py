"""The indicators over the API: one unit's, and each of its children's, for a period (scoped)."""

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from villagelink.api.serializers import StrictSerializer
from villagelink.core.exceptions import ApplicationError
from villagelink.geo.models import Level
from villagelink.geo.selectors import unit_get

from .indicators import INDICATORS, Measure, kpi_document
from .periods import period_from
from .selectors import figures_for, figures_for_children


class KpiQuery(StrictSerializer):
    unit = serializers.RegexField(r"^\d{6}(\d{3}){0,2}$", help_text="The unit's division code, e.g. 540000.")
    start = serializers.CharField(
        required=False, max_length=10, help_text="YYYY-MM-DD; 1 January of the end's year when left out."
    )
    end = serializers.CharField(required=False, max_length=10, help_text="YYYY-MM-DD; today when left out.")


def _field(indicator):
    if indicator.measure == Measure.YUAN:
        return serializers.CharField(help_text=f"{indicator.definition} (yuan, two decimals)")
    if indicator.measure == Measure.SHARE:
        return serializers.FloatField(allow_null=True, help_text=str(indicator.definition))
    return serializers.IntegerField(help_text=str(indicator.definition))


UnitOut = inline_serializer(
    "KpiUnit",
    fields={
        "code": serializers.CharField(),
        "name": serializers.CharField(),
        "level": serializers.ChoiceField(choices=Level.choices),
    },
)
KPI_FIELDS = {
    "unit": UnitOut,
    "start": serializers.DateField(),
    "end": serializers.DateField(),
    **{indicator.name: _field(indicator) for indicator in INDICATORS},
}
# A class (not an inline serializer) so that the list and the single answer share one schema component.
KpisOut = type("KpisOut", (serializers.Serializer,), KPI_FIELDS)
QUERY = [
    OpenApiParameter("unit", str, required=True, description="The unit's division code, e.g. 540000."),
    OpenApiParameter("start", str, description="YYYY-MM-DD; 1 January of the end's year when left out."),
    OpenApiParameter("end", str, description="YYYY-MM-DD; today when left out."),
]


class _KpiView(APIView):
    def _query(self, request):
        query = KpiQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        try:
            period = period_from(start=query.validated_data.get("start"), end=query.validated_data.get("end"))
        except ApplicationError as error:
            raise serializers.ValidationError({"start": [error.message]}) from error
        return unit_get(user=request.user, code=query.validated_data["unit"]), period


class KpisView(_KpiView):
    """Every indicator, by its name, for a unit in the caller's area and a period."""

    @extend_schema(parameters=QUERY, responses=KpisOut)
    def get(self, request):
        unit, period = self._query(request)
        return Response(
            kpi_document(unit, period, figures_for(unit=unit, start=period.start, end=period.end))
        )


class KpiChildrenView(_KpiView):
    """The same for each child of the unit (each prefecture of a region, each county of a prefecture, …)."""

    @extend_schema(parameters=QUERY, responses=KpisOut(many=True))
    def get(self, request):
        unit, period = self._query(request)
        return Response(
            [
                kpi_document(child.unit, period, child.values)
                for child in figures_for_children(unit=unit, start=period.start, end=period.end)
            ]
        )


urlpatterns = [
    path("kpis/", KpisView.as_view(), name="kpi-list"),
    path("kpis/children/", KpiChildrenView.as_view(), name="kpi-children"),
]
