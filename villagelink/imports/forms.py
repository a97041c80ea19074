from django import forms
from django.utils.translation import gettext_lazy as _

from villagelink.catalog.models import Shop

from . import parsing
from .models import IMPORT_PLATFORMS
from .selectors import import_shops


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
        self.fields["shop"].label_from_instance = lambda shop: f"{shop.name} · {shop.get_platform_display()}"

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
