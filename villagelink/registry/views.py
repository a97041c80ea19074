from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from villagelink.accounts.permissions import can_work_in_registry
from villagelink.core.exceptions import ApplicationError
from villagelink.core.forms import add_service_error
from villagelink.geo.selectors import unit_get

from .forms import HouseholdEditForm, HouseholdImportForm, HouseholdRegisterForm, LinkForm, OrganisationForm
from .imports import households_import
from .models import OrganisationKind
from .selectors import (
    POVERTY_FILTERS,
    household_get,
    household_income,
    household_list,
    household_organisations,
    organisation_get,
    organisation_households,
    organisation_list,
)
from .services import (
    household_register,
    household_reveal_id,
    household_update,
    organisation_link,
    organisation_register,
)

PAGE_SIZE = 25


def household_url(household) -> str:
    from django.urls import reverse

    return reverse("registry:household_detail", kwargs={"pk": household.pk})


def _unit_or_none(request, code: str):
    try:
        return unit_get(user=request.user, code=code) if code else None
    except Http404:
        return None


@login_required
@require_http_methods(["GET", "POST"])
def households(request):
    """Households in the person's area. Search and filters are POSTed, so no name reaches a URL or a log."""
    params = request.POST if request.method == "POST" else request.GET
    unit = _unit_or_none(request, params.get("unit", "")[:12])
    search = params.get("q", "")[:50] if request.method == "POST" else ""
    poverty = params.get("poverty", "") if params.get("poverty") in POVERTY_FILTERS else ""
    page = Paginator(
        household_list(user=request.user, unit=unit, search=search, poverty=poverty), PAGE_SIZE
    ).get_page(params.get("page"))
    context = {
        "page": page,
        "unit": unit,
        "search": search,
        "poverty": poverty,
        "can_register": can_work_in_registry(request.user),
    }
    if request.htmx and request.method == "POST":
        return render(request, "registry/_household_results.html", context)
    return render(request, "registry/households.html", context)


@login_required
@never_cache
def household_detail(request, pk: int):
    household = household_get(user=request.user, pk=pk)
    return render(request, "registry/household_detail.html", _household_context(request, household))


def _household_context(request, household, **extra):
    return {
        "household": household,
        "links": household_organisations(household=household),
        "income": household_income(household=household),
        "may_reveal": request.user.has_perm("registry.view_full_id_number"),
        "can_edit": can_work_in_registry(request.user),
        **extra,
    }


@login_required
@never_cache
@require_POST
def household_reveal(request, pk: int):
    household = household_get(user=request.user, pk=pk)
    try:
        full = household_reveal_id(by=request.user, household=household)
    except ApplicationError as error:
        raise PermissionDenied(error.message) from error
    return render(
        request, "registry/household_detail.html", _household_context(request, household, full_id=full)
    )


@login_required
@require_http_methods(["GET", "POST"])
def household_new(request):
    if not can_work_in_registry(request.user):
        raise PermissionDenied
    chosen = _unit_or_none(request, request.GET.get("village", "")[:12])
    form = HouseholdRegisterForm(
        request.POST or None, user=request.user, initial={"village": chosen.pk} if chosen else {}
    )
    if request.method == "POST" and form.is_valid():
        try:
            household = household_register(
                by=request.user,
                village=form.cleaned_data["village"],
                id_number=form.cleaned_data["id_number"],
                data=form.household_data(),
            )
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request, _("The household of %(name)s is registered.") % {"name": household.head_name}
            )
            return redirect("registry:household_detail", pk=household.pk)
    return _form_page(request, {"form": form, "title": _("Register a household")})


def _form_page(request, context: dict):
    """A form's page; a refused one (a POST that did not move on) answers 400, shown as typed."""
    status = 400 if request.method == "POST" else 200
    return render(request, "core/form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def household_edit(request, pk: int):
    household = household_get(user=request.user, pk=pk)
    if not can_work_in_registry(request.user):
        raise PermissionDenied
    initial = {
        "head_name": household.head_name,
        "members": household.members,
        "registered_poor_in": household.registered_poor_in,
        "exited_poverty_in": household.exited_poverty_in,
        "story": household.story,
        "story_consent": household.story_consent,
    }
    form = HouseholdEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            household_update(
                by=request.user,
                household=household,
                data=form.household_data(),
                id_number=form.cleaned_data["id_number"],
            )
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request, _("The household of %(name)s is saved.") % {"name": household.head_name}
            )
            return redirect("registry:household_detail", pk=household.pk)
    return _form_page(
        request,
        {
            "form": form,
            "title": _("Edit the household of %(name)s") % {"name": household.head_name},
            "note": _("The phone number is not shown; leave the field empty to keep it, or enter a new one."),
            "back_url": household_url(household),
        },
    )


@login_required
def organisations(request):
    kind = request.GET.get("kind") if request.GET.get("kind") in OrganisationKind.values else ""
    search = request.GET.get("q", "")[:100]
    page = Paginator(organisation_list(user=request.user, search=search, kind=kind), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "registry/organisations.html",
        {
            "page": page,
            "kind": kind,
            "kinds": OrganisationKind.choices,
            "search": search,
            "can_register": can_work_in_registry(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_detail(request, pk: int):
    organisation = organisation_get(user=request.user, pk=pk)
    can_edit = can_work_in_registry(request.user)
    form = LinkForm(request.POST or None, user=request.user) if can_edit else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            household = form.cleaned_data["household"]
            try:
                organisation_link(
                    by=request.user,
                    organisation=organisation,
                    household=household,
                    kind=form.cleaned_data["kind"],
                )
            except ApplicationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("%(name)s is linked.") % {"name": household.head_name})
                return redirect("registry:organisation_detail", pk=organisation.pk)
    return render(
        request,
        "registry/organisation_detail.html",
        {
            "organisation": organisation,
            "links": organisation_households(user=request.user, organisation=organisation),
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_new(request):
    if not can_work_in_registry(request.user):
        raise PermissionDenied
    form = OrganisationForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = organisation_register(
                by=request.user,
                kind=form.cleaned_data["kind"],
                name=form.cleaned_data["name"],
                name_bo=form.cleaned_data["name_bo"],
                name_en=form.cleaned_data["name_en"],
                unit=form.cleaned_data["unit"],
                credit_code=form.cleaned_data["credit_code"],
            )
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            return redirect("registry:organisation_detail", pk=organisation.pk)
    return _form_page(request, {"form": form, "title": _("Register a cooperative or enterprise")})


@login_required
@require_http_methods(["GET", "POST"])
def household_import(request):
    """Upload a file of households; see every refused row with its reason; all or nothing unless asked."""
    if not can_work_in_registry(request.user):
        raise PermissionDenied
    form = HouseholdImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = households_import(
                by=request.user,
                data=upload,
                filename=upload.name,
                valid_rows_only=form.cleaned_data["valid_rows_only"],
            )
        except ApplicationError as error:
            form.add_error("file", error.message)
    return render(request, "registry/household_import.html", {"form": form, "result": result})
