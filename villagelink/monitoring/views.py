"""The dashboard: a unit's indicators for a period, its monthly trend, a ranking of its children, coverage and
designations; the printable report and the workbook carry the same figures."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from villagelink.approvals.services import ApprovalError, approval_state, approval_withdraw, month_approve
from villagelink.core.dates import region_today
from villagelink.core.exceptions import ApplicationError
from villagelink.core.periods import Period, PeriodError, period_between, period_default, period_parse
from villagelink.core.scope import scope_unit_of
from villagelink.geo.models import AdminUnit
from villagelink.geo.selectors import unit_get

from .charts import trend_chart
from .exports import dashboard_workbook
from .indicators import BY_NAME, INDICATORS, Measure
from .selectors import dashboard_for

FIRST_YEAR = 2015
CARDS = [
    "online_sales", "online_sales_orders", "online_purchases", "online_purchases_orders", "poor_household_income",
    "purchase_savings", "assistance_events", "households_assisted", "online_shops", "county_centres",
    "township_stations", "village_points", "demonstration_counties",
]  # fmt: skip
RANKING = [
    "online_sales",
    "online_purchases",
    "online_shops",
    "assistance_events",
    "households_assisted",
    "village_points",
]
COVERAGE = ["county_centres", "township_stations", "village_points", "township_coverage", "village_coverage"]


def _can_monitor(user) -> bool:
    return user.is_authenticated and (user.is_administrator or scope_unit_of(user) is not None)


def _period(request) -> tuple[Period, str]:
    """From ?period=…, or ?start=…&end=…, or ?year=…&part=…; this year when none is given."""
    params = request.GET
    try:
        if params.get("start") or params.get("end"):
            start = datetime.date.fromisoformat(params.get("start", ""))
            end = datetime.date.fromisoformat(params.get("end", ""))
            return period_between(start, end), ""
        if params.get("year"):
            part = params.get("part", "")
            return period_parse(f"{params['year']}{'-' + part if part else ''}"), ""
        if params.get("period"):
            return period_parse(params["period"]), ""
    except ValueError:
        error = _("Give both the first and the last day as dates (YYYY-MM-DD).")
    except ApplicationError as problem:
        error = problem.message
    else:
        error = ""
    return period_default(), error


@login_required
def dashboard_home(request):
    if not _can_monitor(request.user):
        raise PermissionDenied
    unit = (
        scope_unit_of(request.user) or AdminUnit.objects.filter(parent__isnull=True).order_by("code").first()
    )
    if unit is None:
        return render(request, "monitoring/empty.html")
    return redirect("monitoring:dashboard", code=unit.code)


def _sorted(children, sort: str, descending: bool):
    if sort == "name":
        return sorted(children, key=lambda c: c.unit.name, reverse=descending)
    return sorted(children, key=lambda c: (c.values[sort] is None, c.values[sort] or 0), reverse=descending)


def _context(request, code: str):
    if not _can_monitor(request.user):
        raise PermissionDenied
    period, period_error = _period(request)
    dashboard = dashboard_for(user=request.user, unit=unit_get(user=request.user, code=code), period=period)
    sort = request.GET.get("sort", "online_sales")
    sort = sort if sort in BY_NAME or sort == "name" else "online_sales"
    descending = request.GET.get("dir", "desc") != "asc"
    own = dashboard.own
    if own is not None and not any(own[name] for name in RANKING + COVERAGE):
        own = None  # only what the tables do not show
    values, months = dashboard.values, dashboard.months
    return {
        "approval": dashboard.approval,
        "unit": dashboard.unit,
        "ancestors": dashboard.ancestors,
        "period": period,
        "period_error": period_error,
        "cards": [(BY_NAME[name], values[name]) for name in CARDS],
        "coverage_cards": [
            (BY_NAME[name], values[name]) for name in ("township_coverage", "village_coverage")
        ],
        "indicators": INDICATORS,
        "ranking_columns": [BY_NAME[name] for name in RANKING],
        "coverage_columns": [BY_NAME[name] for name in COVERAGE],
        "children": _sorted(dashboard.children, sort, descending),
        "own": own,
        "values": values,
        "sort": sort,
        "descending": descending,
        "months": months,
        "chart": trend_chart(months) if len(months) > 1 else None,
        "channels": dashboard.channels,
        "categories": dashboard.categories,
        "designations": dashboard.designations_by_year,
        "part": period.key[5:] if period.kind in ("quarter", "month") else "",
        "years": list(range(region_today().year, FIRST_YEAR - 1, -1)),
        "parts": [("", _("Whole year"))]
        + [(f"Q{q}", _("Quarter %(n)d") % {"n": q}) for q in range(1, 5)]
        + [(f"{m:02d}", date_format(datetime.date(2000, m, 1), "F")) for m in range(1, 13)],
        "YUAN": Measure.YUAN,
        "SHARE": Measure.SHARE,
    }


@login_required
@require_POST
def approval(request, code: str):
    """Approve the month on show, or withdraw its approval (with a reason)."""
    if not _can_monitor(request.user):
        raise PermissionDenied
    unit = unit_get(user=request.user, code=code)
    try:
        month = period_parse(request.POST.get("month", ""))
        if month.kind != "month":
            raise PeriodError(_("Choose one month to approve."))
        if request.POST.get("action") == "withdraw":
            standing = approval_state(unit, month.start)
            if standing is None:
                raise ApprovalError(_("This month is not approved."))
            approval_withdraw(by=request.user, approval=standing, reason=request.POST.get("reason", ""))
            messages.success(request, _("The approval is withdrawn."))
        else:
            month_approve(by=request.user, unit=unit, month=month.start)
            messages.success(request, _("The figures for %(month)s are approved.") % {"month": month.key})
    except ApplicationError as error:
        messages.error(request, error.message)
        month = None
    query = f"?period={month.key}" if month else ""
    return redirect(reverse("monitoring:dashboard", args=[unit.code]) + query)


@login_required
def dashboard(request, code: str):
    return render(request, "monitoring/dashboard.html", _context(request, code))


@login_required
def report(request, code: str):
    """The printable report for the programme's periodic reporting (print stylesheet)."""
    return render(request, "monitoring/report.html", _context(request, code))


@login_required
def workbook(request, code: str):
    if not _can_monitor(request.user):
        raise PermissionDenied
    unit = unit_get(user=request.user, code=code)
    period, _error = _period(request)
    response = HttpResponse(
        dashboard_workbook(dashboard=dashboard_for(user=request.user, unit=unit, period=period)),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="villagelink-{unit.code}-{period.key}.xlsx"'
    return response
