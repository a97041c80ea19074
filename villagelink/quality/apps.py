from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityConfig(AppConfig):
    name = "villagelink.quality"
    label = "quality"
    verbose_name = _("Data quality")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import Flag

        auditlog.register(Flag, exclude_fields=["evidence", "fingerprint"])
