from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import PermissionDenied

from villagelink.accounts.models import User
from villagelink.accounts.permissions import can_work_in_registry
from villagelink.core.serializers import ScopedPk, StrictSerializer, YuanField
from villagelink.geo.serializers import ScopedUnitField
from villagelink.network.models import ServiceSite
from villagelink.registry.models import Household, Organisation

from .models import Category, Platform, Product, Shop
from .selectors import product_list, shop_list
from .services import ProductData, product_create, shop_open


class ShopSerializer(StrictSerializer, serializers.ModelSerializer):
    household = ScopedPk(Household, required=False, allow_null=True)
    organisation = ScopedPk(Organisation, required=False, allow_null=True)
    opened_with = ScopedPk(ServiceSite, required=False, allow_null=True)
    unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    platform = serializers.ChoiceField(choices=Platform.choices)

    class Meta:
        model = Shop
        fields = [
            "id",
            "name",
            "name_bo",
            "name_en",
            "household",
            "organisation",
            "unit",
            "platform",
            "external_id",
            "opened_on",
            "opened_with",
            "status",
            "closed_on",
        ]
        read_only_fields = ["id", "unit", "status", "closed_on"]


class _CreateInScope(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Creating hands the validated data to the app's service (`record`); the serializer writes nothing."""

    def perform_create(self, serializer):
        by = self.request.user
        if not (by.is_authenticated and can_work_in_registry(by)):
            raise PermissionDenied
        serializer.instance = self.record(by=by, validated=serializer.validated_data)

    def record(self, *, by: User, validated: dict) -> Shop | Product:
        raise NotImplementedError


class ShopViewSet(_CreateInScope):
    """Shops in the caller's scope. Opening one for a registered-poor household also records the assistance."""

    serializer_class = ShopSerializer
    filterset_fields = ["platform", "status"]

    def get_queryset(self):
        # the API's order: by place, then as opened (stable from page to page)
        return shop_list(user=self.request.user).order_by("unit__path", "pk")

    def record(self, *, by: User, validated: dict) -> Shop:
        return shop_open(
            by=by,
            name=validated["name"],
            name_bo=validated.get("name_bo", ""),
            name_en=validated.get("name_en", ""),
            platform=validated["platform"],
            opened_on=validated["opened_on"],
            household=validated.get("household"),
            organisation=validated.get("organisation"),
            external_id=validated.get("external_id", ""),
            site=validated.get("opened_with"),
        )


class ProductSerializer(StrictSerializer, serializers.ModelSerializer):
    shop = ScopedPk(Shop)
    price = YuanField(source="price_fen", help_text='Yuan with two decimals, e.g. "68.00".')
    category = serializers.ChoiceField(choices=Category.choices)
    origin_village = ScopedUnitField(required=False, allow_null=True)

    class Meta:
        model = Product
        fields = [
            "id",
            "shop",
            "name_zh",
            "name_en",
            "name_bo",
            "description_zh",
            "description_en",
            "description_bo",
            "category",
            "price",
            "unit_label",
            "stock",
            "origin_village",
            "poverty_area_product",
            "is_listed",
        ]
        read_only_fields = ["id"]
        # explicit bounds: the model's integers would read differently on SQLite and PostgreSQL
        extra_kwargs = {"stock": {"min_value": 0, "max_value": 1_000_000}}


class ProductViewSet(_CreateInScope):
    """Products of the shops in the caller's scope; prices in yuan strings."""

    serializer_class = ProductSerializer
    filterset_fields = ["category", "shop"]

    def get_queryset(self):
        return product_list(user=self.request.user).order_by("pk")

    def record(self, *, by: User, validated: dict) -> Product:
        data = dict(validated)
        shop = data.pop("shop")
        return product_create(by=by, shop=shop, data=ProductData(**data))
