from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "villagelink.catalog"
    label = "catalog"
    verbose_name = _("Shops and products")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from villagelink.core.notes import WORDS

        from .models import Platform, Product, Shop
        from .stock import stock_connect

        WORDS.update({f"platform:{platform.value}": platform.label for platform in Platform})
        auditlog.register(Shop)
        auditlog.register(Product)
        stock_connect()
