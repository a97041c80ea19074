"""The desk: one page a village point's operator uses many times a day, on a phone, online or off."""

import functools
import hashlib
from pathlib import Path
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from villagelink.core.dates import region_today
from villagelink.core.exceptions import ApplicationError
from villagelink.core.forms import add_service_error, int_or_none
from villagelink.core.periods import PeriodError, period_default, period_parse
from villagelink.core.scope import scope_unit_of
from villagelink.geo.selectors import unit_get

from .forms import ParcelForm, PurchaseForm, ReasonForm, SaleForm
from .selectors import (
    desk_entries,
    desk_household,
    desk_households,
    desk_households_offline,
    desk_order,
    desk_parcel,
    desk_parcels_waiting,
    desk_poor_households,
    desk_receipt,
    desk_site,
    desk_totals,
    parcel_report,
)
from .services import (
    assisted_purchase_record,
    assisted_sale_record,
    assisted_trade_reverse,
    parcel_log,
    parcel_pick_up,
)


def _site(request, data):
    site = desk_site(user=request.user, pk=int_or_none(data.get("site", "")))
    if site is None:
        raise Http404(_("The desk belongs to a service site: open it from one of your sites."))
    return site


def _household(site, data):
    pk = int_or_none(data.get("household", ""))
    return desk_household(site=site, pk=pk) if pk is not None else None


def _desk_url(site, household=None, request=None) -> str:
    params = {}
    if (request is not None and request.GET.get("site")) or (
        request is not None and request.POST.get("site")
    ):
        params["site"] = site.pk
    if household is not None:
        params["household"] = household.pk
    return reverse("desk:desk") + (f"?{urlencode(params)}" if params else "")


@login_required
@require_GET
def desk(request):
    site = _site(request, request.GET)
    context = _desk_context(request, site, _household(site, request.GET), request.GET)
    if request.htmx and request.htmx.target == "found":
        return render(request, "desk/_found.html", context)
    return render(request, "desk/desk.html", context)


def _desk_context(request, site, household, data, refused: tuple[str, forms.Form] | None = None) -> dict:
    """The desk's page; `refused`: the form (by prefix) that was refused, shown as typed with its errors."""
    today = region_today()
    entries, entries_count = desk_entries(site=site, day=today)
    context = {
        "site": site,
        "household": household,
        "poor": household is not None and household.is_poor_in(today.year),
        "search": data.get("q", "").strip()[:50],
        "today": today,
        "totals_today": desk_totals(site=site, start=today, end=today),
        "totals_month": desk_totals(site=site, start=today.replace(day=1), end=today),
        "entries": entries,
        "entries_count": entries_count,
        "waiting": desk_parcels_waiting(site=site),
        "purchase_form": PurchaseForm(prefix="purchase"),
        "sale_form": SaleForm(prefix="sale"),
        "parcel_form": ParcelForm(prefix="parcel"),
        "reason_form": ReasonForm(),
        "site_param": site.pk if data.get("site") else "",
        "open": refused[0] if refused else "purchase",
    }
    if refused is not None:
        context[f"{refused[0]}_form"] = refused[1]
    context["found"] = desk_households(site=site, search=context["search"]) if context["search"] else []
    if household is None and not context["search"]:
        context["quick"] = desk_poor_households(site=site, year=today.year)
    return context


def _record(request, form_class, prefix: str, record, done: str):
    """The three forms share the page, so each has its own prefix (and its fields their own ids). A refused
    form comes back as typed, each error beside its field (a refusal of the service above the form)."""
    site = _site(request, request.POST)
    household = _household(site, request.POST)
    form = form_class(request.POST, prefix=prefix)
    if form.is_valid():
        try:
            record(site, household, form.cleaned_data)
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, done)
            return redirect(_desk_url(site, household, request))
    context = _desk_context(request, site, household, request.POST, refused=(prefix, form))
    response = render(request, "desk/desk.html", context, status=400)
    # The page shown is the desk's (a boosted form would otherwise leave the address of the form's target,
    # which a reload cannot open).
    response["HX-Replace-Url"] = _desk_url(site, household, request)
    return response


@login_required
@require_GET
def parcels_report(request, code: str):
    """Officers: the parcels of the points under a unit, per village, over a period (this year by default)."""
    if scope_unit_of(request.user) is None and not request.user.is_administrator:
        raise Http404
    unit = unit_get(user=request.user, code=code)
    try:
        period = period_parse(request.GET["period"]) if request.GET.get("period") else period_default()
    except PeriodError as error:
        messages.error(request, error.message)
        period = period_default()
    rows = parcel_report(unit=unit, start=period.start, end=period.end)
    return render(request, "desk/parcels_report.html", {"unit": unit, "period": period, "rows": rows})


@login_required
@require_GET
def receipt(request, pk: int):
    """The villager's receipt for an assisted purchase or sale: on screen, and printable on a 58 mm roll."""
    site = _site(request, request.GET)
    order = desk_receipt(site=site, pk=pk)
    return render(
        request,
        "desk/receipt.html",
        {"site": site, "order": order, "site_param": request.GET.get("site", "")},
    )


@login_required
@require_GET
def households_offline(request):
    """The site's households for the phone to keep (masked ID numbers only), to pick one while offline."""
    site = _site(request, request.GET)
    households = desk_households_offline(site=site, year=region_today().year)
    return JsonResponse({"site": site.pk, "households": households})


# What the service worker keeps besides the desk's page: a new version of any makes a new worker and cache.
WORKER_ASSETS = ("core/site.css", "core/site.js", "desk/desk.js", "core/favicon.svg")


@functools.cache
def _worker_version() -> str:
    parts = [Path(__file__).with_name("templates").joinpath("desk", "sw.js").read_bytes()]
    for asset in WORKER_ASSETS:
        found = finders.find(asset)
        parts.append(Path(found).read_bytes() if isinstance(found, str) else asset.encode())
    return hashlib.sha256(b"".join(parts)).hexdigest()[:12]


@require_GET
def service_worker(request):
    """The desk's service worker, served under /desk/ so that it may keep the desk's pages (its scope)."""
    response = render(request, "desk/sw.js", {"version": _worker_version()}, content_type="text/javascript")
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def manifest(request):
    """The desk as an installable app (its name in the reader's language)."""
    return render(request, "desk/manifest.webmanifest", content_type="application/manifest+json")


@login_required
@require_POST
def purchase(request):
    def record(site, household, data):
        return assisted_purchase_record(
            by=request.user,
            site=site,
            household=household,
            platform=data["platform"],
            description=data["description"],
            category=data["category"],
            amount_fen=data["amount"],
            service_fee_fen=data["service_fee"] or 0,
            local_price_fen=data["local_price"],
        )

    return _record(request, PurchaseForm, "purchase", record, _("The purchase is recorded."))


@login_required
@require_POST
def sale(request):
    def record(site, household, data):
        return assisted_sale_record(
            by=request.user,
            site=site,
            household=household,
            platform=data["platform"],
            description=data["description"],
            category=data["category"],
            quantity=data["quantity"],
            amount_fen=data["amount"],
        )

    return _record(request, SaleForm, "sale", record, _("The sale is recorded."))


@login_required
@require_POST
def parcel(request):
    def record(site, household, data):
        return parcel_log(
            by=request.user,
            site=site,
            household=household,
            direction=data["direction"],
            carrier=data["carrier"],
            tracking_number=data["tracking_number"],
            cost_fen=data["cost"],
        )

    return _record(request, ParcelForm, "parcel", record, _("The parcel is logged."))


@login_required
@require_POST
def parcel_picked_up(request, pk: int):
    site = _site(request, request.POST)
    try:
        parcel_pick_up(by=request.user, parcel=desk_parcel(site=site, pk=pk))
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The parcel is picked up."))
    return redirect(_desk_url(site, None, request))


@login_required
@require_POST
def reverse_entry(request, pk: int):
    site = _site(request, request.POST)
    order = desk_order(site=site, pk=pk)
    try:
        assisted_trade_reverse(by=request.user, order=order, reason=request.POST.get("reason", "")[:300])
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The entry is reversed."))
    return redirect(_desk_url(site, None, request))
