from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "villagelink.imports"
    label = "imports"
    verbose_name = _("Imports of platform order reports")

    def ready(self):
        from auditlog.registry import auditlog

        from .models import OfficeWord

        auditlog.register(OfficeWord)
