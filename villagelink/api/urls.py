from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from villagelink.assistance.api import AssistanceEventViewSet
from villagelink.catalog.api import ProductViewSet, ShopViewSet
from villagelink.desk.api import register as register_desk
from villagelink.geo.api import AdminUnitViewSet
from villagelink.imports.api import register as register_imports
from villagelink.monitoring.api import urlpatterns as monitoring_urls
from villagelink.network.api import DesignationViewSet, ServiceSiteViewSet
from villagelink.orders.api import OrderViewSet
from villagelink.quality.api import register as register_quality
from villagelink.quality.api import urlpatterns as quality_urls
from villagelink.registry.api import HouseholdViewSet, OrganisationViewSet
from villagelink.storefront.api import StorefrontOrderViewSet, StorefrontProductViewSet

router = DefaultRouter()
router.register("units", AdminUnitViewSet, basename="unit")
router.register("sites", ServiceSiteViewSet, basename="site")
router.register("designations", DesignationViewSet, basename="designation")
router.register("households", HouseholdViewSet, basename="household")
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("shops", ShopViewSet, basename="shop")
router.register("products", ProductViewSet, basename="product")
router.register("assistance-events", AssistanceEventViewSet, basename="assistanceevent")
router.register("orders", OrderViewSet, basename="order")
router.register("storefront/products", StorefrontProductViewSet, basename="storefront-product")
router.register("storefront/orders", StorefrontOrderViewSet, basename="storefront-order")
register_imports(router)
register_desk(router)
register_quality(router)

urlpatterns = [
    *monitoring_urls,
    *quality_urls,
    path("", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
