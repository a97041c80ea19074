"""Periods of days: records open over a span (service sites, shops: opened_on, and closed_on or null), month
arithmetic, and reporting periods (a year, a quarter, a month or a custom range of days, named in one short
text)."""

import datetime
import re
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from villagelink.core.dates import region_today
from villagelink.core.exceptions import ApplicationError

EARLIEST = datetime.date(2000, 1, 1)
LATEST = datetime.date(2100, 12, 31)


class PeriodError(ApplicationError):
    pass


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date

    @property
    def key(self) -> str:
        """How the period is named in addresses: "2019", "2019-Q2", "2019-06" or "2019-01-05..2019-02-10"."""
        start, end = self.start, self.end
        if start == datetime.date(start.year, 1, 1) and end == datetime.date(start.year, 12, 31):
            return str(start.year)
        if start.day == 1 and start.month % 3 == 1 and end == _month_end(start.year, start.month + 2):
            return f"{start.year}-Q{start.month // 3 + 1}"
        if start.day == 1 and end == _month_end(start.year, start.month):
            return f"{start.year}-{start.month:02d}"
        return f"{start.isoformat()}..{end.isoformat()}"

    @property
    def kind(self) -> str:
        key = self.key
        return "year" if len(key) == 4 else "quarter" if "Q" in key else "month" if len(key) == 7 else "range"


def next_month(day: datetime.date) -> datetime.date:
    """The first day of the month after `day`'s."""
    return (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


def month_end(day: datetime.date) -> datetime.date:
    """The last day of `day`'s month."""
    return next_month(day) - datetime.timedelta(days=1)


def _month_end(year: int, month: int) -> datetime.date:
    return month_end(datetime.date(year, month, 1))


def _a_year_before(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def period_year_before(period: Period) -> Period:
    """The same days a year earlier (a month, a quarter or a year stays one)."""
    return Period(_a_year_before(period.start), _a_year_before(period.end))


def period_before(period: Period) -> Period | None:
    """The month or quarter just before a month's or a quarter's; None for other periods (a year's is the same
    as the year before; a range has none an officer would compare with)."""
    if period.kind == "month":
        last = period.start - datetime.timedelta(days=1)
        return Period(last.replace(day=1), last)
    if period.kind == "quarter":
        last = period.start - datetime.timedelta(days=1)
        return Period(datetime.date(last.year, last.month - 2, 1), last)
    return None


def period_between(start: datetime.date, end: datetime.date) -> Period:
    if start > end:
        raise PeriodError(_("The period starts after it ends: give a start on or before the end."))
    if start < EARLIEST or end > LATEST:
        raise PeriodError(
            _("Give a period between %(first)s and %(last)s.") % {"first": EARLIEST, "last": LATEST}
        )
    return Period(start, end)


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as exc:
        raise PeriodError(
            _("“%(text)s” is not a date: write it as YYYY-MM-DD, e.g. 2019-06-30.") % {"text": text[:20]}
        ) from exc


def period_parse(text: str) -> Period:
    """ "2019", "2019-Q2", "2019-06" or "2019-01-05..2019-02-10"."""
    text = (text or "").strip()
    if match := re.fullmatch(r"(\d{4})", text):
        year = int(match[1])
        return period_between(datetime.date(year, 1, 1), datetime.date(year, 12, 31))
    if match := re.fullmatch(r"(\d{4})-[Qq]([1-4])", text):
        year, quarter = int(match[1]), int(match[2])
        return period_between(datetime.date(year, quarter * 3 - 2, 1), _month_end(year, quarter * 3))
    if match := re.fullmatch(r"(\d{4})-(\d{2})", text):
        year, month = int(match[1]), int(match[2])
        if not 1 <= month <= 12:
            raise PeriodError(_("“%(text)s” names no month.") % {"text": text})
        return period_between(datetime.date(year, month, 1), _month_end(year, month))
    if ".." in text:
        start, end = text.split("..", 1)
        return period_between(_date(start), _date(end))
    raise PeriodError(
        _(
            "“%(text)s” is not a period: give a year (2019), a quarter (2019-Q2), a month (2019-06) or a range (2019-01-05..2019-02-10)."
        )
        % {"text": text[:30]}
    )


def period_default() -> Period:
    """This year so far."""
    today = region_today()
    return Period(datetime.date(today.year, 1, 1), today)


def period_from(*, start: str | None, end: str | None) -> Period:
    """From optional YYYY-MM-DD texts: the end defaults to today, the start to 1 January of the end's year."""
    end_day = _date(end) if end else region_today()
    start_day = _date(start) if start else datetime.date(end_day.year, 1, 1)
    return period_between(start_day, end_day)


def open_on_q(day: datetime.date, prefix: str = "") -> Q:
    """Open at the end of `day`: opened on or before it, and not closed by then (closing day excluded)."""
    return Q(**{f"{prefix}opened_on__lte": day}) & (
        Q(**{f"{prefix}closed_on__isnull": True}) | Q(**{f"{prefix}closed_on__gt": day})
    )
