from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityConfig(AppConfig):
    name = "villagelink.quality"
    label = "quality"
    verbose_name = _("Data quality")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from villagelink.orders.facts import facts_on_change

        from .models import Flag
        from .services import checks_after_change

        auditlog.register(Flag, exclude_fields=["evidence", "fingerprint"])
        facts_on_change(checks_after_change)
