"""Form helpers shared by the apps' pages."""

from django import forms
from django.http import Http404
from django.utils.translation import gettext as _

from .exceptions import ApplicationError
from .money import yuan_to_fen


class YuanField(forms.Field):
    """An amount in yuan as a person types it ("68", "68.00", "¥1,234.5"), cleaned to integer fen (or None
    when left empty); the money module's message is the field's error."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "maxlength": "20", "autocomplete": "off"})

    def to_python(self, value) -> int | None:
        text = str(value or "").strip()
        if not text:
            return None
        try:
            return yuan_to_fen(text[:20])
        except ApplicationError as error:
            raise forms.ValidationError(error.message, code="invalid") from error


def resolve_scoped(form, field: str, getter, user, message: str):
    """The object whose number was typed into `field`, read through a scoped selector; None when the field is
    empty, and None with `message` on the field when no such object lies in the person's area."""
    pk = form.cleaned_data.get(field)
    if pk is None:
        return None
    try:
        return getter(user=user, pk=pk)
    except Http404:
        form.add_error(field, message)
        return None


def int_or_none(text: str) -> int | None:
    """A number from a query parameter, or None for anything else."""
    return int(text) if text.isdigit() and len(text) < 10 else None


def add_service_error(form, error: ApplicationError, *, fields: dict[str, str] | None = None) -> None:
    """A service's refusal on the form: each message beside the field it names (`fields` maps the service's
    names to the form's where they differ), a message about no field of the form above it."""
    named = error.field_errors or ({error.field: error.message} if error.field else {})
    if not named:
        form.add_error(None, error.message)
        return
    for name, message in named.items():
        target = (fields or {}).get(name, name)
        form.add_error(target if target in form.fields else None, message)


def table_upload(upload, max_bytes: int):
    """An uploaded CSV or XLSX file (a form's `clean_file`), refused beside its field when it is larger than
    `max_bytes` or of another kind."""
    if upload.size > max_bytes:
        raise forms.ValidationError(
            _("The file is larger than %(mb)d MB; split it into smaller files.") % {"mb": max_bytes // 2**20}
        )
    if not upload.name.lower().endswith((".csv", ".xlsx", ".txt")):
        raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
    return upload
