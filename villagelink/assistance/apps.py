from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistanceConfig(AppConfig):
    name = "villagelink.assistance"
    label = "assistance"
    verbose_name = _("Assistance")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import AssistanceEvent, TrainingSession
        from .stock import stock_connect

        auditlog.register(AssistanceEvent)
        auditlog.register(TrainingSession)
        stock_connect()
