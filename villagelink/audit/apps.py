from django.apps import AppConfig
from django.db.models.signals import pre_delete, pre_save
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "villagelink.audit"
    label = "audit"
    verbose_name = _("Audit trail")

    def ready(self) -> None:
        from auditlog.models import LogEntry

        from .signals import refuse_change, refuse_delete

        pre_save.connect(refuse_change, sender=LogEntry, dispatch_uid="audit-refuse-change")
        pre_delete.connect(refuse_delete, sender=LogEntry, dispatch_uid="audit-refuse-delete")
