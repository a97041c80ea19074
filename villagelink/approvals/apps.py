from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    """Officers' approvals of a unit's monthly figures, and the guard every service that would change them
    passes. It sits below the domain apps: they call `approvals_guard`; it imports none of them."""

    name = "villagelink.approvals"
    label = "approvals"
    verbose_name = _("Approvals")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import Approval

        auditlog.register(Approval)
