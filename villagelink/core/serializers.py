"""Serializer helpers shared by every app's API."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from villagelink.core.exceptions import ApplicationError
from villagelink.core.money import fen_to_yuan, yuan_to_fen
from villagelink.core.notes import note_text
from villagelink.core.scope import scoped


class StrictSerializer(serializers.Serializer):
    """Refuses a request body with fields the endpoint does not know, rather than silently ignoring them."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            unknown = sorted(set(data) - writable)
            if unknown:
                raise serializers.ValidationError(
                    {
                        name: [
                            _("Unknown field; this endpoint accepts: %(fields)s.")
                            % {"fields": ", ".join(sorted(writable))}
                        ]
                        for name in unknown
                    }
                )
        return super().to_internal_value(data)


@extend_schema_field({"type": "string", "pattern": r"^-?\d+\.\d{2}$", "example": "68.00"})
class YuanField(serializers.Field):
    """Money: integer fen inside, a yuan string with two decimals ("68.00") in the API."""

    def to_representation(self, value):
        return fen_to_yuan(value)

    def to_internal_value(self, data):
        try:
            return yuan_to_fen(data)
        except ApplicationError as error:
            raise serializers.ValidationError(error.message) from error


class ScopedPk(serializers.PrimaryKeyRelatedField):
    """An object by its id, looked up only within the caller's scope (others read as unknown)."""

    def __init__(self, model, **kwargs):
        self.model = model
        super().__init__(**kwargs)

    def get_queryset(self):
        return scoped(self.model.objects.all(), self.context["request"].user)


class NoteField(serializers.CharField):
    """A text field that may hold a note the system stored as a code (core.notes): given out in the language
    the request asks for; typed text as it was typed."""

    def to_representation(self, value) -> str:
        return note_text(str(value))
