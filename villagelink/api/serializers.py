"""Serializer helpers shared by every app's API."""

from django.utils.translation import gettext as _
from rest_framework import serializers

from villagelink.core.scope import scoped
from villagelink.geo.models import AdminUnit


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


class ScopedUnitField(serializers.SlugRelatedField):
    """A unit by its code, looked up only within the caller's scope (others read as unknown)."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="code", **kwargs)

    def get_queryset(self):
        return scoped(AdminUnit.objects.all(), self.context["request"].user)
