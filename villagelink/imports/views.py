from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from villagelink.core.exceptions import ApplicationError
from villagelink.orders.models import Status

from .forms import FIELD_LABELS, ImportUploadForm, OfficeWordForm, meaning_choices
from .models import BatchStatus, OfficeWord
from .selectors import batch_get, batch_list
from .services import (
    can_give_words,
    can_import,
    import_commit,
    import_preview,
    import_recheck,
    office_word_give,
    progress_of,
)
from .summary import figures_now
from .workbooks import rejections_workbook

SHOWN_REJECTIONS = 1000


def _require(user) -> None:
    if not can_import(user):
        raise PermissionDenied


@login_required
@never_cache
def batches(request):
    _require(request.user)
    page = Paginator(batch_list(user=request.user), 25).get_page(request.GET.get("page"))
    return render(request, "imports/batch_list.html", {"page": page})


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def upload(request):
    """Upload a report; it is checked (nothing written to orders) and its batch page shows the outcome."""
    _require(request.user)
    form = ImportUploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        try:
            batch = import_preview(
                by=request.user,
                data=file,  # streamed from the upload (a temporary file when large), not read whole
                filename=file.name,
                platform=form.cleaned_data["platform"] or None,
                shop=form.cleaned_data["shop"],
            )
        except ApplicationError as error:
            form.add_error("file", error.message)
        else:
            return redirect("imports:batch", pk=batch.pk)
    return render(request, "imports/upload.html", {"form": form})


@login_required
@never_cache
def batch(request, pk: int):
    _require(request.user)
    return _batch_page(request, batch_get(user=request.user, pk=pk))


def _batch_page(request, found, bound: OfficeWordForm | None = None):
    rejections = list(found.rejections.all()[:SHOWN_REJECTIONS])
    older_rows = list(found.older_rows.all()[:SHOWN_REJECTIONS])
    summary = found.summary or {}
    labels = dict(Status.choices)
    statuses = [
        (labels.get(status, status), *figures) for status, figures in (summary.get("statuses") or {}).items()
    ]
    sample = [
        dict(entry, status_label=labels.get(entry.get("status"), "")) for entry in summary.get("sample", [])
    ]
    return render(
        request,
        "imports/batch.html",
        {
            "batch": found,
            "rejections": rejections,
            "more": found.rejected > len(rejections),
            "older_rows": older_rows,
            "more_older": found.older > len(older_rows),
            "rows_done": progress_of(found),
            "statuses": statuses,
            "counted": summary.get("counted"),
            "months": figures_now(summary) if summary else [],
            "sample": sample,
            "missing": [FIELD_LABELS[f] for f in summary.get("missing", []) if f in FIELD_LABELS],
            "word_forms": _word_forms(request.user, found, bound),
        },
        status=400 if bound is not None else 200,
    )


def _word_forms(user, found, bound: OfficeWordForm | None) -> list[tuple[str, str, OfficeWordForm]]:
    """(word, what kind of word, its form) for each status word of the report the office may give a meaning
    to, and one form ("" for the word) for the columns no field was read from, while the report is checked."""
    if not can_give_words(user) or found.status not in (BatchStatus.PREVIEWED, BatchStatus.COMMITTED):
        return []
    kinds = dict(OfficeWord.Kind.choices)
    forms = []
    words = (
        found.rejections.exclude(unknown="")
        .values_list("unknown_kind", "unknown")
        .annotate(n=Count("id"))
        .order_by("-n", "unknown")[:50]
    )
    for kind, word, _n in words:
        if bound is not None and (bound.data.get("kind"), bound.data.get("word")) == (kind, word):
            form = bound
        else:
            form = OfficeWordForm(initial={"kind": kind, "word": word}, kind=kind)
        forms.append((word, kinds.get(kind, kind), form))
    summary = found.summary or {}
    headings, missing = summary.get("unused", []), summary.get("missing", [])
    if found.status == BatchStatus.PREVIEWED and headings and missing:
        column = OfficeWord.Kind.COLUMN
        if bound is not None and bound.data.get("kind") == column:
            form = bound
        else:
            form = OfficeWordForm(initial={"kind": column}, kind=column, headings=headings, missing=missing)
        forms.append(("", kinds[column], form))
    return forms


@login_required
@never_cache
def batch_progress(request, pk: int):
    """The progress bar of a running batch, polled by the batch page; reloads the page once done."""
    _require(request.user)
    found = batch_get(user=request.user, pk=pk)
    response = render(request, "imports/_progress.html", {"batch": found, "rows_done": progress_of(found)})
    if not found.is_running:
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def batch_commit(request, pk: int):
    _require(request.user)
    found = batch_get(user=request.user, pk=pk)
    try:
        found = import_commit(by=request.user, batch=found)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        if not found.is_running:
            messages.success(request, _("The orders were imported."))
    return redirect("imports:batch", pk=found.pk)


@login_required
@require_POST
def batch_recheck(request, pk: int):
    """Checks a checked report again against what is recorded now (nothing is written to orders)."""
    _require(request.user)
    found = batch_get(user=request.user, pk=pk)
    try:
        import_recheck(by=request.user, batch=found)
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("imports:batch", pk=found.pk)


@login_required
@require_POST
def batch_word(request, pk: int):
    """Gives a word of the report the import did not know its meaning for the officer's area; a checked report
    is then checked again with it."""
    _require(request.user)
    found = batch_get(user=request.user, pk=pk)
    summary = found.summary or {}
    form = (
        OfficeWordForm(
            request.POST,
            kind=OfficeWord.Kind.COLUMN,
            headings=summary.get("unused", []),
            missing=summary.get("missing", []),
        )
        if request.POST.get("kind") == OfficeWord.Kind.COLUMN
        else OfficeWordForm(request.POST)
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            given = office_word_give(by=request.user, batch=found, **data)
            if found.status == BatchStatus.PREVIEWED:
                found = import_recheck(by=request.user, batch=found)
        except ApplicationError as error:
            form.add_error("meaning", error.message)
        else:
            meaning = dict(meaning_choices(given.kind)).get(given.meaning, given.meaning)
            messages.success(
                request,
                _("In your area, “%(word)s” now means: %(meaning)s.")
                % {"word": given.word, "meaning": meaning},
            )
            return redirect("imports:batch", pk=found.pk)
    return _batch_page(request, found, bound=form)


@login_required
@never_cache
def batch_rejections(request, pk: int):
    _require(request.user)
    found = batch_get(user=request.user, pk=pk)
    response = HttpResponse(
        rejections_workbook(batch=found),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="import-{found.pk}-rejected.xlsx"'
    return response
