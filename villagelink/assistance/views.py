from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from villagelink.accounts.permissions import can_work_in_registry
from villagelink.core.dates import region_today
from villagelink.core.exceptions import ApplicationError
from villagelink.core.forms import add_service_error, int_or_none
from villagelink.network.selectors import site_get, site_list
from villagelink.registry.selectors import household_get, household_list

from .forms import EventForm, LedgerFilterForm, ReverseForm, TrainingForm
from .models import AssistanceKind
from .selectors import assistance_get, assistance_list, assistance_totals
from .services import assistance_record, assistance_reverse, training_record

PAGE_SIZE = 25
TRAINING_HOUSEHOLDS = 200  # the most households a training form offers to tick
TRAINING_SITES = 200


@login_required
def ledger(request):
    """The assistance ledger in the person's area, newest first, with its net totals: a reversal counts -1."""
    filters = LedgerFilterForm(request.GET).filters()
    household = household_get(user=request.user, pk=filters["household"]) if filters["household"] else None
    events = assistance_list(
        user=request.user,
        kind=filters["kind"] or "",
        start=filters["start"],
        end=filters["end"],
        household=household,
    )
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "assistance/ledger.html",
        {
            "page": page,
            "totals": assistance_totals(events),
            "kinds": AssistanceKind.choices,
            "kind": filters["kind"] or "",
            "start": filters["start"],
            "end": filters["end"],
            "household": household,
            "can_record": can_work_in_registry(request.user),
        },
    )


@login_required
def event_detail(request, pk: int):
    event = assistance_get(user=request.user, pk=pk)
    return render(request, "assistance/event_detail.html", _event_context(request, event))


def _event_context(request, event, **extra):
    reversal = getattr(event, "reversal", None)
    can_edit = can_work_in_registry(request.user)
    return {
        "event": event,
        "reversal": reversal,
        "can_edit": can_edit,
        "may_reverse": can_edit and not event.is_reversal and reversal is None,
        "reverse_form": ReverseForm(),
        **extra,
    }


@login_required
@require_POST
def event_reverse(request, pk: int):
    event = assistance_get(user=request.user, pk=pk)
    if not can_work_in_registry(request.user):
        raise PermissionDenied
    form = ReverseForm(request.POST)
    if form.is_valid():
        try:
            assistance_reverse(by=request.user, event=event, reason=form.cleaned_data["reason"])
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The entry is reversed; it no longer counts in any total."))
            return redirect("assistance:event_detail", pk=event.pk)
    return render(request, "assistance/event_detail.html", _event_context(request, event, reverse_form=form))


@login_required
@require_http_methods(["GET", "POST"])
def event_new(request):
    if not can_work_in_registry(request.user):
        raise PermissionDenied
    initial = {"day": region_today(), "household": int_or_none(request.GET.get("household", ""))}
    form = EventForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        household = form.cleaned_data["household"]
        try:
            event = assistance_record(
                by=request.user,
                household=household,
                kind=form.cleaned_data["kind"],
                day=form.cleaned_data["day"],
                site=form.cleaned_data["site"],
                amount_fen=form.cleaned_data["amount"],
                note=form.cleaned_data["note"],
            )
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("%(kind)s for the household of %(name)s is recorded.")
                % {"kind": event.get_kind_display(), "name": household.head_name},
            )
            return redirect("assistance:event_detail", pk=event.pk)
    return render(
        request,
        "core/form.html",
        {"form": form, "title": _("Record assistance")},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def training_new(request):
    """A training session: first the site (?site=<number>), then the date, topic and the households that
    attended, ticked from the first households by name in the site's area."""
    if not can_work_in_registry(request.user):
        raise PermissionDenied
    site_pk = int_or_none(request.GET.get("site", ""))
    if site_pk is None:
        sites = site_list(user=request.user, status="open")[:TRAINING_SITES]
        return render(
            request, "assistance/training_form.html", {"sites": sites, "title": _("Record training")}
        )
    site = site_get(user=request.user, pk=site_pk)
    households = list(
        household_list(user=request.user, unit=site.unit).order_by("head_name", "pk")[:TRAINING_HOUSEHOLDS]
    )
    form = TrainingForm(request.POST or None, households=households, initial={"day": region_today()})
    if request.method == "POST" and form.is_valid():
        try:
            session = training_record(
                by=request.user,
                site=site,
                day=form.cleaned_data["day"],
                topic=form.cleaned_data["topic"],
                households=form.chosen_households(),
            )
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            count = len(form.cleaned_data["households"])
            messages.success(
                request,
                ngettext(
                    "The training “%(topic)s” is recorded for %(count)d household.",
                    "The training “%(topic)s” is recorded for %(count)d households.",
                    count,
                )
                % {"topic": session.topic, "count": count},
            )
            return redirect("assistance:ledger")
    return render(
        request,
        "assistance/training_form.html",
        {
            "form": form,
            "site": site,
            "capped": len(households) == TRAINING_HOUSEHOLDS,
            "limit": TRAINING_HOUSEHOLDS,
            "title": _("Record training at %(site)s") % {"site": site.local_name},
        },
    )
