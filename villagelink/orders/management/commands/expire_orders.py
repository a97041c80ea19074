from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from villagelink.core.throttle import throttles_purge
from villagelink.orders.services import orders_expire, refunds_retry


class Command(BaseCommand):
    help = (
        "Cancel online orders left unpaid past their reservation (their stock goes back on sale) and retry "
        "refunds a payment provider has not yet confirmed, and forget attempt counts of past days. Run it every "
        "few minutes (cron or a timer)."
    )

    def handle(self, *args, **options):
        expired = orders_expire()
        retried = refunds_retry()
        throttles_purge()
        self.stdout.write(
            _("%(expired)d unpaid orders cancelled, %(retried)d refunds retried.")
            % {"expired": expired, "retried": retried}
        )
