from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "villagelink.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import checks  # noqa: F401  (registers the system checks)
        from .models import User

        auditlog.register(User, exclude_fields=["password", "last_login"])
