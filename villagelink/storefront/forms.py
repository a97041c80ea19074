from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.utils.translation import gettext_lazy as _

from villagelink.accounts.models import User
from villagelink.core.bounds import MAX_ID
from villagelink.orders.models import PaymentMethod
from villagelink.orders.payments import online_provider
from villagelink.orders.services import MAX_QUANTITY


class QuantityForm(forms.Form):
    product = forms.IntegerField(min_value=1, max_value=MAX_ID, widget=forms.HiddenInput)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=0, max_value=MAX_QUANTITY, initial=1)


class CheckoutForm(forms.Form):
    key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    name = forms.CharField(label=_("Name of the receiver"), max_length=100)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        help_text=_("The courier calls this number; its last 4 digits let you track the order."),
    )
    address = forms.CharField(
        label=_("Delivery address"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}),
    )
    note = forms.CharField(label=_("Notes for the seller"), max_length=300, required=False)
    payment_method = forms.ChoiceField(
        label=_("Payment"),
        choices=PaymentMethod.choices,
        widget=forms.RadioSelect,
        initial=PaymentMethod.CASH_ON_DELIVERY,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if online_provider() is None:  # online payment is off here: cash on delivery only
            self.fields["payment_method"].choices = [
                (PaymentMethod.CASH_ON_DELIVERY, PaymentMethod.CASH_ON_DELIVERY.label)
            ]


class TrackForm(forms.Form):
    number = forms.CharField(
        label=_("Order number"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )
    phone_last4 = forms.RegexField(
        label=_("Last 4 digits of the phone"),
        regex=r"^\d{4}$",
        max_length=4,
        error_messages={"invalid": _("Give the last 4 digits of the phone number used for the order.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class BuyerSignupForm(UserCreationForm):
    """Checks a new buyer's name and password; the view hands them to accounts' `buyer_signup`."""

    first_name = forms.CharField(label=_("Your name"), max_length=150)

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "first_name")
