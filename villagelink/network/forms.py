from django import forms
from django.contrib.auth.forms import UserCreationForm, UsernameField
from django.utils.translation import gettext_lazy as _

from villagelink.accounts.models import User
from villagelink.core.forms import table_upload
from villagelink.core.pickers import PickerField, ScopedForm
from villagelink.geo.pickers import COUNTIES, SITE_UNITS, VILLAGES

from .imports import MAX_BYTES as POOR_VILLAGES_MAX_BYTES
from .models import SERVICES, Designation, SiteKind
from .services import SiteData


class SiteForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120, help_text=_("As registered, usually in Chinese."))
    name_bo = forms.CharField(label=_("Name in Tibetan"), max_length=120, required=False)
    name_en = forms.CharField(label=_("Name in English"), max_length=120, required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    opened_on = forms.DateField(label=_("Opened on"), widget=forms.DateInput(attrs={"type": "date"}))
    closed_on = forms.DateField(
        label=_("Closed on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty while the site is open."),
    )
    services = forms.MultipleChoiceField(
        label=_("Services offered"), choices=SERVICES, required=False, widget=forms.CheckboxSelectMultiple
    )

    def site_data(self) -> SiteData:
        data = self.cleaned_data
        return SiteData(
            name=data["name"],
            name_bo=data["name_bo"],
            name_en=data["name_en"],
            address=data["address"],
            opened_on=data["opened_on"],
            closed_on=data["closed_on"],
            services=frozenset(data["services"]),
        )


class SiteOpenForm(ScopedForm, SiteForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=SiteKind.choices)
    unit = PickerField(
        SITE_UNITS,
        label=_("Unit it serves"),
        help_text=_("The county (for a county centre), township (station) or village (village point)."),
    )
    field_order = [
        "kind",
        "unit",
        "name",
        "name_bo",
        "name_en",
        "address",
        "opened_on",
        "closed_on",
        "services",
    ]


class DesignationForm(ScopedForm):
    county = PickerField(COUNTIES, label=_("County"))
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    batch = forms.IntegerField(label=_("Batch"), min_value=1, max_value=99, initial=1)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    class Meta:
        model = Designation


class PoorVillageForm(ScopedForm):
    """A village's years as a poor village (贫困村); both left empty: not a poor village."""

    village = PickerField(VILLAGES, label=_("Village"))
    registered_poor_in = forms.IntegerField(
        label=_("Registered poor in"),
        min_value=2000,
        max_value=2100,
        required=False,
        help_text=_("Leave both years empty for a village that is not a poor village."),
    )
    exited_poverty_in = forms.IntegerField(
        label=_("Out of poverty in"),
        min_value=2000,
        max_value=2100,
        required=False,
        help_text=_("Leave empty while the village is still poor."),
    )


class OperatorAssignForm(forms.Form):
    """An operator of the person's area, by user name, to move to a site."""

    username = forms.CharField(
        label=_("User name of the operator's account"),
        max_length=150,
        help_text=_("An operator's account of your area; it moves to this site and works in its unit."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class OperatorAccountForm(UserCreationForm):
    """A new operator's account for a site: checked as any new account is; the service writes it."""

    prefix = "new"
    first_name = forms.CharField(label=_("Name of the operator"), max_length=150)

    class Meta:
        model = User
        fields = ("username", "first_name")
        field_classes = {"username": UsernameField}


class PoorVillageFileForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or Excel file of poor villages"),
        help_text=_(
            "Columns: village_code, registered_poor_in; optional exited_poverty_in. One row per village; at "
            "most 5 MB. Nothing is recorded while any row is refused."
        ),
    )

    def clean_file(self):
        return table_upload(self.cleaned_data["file"], POOR_VILLAGES_MAX_BYTES)
