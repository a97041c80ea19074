from django import forms
from django.utils.translation import gettext_lazy as _

from villagelink.core.forms import table_upload
from villagelink.core.pickers import PickerField, ScopedForm
from villagelink.geo.pickers import UNITS, VILLAGES

from .imports import MAX_BYTES as MAX_UPLOAD_BYTES
from .models import LinkKind, OrganisationKind
from .pickers import HOUSEHOLDS
from .services import HouseholdData


class HouseholdForm(forms.Form):
    head_name = forms.CharField(label=_("Head of household"), max_length=100)
    members = forms.IntegerField(label=_("Members"), min_value=1, max_value=99, initial=1)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    registered_poor_in = forms.IntegerField(
        label=_("Registered as poor in (year)"), required=False, min_value=1990, max_value=2100
    )
    exited_poverty_in = forms.IntegerField(
        label=_("Exited poverty in (year)"), required=False, min_value=1990, max_value=2100
    )
    story = forms.CharField(label=_("Story"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    story_consent = forms.BooleanField(
        label=_("The household agrees to show its story on the storefront"), required=False
    )

    keeps_phone_when_empty = False

    def household_data(self) -> HouseholdData:
        d = self.cleaned_data
        return HouseholdData(
            head_name=d["head_name"],
            members=d["members"],
            phone=d["phone"] if d["phone"] or not self.keeps_phone_when_empty else None,
            registered_poor_in=d["registered_poor_in"],
            exited_poverty_in=d["exited_poverty_in"],
            story=d["story"],
            story_consent=d["story_consent"],
        )


class HouseholdRegisterForm(ScopedForm, HouseholdForm):
    village = PickerField(VILLAGES, label=_("Village"))
    id_number = forms.CharField(
        label=_("Resident ID number of the head"),
        max_length=22,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text", "spellcheck": "false"}),
    )
    field_order = ["village", "head_name", "id_number", "members", "phone"]


class HouseholdEditForm(HouseholdForm):
    keeps_phone_when_empty = True
    id_number = forms.CharField(
        label=_("New resident ID number"),
        max_length=22,
        required=False,
        help_text=_("Only to correct a mistake; leave empty to keep the registered number."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class OrganisationForm(ScopedForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=OrganisationKind.choices)
    name = forms.CharField(label=_("Name"), max_length=150, help_text=_("As registered, usually in Chinese."))
    name_bo = forms.CharField(label=_("Name in Tibetan"), max_length=150, required=False)
    name_en = forms.CharField(label=_("Name in English"), max_length=150, required=False)
    unit = PickerField(UNITS, label=_("Unit where it is registered"))
    credit_code = forms.CharField(label=_("Unified social credit code"), max_length=18, required=False)


class HouseholdImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or Excel file"),
        help_text=_(
            "Columns: village_code, head_name, id_number; optional members, phone, registered_poor_in, "
            "exited_poverty_in. At most 10 MB."
        ),
    )
    valid_rows_only = forms.BooleanField(
        label=_("Import the valid rows even if some rows are refused"), required=False
    )

    def clean_file(self):
        return table_upload(self.cleaned_data["file"], MAX_UPLOAD_BYTES)


class LinkForm(ScopedForm):
    household = PickerField(HOUSEHOLDS, label=_("Household"))
    kind = forms.ChoiceField(label=_("Relation"), choices=LinkKind.choices)
