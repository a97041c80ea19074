"""Deploy checks of the order app: online payment must be real, switched off, or a named trial."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

from .payments import GATEWAYS, OFF, CashOnDelivery, SimulatedProvider


@register(Tags.security, deploy=True)
def online_payment_is_real(app_configs=None, **kwargs):
    code = settings.VILLAGELINK_ONLINE_PAYMENT_PROVIDER
    if code == OFF:
        return []
    if code not in GATEWAYS or code == CashOnDelivery.code:
        return [
            Error(
                f"VILLAGELINK_ONLINE_PAYMENT_PROVIDER names no online payment provider: {code!r}.",
                hint=f"Name one of {sorted(set(GATEWAYS) - {CashOnDelivery.code})}, or 'off' for cash on "
                "delivery only.",
                id="villagelink.E002",
            )
        ]
    if code != SimulatedProvider.code:
        return []
    if not settings.VILLAGELINK_ALLOW_SIMULATED_PAYMENTS:
        return [
            Error(
                "Online payment uses the simulated provider: anyone can mark an order paid with no money moving.",
                hint="Configure a real provider in VILLAGELINK_ONLINE_PAYMENT_PROVIDER, or set it to 'off' (cash "
                "on delivery only). For a trial server only, VILLAGELINK_ALLOW_SIMULATED_PAYMENTS=true.",
                id="villagelink.E003",
            )
        ]
    return [
        Warning(
            "Online payment uses the simulated provider (VILLAGELINK_ALLOW_SIMULATED_PAYMENTS is on): orders are "
            "marked paid with no money moving.",
            hint="Only for a trial server. Configure a real provider, or 'off', before taking real orders.",
            id="villagelink.W003",
        )
    ]
