from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from villagelink.accounts.permissions import can_work_in_registry
from villagelink.core.serializers import NoteField, ScopedPk, StrictSerializer, YuanField
from villagelink.network.models import ServiceSite
from villagelink.registry.models import Household

from .models import AssistanceEvent, AssistanceKind
from .selectors import assistance_list
from .services import assistance_record, assistance_reverse


class AssistanceEventSerializer(StrictSerializer, serializers.ModelSerializer):
    household = ScopedPk(Household)
    site = ScopedPk(ServiceSite, required=False, allow_null=True)
    kind = serializers.ChoiceField(choices=AssistanceKind.choices)
    amount = YuanField(source="amount_fen", required=False, allow_null=True, help_text='Yuan, e.g. "120.00".')
    note = NoteField(required=False, allow_blank=True, max_length=300)

    class Meta:
        model = AssistanceEvent
        fields = [
            "id",
            "household",
            "kind",
            "site",
            "day",
            "amount",
            "note",
            "reverses",
            "sign",
            "recorded_at",
        ]
        read_only_fields = ["id", "reverses", "sign", "recorded_at"]


class ReversalSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=300)


class AssistanceEventViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The assistance ledger in the caller's scope: list and record; never update or delete. A mistaken entry
    is reversed (POST …/reverse/), which nets it out of every count."""

    serializer_class = AssistanceEventSerializer
    filterset_fields = ["kind", "household"]

    def get_queryset(self):
        return assistance_list(user=self.request.user)

    def perform_create(self, serializer):
        by = self.request.user
        if not (by.is_authenticated and can_work_in_registry(by)):
            raise PermissionDenied
        validated = serializer.validated_data
        serializer.instance = assistance_record(
            by=by,
            household=validated["household"],
            kind=validated["kind"],
            day=validated["day"],
            site=validated.get("site"),
            amount_fen=validated.get("amount_fen"),
            note=validated.get("note", ""),
        )

    @extend_schema(request=ReversalSerializer, responses={201: AssistanceEventSerializer})
    @action(detail=True, methods=["post"], url_path="reverse")
    def reverse_entry(self, request, pk=None, format=None):
        event = self.get_object()
        body = ReversalSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        reversal = assistance_reverse(by=request.user, event=event, reason=body.validated_data["reason"])
        return Response(self.get_serializer(reversal).data, status=status.HTTP_201_CREATED)
