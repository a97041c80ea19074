from django import forms
from django.utils.translation import gettext_lazy as _

from villagelink.core.bounds import MAX_ID, MAX_STOCK
from villagelink.core.forms import YuanField

from .models import Category, Platform, ShopStatus
from .services import ProductData


class ShopOpenForm(forms.Form):
    name = forms.CharField(label=_("Shop name"), max_length=120)
    household_id = forms.IntegerField(
        label=_("Household number"),
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text=_("The number in the address of the household's page; leave empty for an organisation."),
    )
    organisation_id = forms.IntegerField(
        label=_("Cooperative or enterprise number"),
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text=_("The number in the address of its page; leave empty for a household."),
    )
    platform = forms.ChoiceField(label=_("Platform"), choices=Platform.choices)
    external_id = forms.CharField(
        label=_("Shop id or address on the platform"),
        max_length=200,
        required=False,
        help_text=_("Not needed for a shop on this storefront."),
    )
    opened_on = forms.DateField(label=_("Opened on"), widget=forms.DateInput(attrs={"type": "date"}))
    site_id = forms.IntegerField(
        label=_("Opened with the help of site number"),
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text=_("The number in the address of the service site's page, if a site helped."),
    )


class ShopStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ShopStatus.choices)


class ProductForm(forms.Form):
    name_zh = forms.CharField(label=_("Name (Chinese)"), max_length=120)
    name_en = forms.CharField(label=_("Name (English)"), max_length=120)
    name_bo = forms.CharField(label=_("Name (Tibetan)"), max_length=120, required=False)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    price = YuanField(label=_("Price (yuan)"), help_text=_("For example 68.00"))
    unit_label = forms.CharField(label=_("Sold by"), max_length=40, help_text=_("e.g. 500 g, 1 kg, a piece"))
    stock = forms.IntegerField(label=_("Stock"), min_value=0, max_value=MAX_STOCK, initial=0)
    origin_village_code = forms.CharField(
        label=_("Origin village code"),
        max_length=12,
        required=False,
        help_text=_("The 12-digit code of the village the product comes from, if known."),
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

    def product_data(self, *, origin_village) -> ProductData:
        d = self.cleaned_data
        return ProductData(
            name_zh=d["name_zh"],
            name_en=d["name_en"],
            name_bo=d["name_bo"],
            category=d["category"],
            price_fen=d["price"],
            unit_label=d["unit_label"],
            stock=d["stock"],
            origin_village=origin_village,
            poverty_area_product=d["poverty_area_product"],
            is_listed=d["is_listed"],
            description_zh=d["description_zh"],
            description_en=d["description_en"],
            description_bo=d["description_bo"],
        )
