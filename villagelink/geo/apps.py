from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GeoConfig(AppConfig):
    name = "villagelink.geo"
    label = "geo"
    verbose_name = _("Administrative units")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import AdminUnit

        auditlog.register(AdminUnit)
