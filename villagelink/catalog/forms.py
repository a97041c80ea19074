from django import forms
from django.utils.translation import gettext_lazy as _

from villagelink.core.bounds import MAX_STOCK
from villagelink.core.forms import YuanField
from villagelink.core.money import fen_to_yuan
from villagelink.core.pickers import PickerField, ScopedForm
from villagelink.geo.pickers import VILLAGES
from villagelink.network.pickers import SITES
from villagelink.registry.pickers import HOUSEHOLDS, ORGANISATIONS

from .models import ADJUSTMENTS, Category, Platform, ShopStatus
from .services import ProductData, ShippingRules
from .shipping import MAX_DISPATCH_DAYS, PROVINCES


class ShopOpenForm(ScopedForm):
    name = forms.CharField(
        label=_("Shop name"),
        max_length=120,
        help_text=_("As registered on the platform, usually in Chinese."),
    )
    name_bo = forms.CharField(label=_("Name in Tibetan"), max_length=120, required=False)
    name_en = forms.CharField(label=_("Name in English"), max_length=120, required=False)
    household = PickerField(
        HOUSEHOLDS,
        label=_("Household"),
        required=False,
        help_text=_("Leave empty for a cooperative or enterprise."),
    )
    organisation = PickerField(
        ORGANISATIONS,
        label=_("Cooperative or enterprise"),
        required=False,
        help_text=_("Leave empty for a household."),
    )
    platform = forms.ChoiceField(label=_("Platform"), choices=Platform.choices)
    external_id = forms.CharField(
        label=_("Shop id or address on the platform"),
        max_length=200,
        required=False,
        help_text=_("Not needed for a shop on this storefront."),
    )
    opened_on = forms.DateField(label=_("Opened on"), widget=forms.DateInput(attrs={"type": "date"}))
    site = PickerField(
        SITES, label=_("Opened with the help of the site"), required=False, help_text=_("If a site helped.")
    )


class ShopStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ShopStatus.choices)


class ProductForm(ScopedForm):
    name_zh = forms.CharField(label=_("Name (Chinese)"), max_length=120)
    name_en = forms.CharField(label=_("Name (English)"), max_length=120)
    name_bo = forms.CharField(label=_("Name (Tibetan)"), max_length=120, required=False)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    price = YuanField(label=_("Price (yuan)"), help_text=_("For example 68.00"))
    unit_label = forms.CharField(label=_("Sold by"), max_length=40, help_text=_("e.g. 500 g, 1 kg, a piece"))
    stock = forms.IntegerField(label=_("Stock"), min_value=0, max_value=MAX_STOCK, initial=0)
    origin_village = PickerField(
        VILLAGES,
        label=_("Origin village"),
        required=False,
        help_text=_("The village the product comes from, if known."),
    )
    poverty_area_product = forms.BooleanField(label=_("Poverty-area product"), required=False)
    is_listed = forms.BooleanField(label=_("Listed for sale"), required=False, initial=True)
    description_zh = forms.CharField(
        label=_("Description (Chinese)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    description_en = forms.CharField(
        label=_("Description (English)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    description_bo = forms.CharField(
        label=_("Description (Tibetan)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, user, editing: bool = False, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        if editing:  # the stock moves only with a recorded change (the stock form beside this one)
            del self.fields["stock"]
        if getattr(user, "role", None) == "seller":  # no area to pick a village in: the shop's is the origin
            del self.fields["origin_village"]

    def product_data(self, *, stock: int = 0, origin_village=None) -> ProductData:
        """The product as typed; what the form did not offer (the stock when editing, the origin for a
        seller) as given."""
        d = {"stock": stock, "origin_village": origin_village, **self.cleaned_data}
        return ProductData(
            name_zh=d["name_zh"],
            name_en=d["name_en"],
            name_bo=d["name_bo"],
            category=d["category"],
            price_fen=d["price"],
            unit_label=d["unit_label"],
            stock=d["stock"],
            origin_village=d["origin_village"],
            poverty_area_product=d["poverty_area_product"],
            is_listed=d["is_listed"],
            description_zh=d["description_zh"],
            description_en=d["description_en"],
            description_bo=d["description_bo"],
        )


class StockForm(forms.Form):
    """A change of stock by hand, with its reason."""

    change = forms.IntegerField(
        label=_("Change"),
        min_value=-MAX_STOCK,
        max_value=MAX_STOCK,
        help_text=_("More received: a positive number (20). Spoiled or miscounted: a negative one (-3)."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    reason = forms.ChoiceField(label=_("Reason"), choices=[(r.value, r.label) for r in ADJUSTMENTS])
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class ShippingForm(forms.Form):
    """A shop's shipping rules: the usual fee, free from an amount, the days to dispatch, and a fee of its own
    for any province that differs (left empty: the usual fee)."""

    fee = YuanField(label=_("Usual shipping fee (yuan)"), help_text=_("0 for free shipping."))
    free_over = YuanField(
        label=_("Free shipping from (yuan)"),
        required=False,
        help_text=_("An order of at least this much of your goods ships free everywhere. Empty: never."),
    )
    dispatch_days = forms.IntegerField(
        label=_("Days to hand an order to the carrier"),
        min_value=0,
        max_value=MAX_DISPATCH_DAYS,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, name in PROVINCES:
            self.fields[f"fee_{code}"] = YuanField(label=name, required=False)

    def main_fields(self):
        return [self[name] for name in ("fee", "free_over", "dispatch_days")]

    def province_fields(self):
        return [self[f"fee_{code}"] for code, _name in PROVINCES]

    @classmethod
    def initial_for(cls, shop) -> dict:
        return {
            "fee": fen_to_yuan(shop.shipping_fee_fen),
            "free_over": ""
            if shop.free_shipping_over_fen is None
            else fen_to_yuan(shop.free_shipping_over_fen),
            "dispatch_days": shop.dispatch_days,
            **{f"fee_{code}": fen_to_yuan(fen) for code, fen in shop.province_fees.items()},
        }

    def rules(self) -> ShippingRules:
        data = self.cleaned_data
        return ShippingRules(
            fee_fen=data["fee"],
            province_fees={
                code: data[f"fee_{code}"] for code, _name in PROVINCES if data.get(f"fee_{code}") is not None
            },
            free_over_fen=data["free_over"],
            dispatch_days=data["dispatch_days"],
        )
