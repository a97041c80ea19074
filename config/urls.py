from django.contrib import admin
from django.urls import include, path

from villagelink.catalog.media import product_photo
from villagelink.core.views import workspace

urlpatterns = [
    # The storefront is the site's front door and most of its requests, so it is tried first; its paths do
    # not overlap the back office's.
    path("", include("villagelink.storefront.urls")),
    path("workspace/", workspace, name="home"),
    path("accounts/", include("villagelink.accounts.urls")),
    path("units/", include("villagelink.geo.urls")),
    path("audit/", include("villagelink.audit.urls")),
    path("network/", include("villagelink.network.urls")),
    path("registry/", include("villagelink.registry.urls")),
    path("catalog/", include("villagelink.catalog.urls")),
    path("assistance/", include("villagelink.assistance.urls")),
    path("orders/", include("villagelink.orders.urls")),
    path("imports/", include("villagelink.imports.urls")),
    path("desk/", include("villagelink.desk.urls")),
    path("monitoring/", include("villagelink.monitoring.urls")),
    path("quality/", include("villagelink.quality.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("villagelink.api.urls")),
    path("media/photos/<int:pk>/", product_photo, name="product_photo"),
    path("media/photos/<int:pk>/w<int:width>/", product_photo, name="product_photo_sized"),
    path("admin/", admin.site.urls),
    path("", include("villagelink.ops.urls")),  # /healthz, /readyz, /metrics
]

handler400 = "villagelink.core.views.bad_request"
handler403 = "villagelink.core.views.permission_denied"
handler404 = "villagelink.core.views.page_not_found"
handler500 = "villagelink.core.views.server_error"
