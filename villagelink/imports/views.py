from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from villagelink.core.exceptions import ApplicationError

from .forms import ImportUploadForm
from .selectors import batch_get, batch_list
from .services import can_import, import_commit, import_preview, progress_of
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
    found = batch_get(user=request.user, pk=pk)
    rejections = list(found.rejections.all()[:SHOWN_REJECTIONS])
    older_rows = list(found.older_rows.all()[:SHOWN_REJECTIONS])
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
        },
    )


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
