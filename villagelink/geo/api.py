import django_filters
from rest_framework import serializers, viewsets

from .models import AdminUnit, Level
from .selectors import unit_list


class AdminUnitSerializer(serializers.ModelSerializer):
    parent: serializers.SlugRelatedField = serializers.SlugRelatedField(  # type: ignore[assignment]
        slug_field="code", read_only=True, allow_null=True
    )

    class Meta:
        model = AdminUnit
        fields = [
            "code",
            "parent",
            "level",
            "name_zh",
            "name_en",
            "name_bo",
            "longitude",
            "latitude",
            "is_synthetic",
        ]


class AdminUnitFilter(django_filters.FilterSet):
    parent = django_filters.CharFilter(field_name="parent__code", help_text="Code of the parent unit.")
    level = django_filters.ChoiceFilter(choices=Level.choices)

    class Meta:
        model = AdminUnit
        fields = ["parent", "level"]


class AdminUnitViewSet(viewsets.ReadOnlyModelViewSet):
    """Administrative units within the caller's scope: the scope unit and everything below it."""

    serializer_class = AdminUnitSerializer
    filterset_class = AdminUnitFilter
    lookup_field = "code"
    lookup_value_regex = "[0-9]{6,12}"

    def get_queryset(self):
        return unit_list(user=self.request.user)
