"""The API field for a unit, shared by every app's API."""

from rest_framework import serializers

from villagelink.core.scope import scoped

from .models import AdminUnit


class ScopedUnitField(serializers.SlugRelatedField):
    """A unit by its code, looked up only within the caller's scope (others read as unknown)."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="code", **kwargs)

    def get_queryset(self):
        return scoped(AdminUnit.objects.all(), self.context["request"].user)

    def to_internal_value(self, data):
        # codes are digits; anything else (a NUL byte would even upset PostgreSQL) names no unit
        if not (isinstance(data, str) and data.isascii() and data.isdigit() and len(data) <= 12):
            self.fail("does_not_exist", slug_name=self.slug_field, value=str(data)[:20])
        return super().to_internal_value(data)
