from django import forms
from django.utils.translation import gettext_lazy as _

from villagelink.catalog.models import Shop

from . import parsing
from .models import FIELDS, IMPORT_PLATFORMS, OfficeWord, Outcome
from .selectors import import_shops
from .vocabulary import AFTER_NONE, AFTER_REFUNDED


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Order report (CSV or Excel)"),
        help_text=_(
            "The order report as downloaded from Taobao / Tmall, JD or Pinduoduo, or a sheet with the columns "
            "order_id, shop, amount, status, placed_at, title, quantity, refund."
        ),
    )
    platform = forms.ChoiceField(
        label=_("Platform"),
        required=False,
        choices=[("", _("Recognise from the column names"))] + [(p.value, p.label) for p in IMPORT_PLATFORMS],
    )
    shop = forms.ModelChoiceField(
        label=_("Shop"),
        required=False,
        queryset=Shop.objects.none(),
        help_text=_("Only for reports without a shop column: the shop all their orders belong to."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shop"].queryset = import_shops(user=user)
        self.fields["shop"].label_from_instance = lambda shop: (
            f"{shop.local_name} · {shop.get_platform_display()}"
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > parsing.limit("MAX_BYTES"):
            raise forms.ValidationError(
                _(
                    "The file is larger than %(mb).0f MB, the most one import takes; split it into smaller files."
                )
                % {"mb": parsing.limit("MAX_BYTES") / (1024 * 1024)}
            )
        return upload


# What each of our fields is, as an officer reads it (the meanings a column heading may be given).
FIELD_LABELS = {
    "external_id": _("Order number"),
    "amount": _("Amount the buyer paid"),
    "status": _("Order status"),
    "placed_at": _("Order date"),
    "completed_at": _("Completion date"),
    "title": _("Item title"),
    "quantity": _("Quantity"),
    "shop": _("Shop name or id"),
    "refund": _("Refund amount"),
    "after_sale": _("After-sale status"),
    "buyer": _("Buyer's account or phone (kept only as a keyed hash)"),
}
AFTER_SALE_LABELS = {
    AFTER_NONE: _("No refund: the order counts as its status says"),
    AFTER_REFUNDED: _("Refunded in full (no sale)"),
}


def meaning_choices(kind: str) -> list[tuple[str, str]]:
    if kind == OfficeWord.Kind.STATUS:
        return list(Outcome.choices)
    if kind == OfficeWord.Kind.AFTER_SALE:
        return list(AFTER_SALE_LABELS.items())
    return [(name, FIELD_LABELS[name]) for name in FIELDS]


class OfficeWordForm(forms.Form):
    """The meaning of one word of a report the import did not know, for the officer's area."""

    kind = forms.ChoiceField(choices=OfficeWord.Kind.choices, widget=forms.HiddenInput)
    word = forms.CharField(max_length=100, widget=forms.HiddenInput)
    meaning = forms.ChoiceField(label=_("Means"), choices=[])

    def __init__(
        self,
        *args,
        kind: str = "",
        headings: list[str] | None = None,
        missing: list[str] | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        kind = self.data.get("kind", kind) if self.is_bound else kind
        choices = meaning_choices(kind)
        if kind == OfficeWord.Kind.COLUMN and headings is not None:
            # One form for the columns: which of the report's unread headings holds which missing field.
            self.fields["word"] = forms.ChoiceField(
                label=_("Column of the report"), choices=[("", _("Choose…")), *((h, h) for h in headings)]
            )
            choices = [(name, label) for name, label in choices if missing is None or name in missing]
        self.fields["meaning"].choices = [("", _("Choose…")), *choices]
