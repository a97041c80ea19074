"""The imports API (upload, preview, commit), registered on the project's router by `register`."""

import base64
import binascii

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from villagelink.core.notes import note_code, note_text
from villagelink.core.serializers import StrictSerializer

from . import parsing
from .models import IMPORT_PLATFORMS, ImportBatch
from .selectors import batch_list, import_shops
from .services import can_import, import_commit, import_preview, progress_of
from .summary import preview_of


class ImportRejectionSerializer(serializers.Serializer):
    row = serializers.IntegerField(min_value=1, max_value=2_000_000_000)
    reason = serializers.CharField(help_text="Why the row was refused, in the language the request asks for.")
    reason_code = serializers.CharField(help_text="The reason's code (villagelink/core/notes.py: SENTENCES).")


class ImportRejectedRowSerializer(ImportRejectionSerializer):
    cells = serializers.ListField(
        child=serializers.CharField(), help_text="The row's cells as the report has them."
    )


class StatusFiguresSerializer(serializers.Serializer):
    status = serializers.CharField(help_text="Our order status for the report's rows.")
    orders = serializers.IntegerField(read_only=True)
    amount = serializers.CharField(help_text="Paid by the buyers, in yuan.")
    refunded = serializers.CharField(help_text="Refunded, in yuan.")


class CountedSerializer(serializers.Serializer):
    orders = serializers.IntegerField(read_only=True)
    amount = serializers.CharField(help_text="Yuan: paid less refunds, of the orders that count as sales.")


class MonthChangeSerializer(serializers.Serializer):
    county = serializers.CharField()
    county_path = serializers.CharField()
    month = serializers.CharField(help_text="YYYY-MM")
    orders_change = serializers.IntegerField(read_only=True)
    amount_change = serializers.CharField(help_text="Yuan: the change the import makes (or made).")
    amount_now = serializers.CharField(help_text="Yuan: the county's sales recorded for the month now.")


class FirstRowSerializer(serializers.Serializer):
    row = serializers.IntegerField(read_only=True)
    effect = serializers.CharField(help_text="new, updated, unchanged, older or rejected.")
    order = serializers.CharField()
    placed_at = serializers.CharField()
    status = serializers.CharField()
    amount = serializers.CharField()
    refunded = serializers.CharField()
    shop = serializers.CharField()
    reason = serializers.CharField()


class ImportPreviewSerializer(serializers.Serializer):
    statuses = StatusFiguresSerializer(many=True)
    counted = CountedSerializer()
    months = MonthChangeSerializer(many=True)
    first_rows = FirstRowSerializer(many=True)


class ImportBatchSerializer(serializers.ModelSerializer):
    rows_done = serializers.SerializerMethodField()
    status = serializers.CharField(
        read_only=True, help_text="running, previewed (checked, not yet imported), committed or failed."
    )

    class Meta:
        model = ImportBatch
        fields = [
            "id",
            "file_name",
            "platform",
            "status",
            "error",
            "created",
            "updated",
            "unchanged",
            "older",
            "rejected",
            "rows_done",
            "rows_total",
            "created_at",
            "committed_at",
        ]
        read_only_fields = fields

    def get_rows_done(self, batch) -> int:
        return progress_of(batch)


class ImportBatchDetailSerializer(ImportBatchSerializer):
    rejections = serializers.SerializerMethodField()
    preview = serializers.SerializerMethodField()

    class Meta(ImportBatchSerializer.Meta):
        fields = [*ImportBatchSerializer.Meta.fields, "preview", "rejections"]
        read_only_fields = fields

    @extend_schema_field(ImportRejectedRowSerializer(many=True))
    def get_rejections(self, batch) -> list[dict]:
        return [
            {"row": row, "reason": note_text(reason), "reason_code": note_code(reason), "cells": cells}
            for row, reason, cells in batch.rejections.values_list("row", "reason", "cells")[:1000]
        ]

    @extend_schema_field(ImportPreviewSerializer)
    def get_preview(self, batch) -> dict:
        """What the check found: per status, what counts as sales, the change per county and month, the
        first rows as read."""
        return preview_of(batch.summary or {})


class ImportUploadSerializer(StrictSerializer):
    file_name = serializers.CharField(max_length=200, help_text="The report's file name (.csv or .xlsx).")
    content = serializers.CharField(help_text="The file's bytes, base64-encoded.")
    platform = serializers.ChoiceField(
        choices=[(p.value, p.label) for p in IMPORT_PLATFORMS],
        required=False,
        allow_blank=True,
        help_text="Left out or blank: recognised from the column names.",
    )
    shop = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=2**63 - 1,
        help_text="For reports without a shop column: the id of the shop all their orders belong to.",
    )

    def validate_content(self, value: str) -> bytes:
        if len(value) > parsing.limit("MAX_BYTES") * 4 // 3 + 4:
            raise serializers.ValidationError(
                "The file is larger than {mb:.0f} MB.".format(mb=parsing.limit("MAX_BYTES") / (1024 * 1024))
            )
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise serializers.ValidationError("The content is not valid base64.") from exc

    def validate_shop(self, value):
        if value is None:
            return None
        shop = import_shops(user=self.context["request"].user).filter(pk=value).first()
        if shop is None:
            raise serializers.ValidationError("No such shop in your area.")
        return shop


class ImportBatchViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Imports of platform order reports in the caller's area: upload (checked, nothing written to orders),
    then commit."""

    def get_queryset(self):
        return batch_list(user=self.request.user)

    def get_serializer_class(self):
        if self.action == "create":
            return ImportUploadSerializer
        if self.action == "list":
            return ImportBatchSerializer
        return ImportBatchDetailSerializer

    def _require(self):
        if not can_import(self.request.user):
            raise PermissionDenied

    @extend_schema(request=ImportUploadSerializer, responses={201: ImportBatchDetailSerializer})
    def create(self, request, *args, **kwargs):
        self._require()
        upload = ImportUploadSerializer(data=request.data, context={"request": request})
        upload.is_valid(raise_exception=True)
        data = upload.validated_data
        batch = import_preview(
            by=request.user,
            data=data["content"],
            filename=data["file_name"],
            platform=data.get("platform") or None,
            shop=data.get("shop"),
        )
        return Response(ImportBatchDetailSerializer(batch).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: ImportBatchDetailSerializer})
    @action(detail=True, methods=["post"])
    def commit(self, request, pk=None, **kwargs):
        self._require()
        batch = import_commit(by=request.user, batch=self.get_object())
        return Response(ImportBatchDetailSerializer(batch).data)


def register(router) -> None:
    """Adds this app's viewsets to the API router (villagelink/api/urls.py)."""
    router.register("imports", ImportBatchViewSet, basename="importbatch")
