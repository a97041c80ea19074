"""Data quality over the API, scoped exactly as the pages (quality.selectors, quality.completeness): the flags
of an area (by status, rule and month), a flag with its evidence and orders, confirming or dismissing it with
a reason, and the reporting completeness of a unit and a month. Registered on the project's router by
`register`, the completeness view in `urlpatterns` (villagelink/api/urls.py)."""

from django import forms
from django.db.models import Count
from django.urls import path
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from villagelink.core.serializers import StrictSerializer, YuanField
from villagelink.geo.models import Level
from villagelink.geo.selectors import unit_get
from villagelink.orders.api import NamedChoiceField, order_status_field
from villagelink.orders.models import Order

from .completeness import completeness_document, completeness_for
from .forms import MonthField
from .models import Flag, FlagStatus, Rule, evidence_shown
from .selectors import flag_get, flag_list
from .services import flag_confirm, flag_dismiss

FLAG_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)
UNIT_CODE = r"^\d{6}(\d{3}){0,2}$"


@extend_schema_field({"type": "string", "pattern": r"^\d{4}-\d{2}$", "example": "2019-06"})
class ApiMonthField(serializers.Field):
    """A month as YYYY-MM in a query, cleaned to its first day (with the pages' own check and messages)."""

    def to_internal_value(self, data):
        try:
            return MonthField(required=True).clean(str(data)[:20])
        except forms.ValidationError as error:
            raise serializers.ValidationError(list(error.messages)) from error

    def to_representation(self, value):
        return f"{value:%Y-%m}"


def _month(**kwargs) -> ApiMonthField:
    return ApiMonthField(help_text=gettext_lazy("The month, as YYYY-MM (e.g. 2019-06)."), **kwargs)


class FlagQuery(serializers.Serializer):
    unit = serializers.RegexField(UNIT_CODE, help_text=gettext_lazy("The unit's division code, e.g. 540221."))
    status = serializers.ChoiceField(choices=FlagStatus.choices, required=False)
    rule = serializers.ChoiceField(choices=Rule.choices, required=False)
    month = _month(required=False)


class CompletenessQuery(serializers.Serializer):
    unit = serializers.RegexField(UNIT_CODE, help_text=gettext_lazy("The unit's division code, e.g. 540221."))
    month = _month()


class FlagUnitSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)


class FlagShopSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(source="local_name", read_only=True)


class FlagSerializer(serializers.ModelSerializer):
    """A flag as the officers of its area see it in the list."""

    rule = NamedChoiceField(component="QualityRuleEnum", choices=Rule.choices, read_only=True)
    rule_label = serializers.CharField(source="get_rule_display", read_only=True)
    status = NamedChoiceField(component="QualityFlagStatusEnum", choices=FlagStatus.choices, read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    unit = FlagUnitSerializer(read_only=True)
    shop = FlagShopSerializer(read_only=True, allow_null=True)
    month = serializers.SerializerMethodField()
    amount = YuanField(source="amount_fen", read_only=True)
    orders_count = serializers.IntegerField(source="order_count", read_only=True)
    reviewed_by = serializers.SerializerMethodField()

    class Meta:
        model = Flag
        fields = [
            "id",
            "rule",
            "rule_label",
            "status",
            "status_label",
            "unit",
            "shop",
            "month",
            "amount",
            "orders_count",
            "found_at",
            "reviewed_by",
            "reviewed_at",
            "reason",
        ]
        read_only_fields = fields

    def get_month(self, flag: Flag) -> str:
        """The month the orders count in, as YYYY-MM."""
        return f"{flag.month:%Y-%m}"

    def get_reviewed_by(self, flag: Flag) -> str | None:
        """The reviewer's name (or user name); null while the flag is open."""
        person = flag.reviewed_by
        return None if person is None else (person.get_full_name() or person.username)


# (built with type(): a serializer's own `label` attribute is its field label)
EvidenceItemSerializer = type(
    "EvidenceItemSerializer",
    (serializers.Serializer,),
    {"label": serializers.CharField(read_only=True), "value": serializers.CharField(read_only=True)},
)


class FlagOrderSerializer(serializers.ModelSerializer):
    status = order_status_field()
    amount = YuanField(source="amount_fen", read_only=True, help_text="Yuan: the total less refunds.")
    unit: serializers.SlugRelatedField = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Order
        fields = [
            "id",
            "number",
            "platform",
            "external_id",
            "unit",
            "shop",
            "placed_at",
            "completed_on",
            "amount",
            "status",
            "excluded",
        ]
        read_only_fields = fields


class FlagDetailSerializer(FlagSerializer):
    """A flag with what the rule measured (by name, amounts in fen; and as the reviewer reads it) and its
    orders."""

    evidence = serializers.JSONField(
        read_only=True, help_text="What the rule measured, by name (amounts in fen end in _fen)."
    )
    evidence_shown = serializers.SerializerMethodField()
    orders = serializers.SerializerMethodField()

    class Meta(FlagSerializer.Meta):
        fields = [*FlagSerializer.Meta.fields, "evidence", "evidence_shown", "orders"]
        read_only_fields = fields

    @extend_schema_field(EvidenceItemSerializer(many=True))
    def get_evidence_shown(self, flag: Flag) -> list[dict]:
        return [{"label": label, "value": value} for label, value in evidence_shown(flag.evidence)]

    @extend_schema_field(FlagOrderSerializer(many=True))
    def get_orders(self, flag: Flag) -> list[dict]:
        orders = flag.orders.select_related("unit").order_by("placed_at", "pk")
        return list(FlagOrderSerializer(orders, many=True).data)


class ReviewSerializer(StrictSerializer):
    reason = serializers.CharField(
        max_length=300,
        allow_blank=True,
        help_text=gettext_lazy("What you checked, and why the orders do or do not count."),
    )


@extend_schema_view(
    list=extend_schema(parameters=[FlagQuery]),
    retrieve=extend_schema(parameters=[FLAG_ID], responses=FlagDetailSerializer),
)
class FlagViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The data-quality flags of an area, for its officers (and administrators): list them by status, rule and
    month, read one with its evidence and orders, confirm it (its orders stop counting in every figure) or
    dismiss it (they keep counting), each with a reason kept in the audit trail."""

    serializer_class = FlagSerializer
    filter_backends: list = []
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Flag.objects.none()
        query = FlagQuery(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        unit = unit_get(user=self.request.user, code=data["unit"])
        return flag_list(
            user=self.request.user,
            path=unit.path,
            status=data.get("status", ""),
            rule=data.get("rule", ""),
            month=data.get("month"),
        ).annotate(order_count=Count("orders"))

    def _answer(self, request, pk) -> Response:
        flag = flag_get(user=request.user, pk=int(pk))
        flag.order_count = flag.orders.count()  # type: ignore[attr-defined]
        return Response(FlagDetailSerializer(flag, context={"request": request}).data)

    def retrieve(self, request, pk: str, **kwargs):
        return self._answer(request, pk)

    def _review(self, request, pk: str, decide) -> Response:
        flag = flag_get(user=request.user, pk=int(pk))
        body = ReviewSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        decide(by=request.user, flag=flag, reason=body.validated_data["reason"])
        return self._answer(request, pk)

    @extend_schema(parameters=[FLAG_ID], request=ReviewSerializer, responses=FlagDetailSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk: str, **kwargs):
        """Confirms the flag: its orders stop counting in every figure, at every level, now. Refused (409) when
        the flag was already reviewed or its month's figures stand approved, (400) without a reason."""
        return self._review(request, pk, flag_confirm)

    @extend_schema(parameters=[FLAG_ID], request=ReviewSerializer, responses=FlagDetailSerializer)
    @action(detail=True, methods=["post"])
    def dismiss(self, request, pk: str, **kwargs):
        """Dismisses the flag: its orders keep counting, and the same evidence does not flag again. Refused
        (409) when the flag was already reviewed, (400) without a reason."""
        return self._review(request, pk, flag_dismiss)


def _tally_fields() -> dict:
    return {
        "shops_expected": serializers.IntegerField(
            read_only=True, help_text="Shops on a platform whose reports are imported, open the whole month."
        ),
        "shops_reported": serializers.IntegerField(
            read_only=True, help_text="Of those, shops with an imported order placed in the month."
        ),
        "shops_missing": serializers.IntegerField(read_only=True),
        "points_expected": serializers.IntegerField(
            read_only=True, help_text="Village points open the whole month."
        ),
        "points_silent": serializers.IntegerField(
            read_only=True,
            help_text="Of those, points with no order entered at their desk and no assistance event given there.",
        ),
        "share": serializers.FloatField(
            read_only=True,
            allow_null=True,
            help_text="(shops reported + points not silent) / (shops expected + points expected); null when "
            "nothing was expected.",
        ),
    }


class CompletenessUnitSerializer(FlagUnitSerializer):
    level = serializers.ChoiceField(choices=Level.choices, read_only=True)


CompletenessTally = type("CompletenessTally", (serializers.Serializer,), _tally_fields())
CompletenessChild = type(
    "CompletenessChild",
    (serializers.Serializer,),
    {"unit": CompletenessUnitSerializer(read_only=True), **_tally_fields()},
)


class MissingShopSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    platform = serializers.CharField(read_only=True)
    unit = serializers.CharField(read_only=True, help_text="The division code of the shop's unit.")
    opened_on = serializers.DateField(read_only=True)


class SilentPointSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    unit = serializers.CharField(read_only=True, help_text="The division code of the point's village.")
    opened_on = serializers.DateField(read_only=True)


CompletenessOut = type(
    "CompletenessOut",
    (serializers.Serializer,),
    {
        "unit": CompletenessUnitSerializer(read_only=True),
        "month": serializers.CharField(read_only=True, help_text="YYYY-MM"),
        "start": serializers.DateField(read_only=True),
        "end": serializers.DateField(read_only=True),
        **_tally_fields(),
        "children": CompletenessChild(many=True, read_only=True),
        "own": CompletenessTally(
            read_only=True, allow_null=True, help_text="What is expected at the unit itself (not below it)."
        ),
        "missing_shops": MissingShopSerializer(many=True, read_only=True),
        "silent_points": SilentPointSerializer(many=True, read_only=True),
    },
)


class CompletenessView(APIView):
    """The reporting completeness of a unit's area for a month: which shops sent their platform report, which
    village points recorded nothing, and the share complete, in all and per child unit."""

    @extend_schema(parameters=[CompletenessQuery], responses=CompletenessOut)
    def get(self, request):
        query = CompletenessQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        unit = unit_get(user=request.user, code=query.validated_data["unit"])
        found = completeness_for(user=request.user, unit=unit, month=query.validated_data["month"])
        return Response(completeness_document(found))


def register(router) -> None:
    """Adds this app's viewsets to the API router (villagelink/api/urls.py)."""
    router.register("quality/flags", FlagViewSet, basename="qualityflag")


urlpatterns = [
    path("quality/completeness/", CompletenessView.as_view(), name="quality-completeness"),
]
