from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import PermissionDenied

from villagelink.accounts.permissions import can_work_in_registry
from villagelink.core.scope import scoped
from villagelink.core.serializers import ScopedPk, StrictSerializer, YuanField
from villagelink.geo.serializers import ScopedUnitField
from villagelink.network.models import ServiceSite
from villagelink.registry.models import Household, Organisation

from .models import Category, Platform, Product, Shop
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

    def create(self, validated):
        return shop_open(
            by=self.context["request"].user,
            name=validated["name"],
            platform=validated["platform"],
            opened_on=validated["opened_on"],
            household=validated.get("household"),
            organisation=validated.get("organisation"),
            external_id=validated.get("external_id", ""),
            site=validated.get("opened_with"),
        )


class _CreateInScope(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    def perform_create(self, serializer):
        if not can_work_in_registry(self.request.user):
            raise PermissionDenied
        serializer.save()


class ShopViewSet(_CreateInScope):
    """Shops in the caller's scope. Opening one for a registered-poor household also records the assistance."""

    serializer_class = ShopSerializer
    filterset_fields = ["platform", "status"]

    def get_queryset(self):
        return scoped(Shop.objects.select_related("unit"), self.request.user).order_by("unit__path", "pk")


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

    def create(self, validated):
        shop = validated.pop("shop")
        return product_create(by=self.context["request"].user, shop=shop, data=ProductData(**validated))


class ProductViewSet(_CreateInScope):
    """Products of the shops in the caller's scope; prices in yuan strings."""

    serializer_class = ProductSerializer
    filterset_fields = ["category", "shop"]

    def get_queryset(self):
        return scoped(Product.objects.select_related("shop", "origin_village"), self.request.user).order_by(
            "pk"
        )
