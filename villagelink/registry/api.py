from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import PermissionDenied

from villagelink.accounts.permissions import can_work_in_registry
from villagelink.core.serializers import StrictSerializer
from villagelink.geo.serializers import ScopedUnitField

from .models import Household, Organisation, OrganisationKind
from .selectors import household_list, organisation_list
from .services import HouseholdData, household_register, organisation_register


class HouseholdSerializer(StrictSerializer, serializers.ModelSerializer):
    village = ScopedUnitField()
    id_number = serializers.CharField(
        write_only=True, max_length=22, help_text="18-character resident ID number."
    )
    phone = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=20)

    class Meta:
        model = Household
        fields = [
            "id",
            "village",
            "head_name",
            "id_number",
            "id_number_masked",
            "members",
            "phone",
            "phone_masked",
            "registered_poor_in",
            "exited_poverty_in",
            "story",
            "story_consent",
        ]
        read_only_fields = ["id", "id_number_masked", "phone_masked"]
        # explicit bounds: the model's small integers would read differently on SQLite and PostgreSQL
        extra_kwargs = {
            "members": {"min_value": 1, "max_value": 99},
            "registered_poor_in": {"min_value": 1990, "max_value": 2100},
            "exited_poverty_in": {"min_value": 1990, "max_value": 2100},
        }

    def household_data(self) -> HouseholdData:
        validated = self.validated_data
        return HouseholdData(
            head_name=validated["head_name"],
            members=validated.get("members", 1),
            phone=validated.get("phone", ""),
            registered_poor_in=validated.get("registered_poor_in"),
            exited_poverty_in=validated.get("exited_poverty_in"),
            story=validated.get("story", ""),
            story_consent=validated.get("story_consent", False),
        )


class HouseholdViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Households in the caller's scope. ID and phone numbers are written in full and read back masked."""

    serializer_class = HouseholdSerializer
    filterset_fields = ["registered_poor_in", "exited_poverty_in"]

    def get_queryset(self):
        # the API's order: by place, then as registered (stable from page to page)
        return household_list(user=self.request.user).order_by("village__path", "pk")

    def perform_create(self, serializer):
        by = self.request.user
        if not (by.is_authenticated and can_work_in_registry(by)):
            raise PermissionDenied
        serializer.instance = household_register(
            by=by,
            village=serializer.validated_data["village"],
            id_number=serializer.validated_data["id_number"],
            data=serializer.household_data(),
        )


class OrganisationSerializer(StrictSerializer, serializers.ModelSerializer):
    unit = ScopedUnitField()
    kind = serializers.ChoiceField(choices=OrganisationKind.choices)

    class Meta:
        model = Organisation
        fields = ["id", "kind", "name", "name_bo", "name_en", "unit", "credit_code"]
        read_only_fields = ["id"]


class OrganisationViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Cooperatives and enterprises in the caller's scope."""

    serializer_class = OrganisationSerializer
    filterset_fields = ["kind"]

    def get_queryset(self):
        return organisation_list(user=self.request.user).order_by("unit__path", "pk")

    def perform_create(self, serializer):
        by = self.request.user
        if not (by.is_authenticated and can_work_in_registry(by)):
            raise PermissionDenied
        validated = serializer.validated_data
        serializer.instance = organisation_register(
            by=by,
            kind=validated["kind"],
            name=validated["name"],
            name_bo=validated.get("name_bo", ""),
            name_en=validated.get("name_en", ""),
            unit=validated["unit"],
            credit_code=validated.get("credit_code", ""),
        )
