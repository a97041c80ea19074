from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo data set, built through every app's services. Demo code may import anything; nothing imports
    it."""

    name = "villagelink.demo"
    label = "demo"
    verbose_name = _("Demo")
