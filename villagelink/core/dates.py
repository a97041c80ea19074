"""Days are the region's local days (settings.VILLAGELINK_REGION_TIME_ZONE), whatever the server's clock."""

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone


def region_zone() -> ZoneInfo:
    return ZoneInfo(settings.VILLAGELINK_REGION_TIME_ZONE)


def region_today() -> datetime.date:
    return timezone.now().astimezone(region_zone()).date()


def region_day(moment: datetime.datetime) -> datetime.date:
    return moment.astimezone(region_zone()).date()
