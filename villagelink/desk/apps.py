from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeskConfig(AppConfig):
    name = "villagelink.desk"
    label = "desk"
    verbose_name = _("Service point desk")

    def ready(self) -> None:
        from villagelink.quality.completeness import point_work

        from .selectors import sites_with_parcels
        from .stock import stock_connect

        point_work(sites_with_parcels)
        stock_connect()
