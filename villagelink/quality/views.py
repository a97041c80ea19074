from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from villagelink.core.exceptions import ApplicationError
from villagelink.core.forms import add_service_error
from villagelink.core.periods import period_parse
from villagelink.geo.selectors import unit_get

from .forms import CheckForm, ReviewForm
from .models import FlagStatus, Rule, evidence_shown
from .selectors import flag_get, flag_list, flag_totals
from .services import can_review, flag_confirm, flag_dismiss, quality_check


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
    found = flag_list(user=request.user, path=unit.path, status="" if status == "all" else status, rule=rule)
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
            "check_form": CheckForm(initial={"period": request.GET.get("period", "")}),
        },
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
