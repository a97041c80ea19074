"""System checks of the project's own."""

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.db import DatabaseError


@register(Tags.security, deploy=True)
def demo_accounts_absent(app_configs=None, **kwargs):
    """Under the production settings, refuse to pass `check --deploy` while a demo account exists."""
    if not getattr(settings, "VILLAGELINK_REFUSE_DEMO_ACCOUNTS", False):
        return []
    from .models import User

    try:
        found = sorted(
            User.objects.filter(username__in=settings.VILLAGELINK_DEMO_USERNAMES).values_list(
                "username", flat=True
            )
        )
    except DatabaseError:
        return []  # no database yet (before the first migrate): there can be no demo accounts either
    if not found:
        return []
    return [
        Error(
            f"The demo accounts {', '.join(found)} exist in this database; their password is public.",
            hint="Delete them (villagelink shell, or the admin) before serving this database in production.",
            id="villagelink.E001",
        )
    ]
