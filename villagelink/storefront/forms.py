from decimal import Decimal

from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.db import models
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from villagelink.accounts.models import User
from villagelink.catalog.models import Category
from villagelink.catalog.shipping import PROVINCES
from villagelink.core.bounds import MAX_ID
from villagelink.orders.models import PaymentMethod, stars_text
from villagelink.orders.payments import online_provider
from villagelink.orders.services import MAX_QUANTITY


class QuantityForm(forms.Form):
    product = forms.IntegerField(min_value=1, max_value=MAX_ID, widget=forms.HiddenInput)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=0, max_value=MAX_QUANTITY, initial=1)


def _province_field(**attrs) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Province"),
        choices=[("", _("Choose the province")), *PROVINCES],
        error_messages={
            "required": _("Choose the province the order goes to."),
            "invalid_choice": _("Choose the province the order goes to."),
        },
        widget=forms.Select(attrs={"autocomplete": "address-level1", **attrs}),
    )


class ProvinceForm(forms.Form):
    """Where the cart goes, for its fees and delivery windows."""

    province = _province_field()
    back = forms.CharField(widget=forms.HiddenInput, required=False)


class CheckoutForm(forms.Form):
    key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    name = forms.CharField(label=_("Name of the receiver"), max_length=100)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        help_text=_("The courier calls this number; its last 4 digits let you track the order."),
    )
    # with htmx, choosing it brings the fees and windows for there into the summary above the form
    province = _province_field(
        **{
            "hx-post": reverse_lazy("storefront:deliver_to"),
            "hx-trigger": "change",
            "hx-target": "#order-summary",
            "hx-swap": "outerHTML",
        }
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


class Sort(models.TextChoices):
    RELEVANCE = "relevance", _("Best match")
    BEST_SELLING = "best_selling", _("Best-selling")
    NEWEST = "newest", _("Newest")
    PRICE_LOW = "price_low", _("Price: low to high")
    PRICE_HIGH = "price_high", _("Price: high to low")


MAX_PRICE_YUAN = Decimal("1000000")


class ListingForm(forms.Form):
    """What a buyer narrows the products to, and their order: all optional, all in the address (a page of
    results can be shared). A wrong field keeps what was typed and says what is wrong beside it; the others
    still apply."""

    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    prefecture = forms.ChoiceField(label=_("From"), required=False)
    min_price = forms.DecimalField(
        label=_("Lowest price (yuan)"), min_value=0, max_value=MAX_PRICE_YUAN, decimal_places=2, required=False,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any", "min": "0"}),
    )  # fmt: skip
    max_price = forms.DecimalField(
        label=_("Highest price (yuan)"), min_value=0, max_value=MAX_PRICE_YUAN, decimal_places=2, required=False,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any", "min": "0"}),
    )  # fmt: skip
    mark = forms.BooleanField(label=_("Poverty-area products only"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), choices=Sort.choices, required=False)

    def __init__(self, *args, prefectures: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        category, prefecture = self.fields["category"], self.fields["prefecture"]
        assert isinstance(category, forms.ChoiceField) and isinstance(prefecture, forms.ChoiceField)
        category.choices = [("", _("All categories")), *Category.choices]
        prefecture.choices = [("", _("Anywhere")), *prefectures]

    def clean(self):
        data = super().clean()
        low, high = data.get("min_price"), data.get("max_price")
        if low is not None and high is not None and high < low:
            self.add_error(
                "max_price", _("The highest price is below the lowest: give a highest price of at least %(low)s.")
                % {"low": low},
            )  # fmt: skip
        return data

    def filters(self) -> dict:
        """The valid fields as the search takes them (prices in fen); a field with an error is left out."""
        self.is_valid()
        data = {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
        return {
            "query": (data.get("q") or "").strip(),
            "category": data.get("category") or "",
            "prefecture": data.get("prefecture") or "",
            "min_fen": None if data.get("min_price") is None else int(data["min_price"] * 100),
            "max_fen": None if data.get("max_price") is None else int(data["max_price"] * 100),
            "poverty_only": bool(data.get("mark")),
            "sort": data.get("sort") or "",
        }


class ReviewForm(forms.Form):
    stars = forms.TypedChoiceField(
        label=_("Stars"),
        coerce=int,
        choices=[(n, stars_text(n)) for n in range(5, 0, -1)],
        initial=5,
    )
    text = forms.CharField(
        label=_("Your review"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown on the product's page once the county checks it; no names or phone numbers."),
    )
