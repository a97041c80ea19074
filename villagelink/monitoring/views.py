"""The dashboard: a unit's indicators for a period, its monthly trend, a ranking of its children, coverage and
designations; the printable report and the workbook carry the same figures."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from villagelink.approvals.services import ApprovalError, approval_state, approval_withdraw
from villagelink.core.dates import region_today
from villagelink.core.exceptions import ApplicationError, ErrorCode
from villagelink.core.forms import add_service_error, int_or_none
from villagelink.core.numbers import grouped, yuan_text
from villagelink.core.periods import (
    EARLIEST,
    LATEST,
    Period,
    PeriodError,
    period_between,
    period_parse,
    period_year_before,
)
from villagelink.core.scope import scope_unit_of
from villagelink.geo.models import LEVEL_PATH_WIDTH, AdminUnit, Level
from villagelink.geo.selectors import unit_get
from villagelink.quality.services import can_review
from villagelink.quality.shares import ON_ORDERS, AreaFlags, is_marked, mark_thresholds
from villagelink.quality.signoff import month_approve_checked, open_flags_for

from .charts import trend_chart
from .exports import dashboard_workbook
from .forms import ApproveForm, TargetForm, WithdrawForm
from .indicators import BY_NAME, INDICATORS, Measure
from .maps import Map, unit_map
from .models import TARGETED, Target, TargetKind
from .selectors import (
    Dashboard,
    Figures,
    Values,
    dashboard_for,
    figures_for_level,
    period_with_data,
    targets_for,
)
from .services import target_remove, target_set

FIRST_YEAR = 2015
CARDS = [
    "online_sales", "online_sales_orders", "farm_product_sales", "online_purchases", "online_purchases_orders",
    "poor_household_income",
    "purchase_savings", "assistance_events", "households_assisted", "online_shops", "county_centres",
    "township_stations", "village_points", "demonstration_counties",
]  # fmt: skip
# The programme's own indicators (the poor households, training, shops by owner, parcels), in a second row.
PROGRAMME_CARDS = [
    "poor_households", "poor_households_assisted", "poor_households_assisted_share", "income_per_poor_household",
    "training_sessions", "training_person_times", "household_shops", "cooperative_shops", "enterprise_shops",
    "poor_villages", "parcels", "parcel_cost", "pickup_days",
]  # fmt: skip
RANKING = [
    "online_sales",
    "online_purchases",
    "online_shops",
    "assistance_events",
    "households_assisted",
    "village_points",
]
COVERAGE = [
    "county_centres", "township_stations", "village_points", "township_coverage", "village_coverage",
    "poor_village_coverage",
]  # fmt: skip


# The deepest level at which a card means something: a village has no county centre, township station or
# demonstration county of its own, and its coverage of townships or villages is no figure.
DEEPEST = {
    "county_centres": Level.COUNTY,
    "demonstration_counties": Level.COUNTY,
    "township_coverage": Level.COUNTY,
    "township_stations": Level.TOWNSHIP,
    "village_coverage": Level.TOWNSHIP,
    "poor_villages": Level.TOWNSHIP,
    "poor_village_coverage": Level.TOWNSHIP,
}


def _means_something(name: str, unit: AdminUnit) -> bool:
    deepest = DEEPEST.get(name)
    return deepest is None or LEVEL_PATH_WIDTH[Level(unit.level)] <= LEVEL_PATH_WIDTH[deepest]


def _change(value, before) -> dict | None:
    """A figure against an earlier one: the change in percent, or new (from nothing); None when both are nothing."""
    if value is None or before is None or (value == 0 and before == 0):
        return None
    if before == 0:
        return {"new": True, "direction": "up"}
    change = (value - before) / before * 100
    direction = "up" if change > 0 else "down" if change < 0 else "same"
    return {"percent": number_format(round(abs(change), 1), 1), "direction": direction}


def _judged(dashboard: Dashboard, name: str) -> dict:
    """What a card says beside its figure: its change on the period before and on the same period a year
    earlier, and the unit's share of its parent (for figures that add up)."""
    indicator, value = BY_NAME[name], dashboard.values[name]
    if indicator.measure == Measure.SHARE:
        return {}
    changes = [(period.key, _change(value, earlier[name])) for period, earlier in dashboard.comparisons]
    share = None
    if indicator.additive and dashboard.parent_values is not None and value:
        parent, figures = dashboard.parent_values
        total = figures[name]
        if total:
            share = {"parent": parent.name, "percent": number_format(round(value / total * 100, 1), 1)}
    return {
        "changes": [(key, change) for key, change in changes if change],
        "share": share,
        "progress": _progress_shown(dashboard, name),
    }


def _progress_shown(dashboard: Dashboard, name: str) -> dict | None:
    """The card's target line: the target in the indicator's terms, how much is reached, behind or not."""
    progress = dashboard.progress.get(name)
    if progress is None:
        return None
    target = _target_text(name, progress.target, progress.kind)
    reached = None if progress.reached is None else number_format(round(progress.reached * 100, 1), 1)
    inherited = progress.set_at.name if progress.set_at.pk != dashboard.unit.pk else ""
    growth = None if progress.growth is None else number_format(round(progress.growth * 100, 1), 1)
    return {
        "target": target,
        "reached": reached,
        "behind": progress.behind,
        "inherited": inherited,
        "is_growth": progress.kind == TargetKind.GROWTH,
        "growth": growth,
    }


def _target_text(name: str, value, kind: str = TargetKind.LEVEL) -> str:
    """A target in its indicator's terms: ¥300,000,000.00, 50.0 %, 1,200; a growth as +15.0 %."""
    if kind == TargetKind.GROWTH:
        return f"+{number_format(value, 1)} %"
    measure = BY_NAME[name].measure
    if measure == Measure.YUAN:
        return f"¥{yuan_text(int(value * 100))}"
    if measure == Measure.SHARE:
        return f"{number_format(value, 1)} %"
    return grouped(int(value))


def _can_monitor(user) -> bool:
    return user.is_authenticated and (user.is_administrator or scope_unit_of(user) is not None)


def _period(request, unit: AdminUnit) -> tuple[Period, str]:
    """From ?period=…, or ?start=…&end=…, or ?year=…&part=…; when none is given (or it is wrong), the latest year
    with the unit's trade (`period_with_data`)."""
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
    return period_with_data(unit=unit), error


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


def _flagged(flags: AreaFlags, values: Values) -> dict[str, dict]:
    """For each indicator measured on orders: the part of its figure on open flags (and its share), and what
    confirmed flags took out; only where there is something to show."""
    shown = {}
    for name in ON_ORDERS:
        part = flags.part(name)
        if part.open or part.excluded:
            shown[name] = {"open": part.open, "share": part.share_of(values[name]), "excluded": part.excluded}
    return shown


def _children_flagged(dashboard: Dashboard, children: list[Figures]) -> dict[str, dict]:
    """For each child with flags open in the period, by path: how many, their share of its online trade, and
    whether that marks it in the ranking."""
    shown = {}
    for child in children:
        flags = dashboard.children_flags.get(child.unit.path)
        if flags is None or not (flags.open_flags or flags.open_fen):
            continue
        trade = (child.values["online_sales"] or 0) + (child.values["online_purchases"] or 0)
        shown[child.unit.path] = {
            "open_flags": flags.open_flags,
            "share": flags.open_fen / trade if trade else None,
            "marked": is_marked(flags, trade),
        }
    return shown


def _approval_forms(dashboard: Dashboard, period: Period, bound: dict) -> dict:
    """The approval panel's forms as shown (None where the panel shows no such form), each bound to what was
    typed when it was refused; a refusal whose form is not shown any more is listed above the panel."""
    approval = dashboard.approval
    forms: dict = {"approve_form": None, "withdraw_form": None, "approval_refused": []}
    if approval is None:
        return forms
    if approval.standing is not None:
        if approval.can_approve:
            forms["withdraw_form"] = bound.get("withdraw") or WithdrawForm()
    elif approval.can_approve and approval.ended and not approval.missing:
        forms["approve_form"] = bound.get("approve") or ApproveForm(
            open_flags=approval.open_flags, unit_name=dashboard.unit.name, month=period.key
        )
    for name, form in bound.items():
        if forms[f"{name}_form"] is not form:
            forms["approval_refused"] += [error for errors in form.errors.values() for error in errors]
    return forms


def _map(request, dashboard: Dashboard) -> Map | None:
    """The unit's map (a region or a prefecture), shaded by the indicator chosen with `?map=`."""
    unit, period = dashboard.unit, dashboard.period
    if unit.level not in (Level.REGION, Level.PREFECTURE):
        return None
    indicator = BY_NAME.get(request.GET.get("map", ""), BY_NAME["online_sales"])
    query = f"?period={period.key}&map={indicator.name}"
    if unit.level == Level.REGION:
        counties = figures_for_level(unit=unit, level=Level.COUNTY, start=period.start, end=period.end)
        prefectures = dashboard.children
    else:
        counties, prefectures = dashboard.children, []
    return unit_map(unit=unit, prefectures=prefectures, counties=counties, indicator=indicator, query=query)


def _parts() -> list[tuple[str, str]]:
    """The parts of a year the period picker offers."""
    return (
        [("", _("Whole year"))]
        + [(f"Q{q}", _("Quarter %(n)d") % {"n": q}) for q in range(1, 5)]
        + [(f"{m:02d}", date_format(datetime.date(2000, m, 1), "F")) for m in range(1, 13)]
    )


def _context(request, code: str, *, period: Period | None = None, bound: dict | None = None):
    if not _can_monitor(request.user):
        raise PermissionDenied
    period_error = ""
    unit = unit_get(user=request.user, code=code)
    if period is None:
        period, period_error = _period(request, unit)
    dashboard = dashboard_for(user=request.user, unit=unit, period=period)
    sort = request.GET.get("sort", "online_sales")
    sort = sort if sort in BY_NAME or sort == "name" else "online_sales"
    descending = request.GET.get("dir", "desc") != "asc"
    own = dashboard.own
    if own is not None and not any(own[name] for name in RANKING + COVERAGE):
        own = None  # only what the tables do not show
    values, months = dashboard.values, dashboard.months
    flagged = _flagged(dashboard.flags, values)
    return {
        "dashboard": dashboard,
        "map": _map(request, dashboard),
        "approval": dashboard.approval,
        **_approval_forms(dashboard, period, bound or {}),
        "unit": dashboard.unit,
        "ancestors": dashboard.ancestors,
        "period": period,
        "period_error": period_error,
        "cards": [
            (BY_NAME[name], values[name], flagged.get(name), _judged(dashboard, name))
            for name in CARDS
            if _means_something(name, unit)
        ],
        "programme_cards": [
            (BY_NAME[name], values[name], None, _judged(dashboard, name))
            for name in PROGRAMME_CARDS
            if _means_something(name, unit)
        ],
        "flagged": [(BY_NAME[name], values[name], flagged.get(name)) for name in BY_NAME if name in flagged],
        "flags": dashboard.flags,
        "found_later": dashboard.found_later,
        "can_review": can_review(request.user),
        "coverage_cards": [
            (BY_NAME[name], values[name], _progress_shown(dashboard, name))
            for name in ("township_coverage", "village_coverage", "poor_village_coverage")
            if _means_something(name, unit)
        ],
        "children_behind": dashboard.children_behind,
        "indicators": INDICATORS,
        "ranking_columns": [BY_NAME[name] for name in RANKING],
        "coverage_columns": [BY_NAME[name] for name in COVERAGE],
        "children": _sorted(dashboard.children, sort, descending),
        "children_flagged": _children_flagged(dashboard, dashboard.children),
        "mark": mark_thresholds(),
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
        "parts": _parts(),
        "YUAN": Measure.YUAN,
        "SHARE": Measure.SHARE,
        "COUNT": Measure.COUNT,
    }


@login_required
@require_POST
def approval(request, code: str):
    """Approve the month on show (confirmed; with a reason while flags are open), or withdraw its approval
    (with a reason). A refused form comes back on the dashboard as typed, its error beside the field."""
    if not _can_monitor(request.user):
        raise PermissionDenied
    unit = unit_get(user=request.user, code=code)
    try:
        month = period_parse(request.POST.get("month", ""))
        if month.kind != "month":
            raise PeriodError(_("Choose one month to approve."))
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("monitoring:dashboard", code=unit.code)
    back = reverse("monitoring:dashboard", args=[unit.code]) + f"?period={month.key}"
    form: ApproveForm | WithdrawForm
    if request.POST.get("action") == "withdraw":
        name, form = "withdraw", WithdrawForm(request.POST)
        if form.is_valid():
            try:
                standing = approval_state(unit, month.start)
                if standing is None:
                    raise ApprovalError(_("This month is not approved."))
                approval_withdraw(by=request.user, approval=standing, reason=form.cleaned_data["reason"])
            except ApplicationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("The approval is withdrawn."))
                return redirect(back)
    else:
        name, form = (
            "approve",
            ApproveForm(
                request.POST,
                open_flags=open_flags_for(unit=unit, month=month.start),
                unit_name=unit.name,
                month=month.key,
            ),
        )
        if form.is_valid():
            try:
                month_approve_checked(
                    by=request.user, unit=unit, month=month.start, reason=form.cleaned_data.get("reason", "")
                )
            except ApplicationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("The figures for %(month)s are approved.") % {"month": month.key})
                return redirect(back)
    response = render(
        request,
        "monitoring/dashboard.html",
        _context(request, code, period=month, bound={name: form}),
        status=400,
    )
    response["HX-Replace-Url"] = back  # a reload shows the dashboard, not this form's address
    return response


@login_required
def dashboard(request, code: str):
    return render(request, "monitoring/dashboard.html", _context(request, code))


@login_required
def report(request, code: str):
    """The printable report for the programme's periodic reporting (print stylesheet, A4 portrait). The units'
    figures come as two tables, trade and the network, each narrow enough for the page."""
    context = _context(request, code)
    dashboard = context["dashboard"]
    year_before = period_year_before(dashboard.period)
    earlier = next((values for p, values in dashboard.comparisons if p == year_before), None)
    context["year_before"] = year_before
    context["report_rows"] = [
        (
            indicator,
            dashboard.values[indicator.name],
            None if earlier is None else earlier[indicator.name],
            _progress_shown(dashboard, indicator.name),
        )
        for indicator in INDICATORS
    ]
    context["by_unit_tables"] = [
        (_("By unit: trade and assistance"), context["ranking_columns"]),
        (_("By unit: the service network"), context["coverage_columns"]),
    ]
    return render(request, "monitoring/report.html", context)


@login_required
def workbook(request, code: str):
    if not _can_monitor(request.user):
        raise PermissionDenied
    unit = unit_get(user=request.user, code=code)
    period, _error = _period(request, unit)
    response = HttpResponse(
        dashboard_workbook(dashboard=dashboard_for(user=request.user, unit=unit, period=period)),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="villagelink-{unit.code}-{period.key}.xlsx"'
    return response


@login_required
def targets(request, code: str):
    """The unit's yearly targets: its own (set, changed, removed here by its officers and those above) and the
    shares it takes from the units above it."""
    if not _can_monitor(request.user):
        raise PermissionDenied
    unit = unit_get(user=request.user, code=code)
    year = int_or_none(request.GET.get("year", "")) or 0
    if (
        not EARLIEST.year <= year <= LATEST.year
    ):  # none given, or out of the years kept (a stored year is small)
        year = region_today().year
    choices = [(name, BY_NAME[name].label) for name in TARGETED]
    form = TargetForm(initial={"year": year}, choices=choices)
    if request.method == "POST":
        try:
            if "remove" in request.POST:
                pk = int_or_none(request.POST["remove"])
                target = Target.objects.filter(unit=unit, pk=pk).first() if pk is not None else None
                if target is not None:
                    year = target.year
                    target_remove(by=request.user, target=target)
                    messages.success(request, _("The target is removed."))
                return redirect(f"{reverse('monitoring:targets', args=[unit.code])}?year={year}")
            form = TargetForm(request.POST, choices=choices)
            if form.is_valid():
                data = form.cleaned_data
                target_set(
                    by=request.user,
                    unit=unit,
                    indicator=data["indicator"],
                    year=data["year"],
                    value=data["value"],
                    kind=data["kind"] or TargetKind.LEVEL,
                )
                messages.success(request, _("The target is set."))
                return redirect(f"{reverse('monitoring:targets', args=[unit.code])}?year={data['year']}")
        except ApplicationError as error:
            if error.code == ErrorCode.FORBIDDEN:
                raise PermissionDenied(error.message) from error
            add_service_error(form, error)
    found = targets_for(units=[unit], year=year)[unit.path]
    rows = [
        (
            BY_NAME[name],
            found.get(name),
            _target_text(name, found[name].value, found[name].kind) if name in found else "",
        )
        for name in TARGETED
    ]
    return render(
        request,
        "monitoring/targets.html",
        {"unit": unit, "year": year, "rows": rows, "form": form, "years": range(year - 2, year + 3)},
        status=400 if form.errors else 200,
    )
