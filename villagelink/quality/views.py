import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from villagelink.core.dates import region_today
from villagelink.core.exceptions import ApplicationError
from villagelink.core.forms import add_service_error
from villagelink.core.periods import period_parse
from villagelink.geo.selectors import unit_ancestors, unit_get

from .completeness import completeness_for
from .exports import quality_workbook
from .forms import CheckForm, FlagMonthForm, MonthForm, ReviewForm
from .models import FlagStatus, Rule, evidence_shown
from .selectors import flag_get, flag_list, flag_totals
from .services import can_review, flag_confirm, flag_dismiss, quality_check

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def last_ended_month() -> datetime.date:
    """The first day of the month before this one (in the region's time zone): the month a report is for."""
    return (region_today().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


@login_required
def flags(request, code: str):
    """The flags of a unit's area, by status, rule and month, with the check to run."""
    if not can_review(request.user):
        raise PermissionDenied
    unit = unit_get(user=request.user, code=code)
    status = request.GET.get("status", FlagStatus.OPEN)
    status = status if status in FlagStatus.values or status == "all" else FlagStatus.OPEN
    rule = request.GET.get("rule", "")
    rule = rule if rule in Rule.values else ""
    month_form = FlagMonthForm(request.GET)
    month = month_form.cleaned_data["month"] if month_form.is_valid() else None
    found = flag_list(
        user=request.user, path=unit.path, status="" if status == "all" else status, rule=rule, month=month
    )
    page = Paginator(found.annotate(order_count=Count("orders")), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "quality/flags.html",
        {
            "unit": unit,
            "page": page,
            "totals": flag_totals(flag_list(user=request.user, path=unit.path)),
            "status": status,
            "rule": rule,
            "statuses": FlagStatus.choices,
            "rules": Rule.choices,
            "month_form": month_form,
            # the month the downloads and the completeness table are for: the one filtered on, else the last
            "month": month or last_ended_month(),
            "check_form": CheckForm(initial={"period": request.GET.get("period", "")}),
        },
        status=400 if month_form.errors else 200,
    )


@login_required
@require_POST
def check(request, code: str):
    if not can_review(request.user):
        raise PermissionDenied
    unit = unit_get(user=request.user, code=code)
    form = CheckForm(request.POST)
    if form.is_valid():
        try:
            period = period_parse(form.cleaned_data["period"])
            result = quality_check(path=unit.path, first=period.start, last=period.end)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("Checked %(period)s: %(new)d new flags (%(found)d findings in all).")
                % {"period": period.key, "new": result.new, "found": result.found},
            )
    else:
        messages.error(request, _("Give a month (2019-06), a quarter (2019-Q2) or a year (2019) to check."))
    return redirect("quality:flags", code=unit.code)


@login_required
def flag_detail(request, pk: int):
    flag = flag_get(user=request.user, pk=pk)
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        decide = flag_confirm if request.POST.get("decision") == "confirm" else flag_dismiss
        try:
            decide(by=request.user, flag=flag, reason=form.cleaned_data["reason"])
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The decision is recorded."))
            return redirect("quality:flag", pk=flag.pk)
    orders = flag.orders.select_related("shop", "unit").order_by("placed_at", "pk")
    return render(
        request,
        "quality/flag.html",
        {
            "flag": flag,
            "evidence": evidence_shown(flag.evidence),
            "orders": orders,
            "form": form,
            "open": flag.status == FlagStatus.OPEN,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def completeness(request, code: str):
    """Which shops of the area sent their platform report for the month, which village points recorded
    nothing, and the share complete, per child unit (click to drill down); the lists of missing shops and
    silent points below."""
    if not can_review(request.user):
        raise PermissionDenied
    unit = unit_get(user=request.user, code=code)
    form = MonthForm(
        request.GET if "month" in request.GET else None, initial={"month": f"{last_ended_month():%Y-%m}"}
    )
    found = None
    shops_page = points_page = None
    if form.is_bound and not form.is_valid():
        month = None
    else:
        month = form.cleaned_data["month"] if form.is_bound else last_ended_month()
        found = completeness_for(user=request.user, unit=unit, month=month)
        shops_page = Paginator(found.missing_shops, 50).get_page(request.GET.get("shops_page"))
        points_page = Paginator(found.silent_points, 50).get_page(request.GET.get("points_page"))
    return render(
        request,
        "quality/completeness.html",
        {
            "unit": unit,
            "ancestors": unit_ancestors(user=request.user, unit=unit),
            "form": form,
            "month": month,
            "found": found,
            "shops_page": shops_page,
            "points_page": points_page,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def workbook(request, code: str):
    """The flags of the area for a month and its reporting completeness, as an XLSX workbook."""
    if not can_review(request.user):
        raise PermissionDenied
    unit = unit_get(user=request.user, code=code)
    form = MonthForm(request.GET)
    if not form.is_valid():
        messages.error(request, _("Choose the month the workbook is for (YYYY-MM, e.g. 2019-06)."))
        return redirect("quality:flags", code=unit.code)
    month = form.cleaned_data["month"]
    flags = (
        flag_list(user=request.user, path=unit.path, month=month)
        .annotate(order_count=Count("orders"))
        .order_by("unit__path", "rule", "pk")
    )
    response = HttpResponse(
        quality_workbook(
            flags=flags, completeness=completeness_for(user=request.user, unit=unit, month=month)
        ),
        content_type=XLSX,
    )
    response["Content-Disposition"] = f'attachment; filename="data-quality-{unit.code}-{month:%Y-%m}.xlsx"'
    return response
