from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from villagelink.accounts.permissions import can_manage_network
from villagelink.accounts.selectors import user_named
from villagelink.core.dates import region_today
from villagelink.core.exceptions import ApplicationError
from villagelink.core.forms import add_service_error
from villagelink.geo.models import LEVEL_PLURAL, Level
from villagelink.geo.selectors import unit_ancestors, unit_get, unit_roots

from .forms import (
    DesignationForm,
    OperatorAccountForm,
    OperatorAssignForm,
    PoorVillageFileForm,
    PoorVillageForm,
    SiteForm,
    SiteOpenForm,
)
from .imports import poor_villages_import
from .models import SERVICES, SiteKind
from .selectors import (
    coverage_for,
    coverage_levels,
    designations_by_year,
    poor_in_q,
    poor_villages,
    site_get,
    site_list,
    site_operators,
)
from .services import (
    designation_record,
    site_open,
    site_operator_assign,
    site_operator_create,
    site_update,
    village_poverty_set,
)


@login_required
def network_home(request):
    roots = unit_roots(user=request.user)
    if not roots:
        raise PermissionDenied
    return redirect("network:unit", code=roots[0].code)


@login_required
def network_unit(request, code: str):
    """A unit's network: coverage of it and its children, and its sites as a filterable table."""
    unit = unit_get(user=request.user, code=code)
    day = region_today()
    total, children = coverage_for(unit=unit, day=day)
    levels = coverage_levels(unit)
    labels = [LEVEL_PLURAL[Level(lv)] for lv in levels]
    kind = request.GET.get("kind") if request.GET.get("kind") in SiteKind.values else ""
    status = request.GET.get("status") if request.GET.get("status") in {"open", "closed"} else ""
    search = request.GET.get("q", "").strip()[:100]
    sites = site_list(user=request.user, unit=unit, kind=kind, status=status, search=search, day=day)
    page = Paginator(sites, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "network/unit.html",
        {
            "unit": unit,
            "ancestors": unit_ancestors(user=request.user, unit=unit),
            "day": day,
            "levels": labels,
            "total": _labelled(labels, total.cells(levels)),
            "children": [(row.unit, _labelled(labels, row.cells(levels))) for row in children],
            "page": page,
            "kinds": SiteKind.choices,
            "kind": kind,
            "status": status,
            "search": search,
            "can_manage": can_manage_network(request.user),
        },
    )


def _labelled(labels, cells):
    return [(label, *cell) for label, cell in zip(labels, cells, strict=True)]


@login_required
@require_http_methods(["GET", "POST"])
def site_detail(request, pk: int):
    """A site and its operators; officers and administrators add an operator of their area or a new account."""
    site = site_get(user=request.user, pk=pk)
    can_manage = can_manage_network(request.user)
    assign_form, account_form = OperatorAssignForm(), OperatorAccountForm()
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if request.POST.get("action") == "create":
            account_form = OperatorAccountForm(request.POST)
            done = account_form.is_valid() and _operator_create(request, site, account_form)
        else:
            assign_form = OperatorAssignForm(request.POST)
            done = assign_form.is_valid() and _operator_assign(request, site, assign_form)
        if done:
            return redirect("network:site_detail", pk=site.pk)
    return render(
        request,
        "network/site_detail.html",
        {
            "site": site,
            "operators": site_operators(site=site),
            "is_open": site.is_open_on(region_today()),
            "can_manage": can_manage,
            "assign_form": assign_form,
            "account_form": account_form,
        },
    )


def _operator_assign(request, site, form) -> bool:
    person = user_named(username=form.cleaned_data["username"])
    try:
        assignment = site_operator_assign(by=request.user, site=site, user=person)
    except ApplicationError as error:  # whatever the reason, it is about the account named
        form.add_error("username", error.message)
        return False
    messages.success(request, _("%(name)s now operates this site.") % {"name": assignment.user.username})
    return True


def _operator_create(request, site, form) -> bool:
    data = form.cleaned_data
    try:
        assignment = site_operator_create(
            by=request.user,
            site=site,
            username=data["username"],
            password=data["password1"],
            first_name=data["first_name"],
        )
    except ApplicationError as error:
        add_service_error(form, error)
        return False
    messages.success(request, _("%(name)s now operates this site.") % {"name": assignment.user.username})
    return True


@login_required
@require_http_methods(["GET", "POST"])
def site_new(request):
    if not can_manage_network(request.user):
        raise PermissionDenied
    try:
        chosen = unit_get(user=request.user, code=request.GET.get("unit", "")[:12])
    except Http404:
        chosen = None
    form = SiteOpenForm(
        request.POST or None, user=request.user, initial={"unit": chosen.pk} if chosen else {}
    )
    if request.method == "POST" and form.is_valid():
        try:
            site = site_open(
                by=request.user,
                kind=form.cleaned_data["kind"],
                unit=form.cleaned_data["unit"],
                data=form.site_data(),
            )
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The site “%(site)s” is open.") % {"site": site.local_name})
            return redirect("network:site_detail", pk=site.pk)
    return render(
        request,
        "network/site_form.html",
        {"form": form, "title": _("Open a service site")},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def site_edit(request, pk: int):
    site = site_get(user=request.user, pk=pk)
    if not can_manage_network(request.user):
        raise PermissionDenied
    initial = {
        "name": site.name,
        "name_bo": site.name_bo,
        "name_en": site.name_en,
        "address": site.address,
        "opened_on": site.opened_on,
        "closed_on": site.closed_on,
        "services": [field for field, _label in SERVICES if getattr(site, field)],
    }
    form = SiteForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            site_update(by=request.user, site=site, data=form.site_data())
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The site “%(site)s” is saved.") % {"site": site.local_name})
            return redirect("network:site_detail", pk=site.pk)
    return render(
        request,
        "network/site_form.html",
        {"form": form, "site": site, "title": _("Edit %(site)s") % {"site": site}},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def designations(request):
    form = (
        DesignationForm(request.POST or None, user=request.user) if can_manage_network(request.user) else None
    )
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            county = form.cleaned_data["county"]
            try:
                designation_record(
                    by=request.user,
                    county=county,
                    year=form.cleaned_data["year"],
                    batch=form.cleaned_data["batch"],
                    note=form.cleaned_data["note"],
                )
            except ApplicationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("%(county)s is recorded as designated.") % {"county": county})
                return redirect("network:designations")
    years = designations_by_year(user=request.user)
    return render(
        request,
        "network/designations.html",
        {"years": years, "count": sum(len(d) for _year, d in years), "form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def poor_villages_page(request):
    """The poor villages (贫困村) of the person's area with their years; officers record a village's, or a file of
    them (all rows or none; each refused row shown with its reason)."""
    manager = can_manage_network(request.user)
    if request.method == "POST" and not manager:
        raise PermissionDenied
    upload = request.method == "POST" and request.POST.get("action") == "upload"
    form = PoorVillageForm(None if upload else request.POST or None, user=request.user) if manager else None
    file_form = PoorVillageFileForm(request.POST or None, request.FILES or None) if upload else None
    refused: list[str] = []
    if file_form is not None and file_form.is_valid():
        file = file_form.cleaned_data["file"]
        try:
            count = poor_villages_import(by=request.user, data=file, filename=file.name)
        except ApplicationError as error:
            file_form.add_error("file", error.message)
            refused = error.details
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)d village recorded from the file.",
                    "%(count)d villages recorded from the file.",
                    count,
                )
                % {"count": count},
            )
            return redirect("network:poor_villages")
    if form is not None and form.is_bound and form.is_valid():
        village = form.cleaned_data["village"]
        try:
            village_poverty_set(
                by=request.user,
                village=village,
                registered_poor_in=form.cleaned_data["registered_poor_in"],
                exited_poverty_in=form.cleaned_data["exited_poverty_in"],
            )
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("%(village)s is recorded as a poor village.") % {"village": village})
            return redirect("network:poor_villages")
    villages = poor_villages(user=request.user)
    year = region_today().year
    return render(
        request,
        "network/poor_villages.html",
        {
            "page": Paginator(villages, 50).get_page(request.GET.get("page")),
            "poor_now": villages.filter(poor_in_q(year)).count(),
            "year": year,
            "form": form,
            "file_form": file_form or (PoorVillageFileForm() if manager else None),
            "refused": refused,
        },
        status=400 if request.method == "POST" else 200,
    )
