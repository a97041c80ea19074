from django import forms
from django.utils.translation import gettext_lazy as _

from villagelink.catalog.models import Category, Platform
from villagelink.core.forms import YuanField
from villagelink.orders.models import PurchaseCategory

from .models import CARRIERS, Direction

# The platforms a point buys and sells on (not this storefront: its orders come in by themselves).
PLATFORMS = [(value, label) for value, label in Platform.choices if value != Platform.STOREFRONT]


class PurchaseForm(forms.Form):
    platform = forms.ChoiceField(label=_("Platform"), choices=PLATFORMS)
    description = forms.CharField(label=_("What was bought"), max_length=200)
    category = forms.ChoiceField(label=_("Kind of goods"), choices=PurchaseCategory.choices)
    amount = YuanField(label=_("Amount paid (yuan)"))
    service_fee = YuanField(label=_("Service fee (yuan)"), required=False)
    local_price = YuanField(
        label=_("Price in the local shop (yuan)"),
        required=False,
        help_text=_("If known: the saving is reported."),
    )

    def clean_amount(self):
        if self.cleaned_data.get("amount") is None:
            raise forms.ValidationError(_("Give the amount paid."))
        return self.cleaned_data["amount"]


class SaleForm(forms.Form):
    platform = forms.ChoiceField(label=_("Platform"), choices=PLATFORMS)
    description = forms.CharField(label=_("What was sold"), max_length=200)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=100_000, initial=1)
    amount = YuanField(label=_("Amount received (yuan)"))

    def clean_amount(self):
        if self.cleaned_data.get("amount") is None:
            raise forms.ValidationError(_("Give the amount received."))
        return self.cleaned_data["amount"]


class ParcelForm(forms.Form):
    direction = forms.ChoiceField(
        label=_("Parcel"), choices=Direction.choices, widget=forms.RadioSelect, initial=Direction.RECEIVED
    )
    carrier = forms.ChoiceField(label=_("Carrier"), choices=CARRIERS)
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=60)
    cost = YuanField(label=_("Delivery cost (yuan)"), required=False, help_text=_("If known."))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Why"), max_length=300)
