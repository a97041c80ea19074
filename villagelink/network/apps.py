from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    name = "villagelink.network"
    label = "network"
    verbose_name = _("Service network")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import Designation, ServiceSite, SiteOperator
        from .stock import stock_connect

        auditlog.register(ServiceSite)
        auditlog.register(SiteOperator)
        auditlog.register(Designation)
        stock_connect()
