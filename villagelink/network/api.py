from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import PermissionDenied

from villagelink.accounts.permissions import can_manage_network
from villagelink.core.serializers import StrictSerializer
from villagelink.geo.serializers import ScopedUnitField

from .models import SERVICES, Designation, ServiceSite, SiteKind
from .selectors import designation_list, site_list
from .services import SiteData, designation_record, site_open

SERVICE_NAMES = {field: field.removeprefix("offers_") for field, _label in SERVICES}


class ServiceSiteSerializer(StrictSerializer, serializers.ModelSerializer):
    unit = ScopedUnitField()
    services = serializers.MultipleChoiceField(choices=sorted(SERVICE_NAMES.values()), required=False)
    kind = serializers.ChoiceField(choices=SiteKind.choices)

    class Meta:
        model = ServiceSite
        fields = [
            "id",
            "kind",
            "unit",
            "name",
            "name_bo",
            "name_en",
            "address",
            "opened_on",
            "closed_on",
            "services",
        ]
        read_only_fields = ["id"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["services"] = sorted(name for field, name in SERVICE_NAMES.items() if getattr(instance, field))
        return data

    def site_data(self) -> SiteData:
        validated = self.validated_data
        by_name = {name: field for field, name in SERVICE_NAMES.items()}
        services = validated.get("services")
        return SiteData(
            name=validated["name"],
            name_bo=validated.get("name_bo", ""),
            name_en=validated.get("name_en", ""),
            address=validated.get("address", ""),
            opened_on=validated["opened_on"],
            closed_on=validated.get("closed_on"),
            **({} if services is None else {"services": frozenset(by_name[n] for n in services)}),
        )


class ServiceSiteViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Service sites in the caller's scope; officers and administrators open new ones."""

    serializer_class = ServiceSiteSerializer
    filterset_fields = ["kind"]

    def get_queryset(self):
        # the API's order: by place, then as opened (stable from page to page)
        return site_list(user=self.request.user).order_by("unit__path", "pk")

    def perform_create(self, serializer):
        by = self.request.user
        if not (by.is_authenticated and can_manage_network(by)):
            raise PermissionDenied
        validated = serializer.validated_data
        serializer.instance = site_open(
            by=by, kind=validated["kind"], unit=validated["unit"], data=serializer.site_data()
        )


class DesignationSerializer(StrictSerializer, serializers.ModelSerializer):
    county = ScopedUnitField()

    class Meta:
        model = Designation
        fields = ["id", "county", "year", "batch", "note"]
        read_only_fields = ["id"]
        # explicit bounds: the model's small integers would read differently on SQLite and PostgreSQL
        extra_kwargs = {
            "year": {"min_value": 2000, "max_value": 2100},
            "batch": {"min_value": 1, "max_value": 99},
        }


class DesignationViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Demonstration-county designations in the caller's scope."""

    serializer_class = DesignationSerializer
    filterset_fields = ["year"]

    def get_queryset(self):
        return designation_list(user=self.request.user).order_by("year", "pk")

    def perform_create(self, serializer):
        by = self.request.user
        if not (by.is_authenticated and can_manage_network(by)):
            raise PermissionDenied
        validated = serializer.validated_data
        serializer.instance = designation_record(
            by=by,
            county=validated["county"],
            year=validated["year"],
            batch=validated.get("batch", 1),
            note=validated.get("note", ""),
        )
