from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "villagelink.catalog"
    label = "catalog"
    verbose_name = _("Shops and products")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import Product, Shop

        auditlog.register(Shop)
        auditlog.register(Product)
