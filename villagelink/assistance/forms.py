from django import forms
from django.utils.translation import gettext_lazy as _

from villagelink.core.bounds import MAX_ID
from villagelink.core.forms import YuanField
from villagelink.core.pickers import PickerField, ScopedForm
from villagelink.network.pickers import SITES
from villagelink.registry.pickers import HOUSEHOLDS

from .models import AssistanceKind


class LedgerFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=AssistanceKind.choices, required=False)
    start = forms.DateField(label=_("From"), required=False)
    end = forms.DateField(label=_("To"), required=False)
    household = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)

    def filters(self) -> dict:
        """The filters that were given and make sense; a bad value is ignored, not an error."""
        self.is_valid()
        return {name: self.cleaned_data.get(name) for name in self.fields}


class EventForm(ScopedForm):
    household = PickerField(HOUSEHOLDS, label=_("Household"))
    kind = forms.ChoiceField(label=_("Kind of help"), choices=AssistanceKind.choices)
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    site = PickerField(
        SITES, label=_("Service site"), required=False, help_text=_("The site that gave the help, if any.")
    )
    amount = YuanField(label=_("Amount (yuan)"), required=False, help_text=_("If the help had a value."))
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class ReverseForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is this entry reversed?"),
        max_length=300,
        error_messages={"required": _("Say why the entry is reversed.")},
    )


class TrainingForm(forms.Form):
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    topic = forms.CharField(label=_("Topic"), max_length=200)
    households = forms.MultipleChoiceField(
        label=_("Households that attended"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, households, **kwargs):
        super().__init__(*args, **kwargs)
        self.households_by_pk = {str(h.pk): h for h in households}
        self.fields["households"].choices = [
            (str(h.pk), f"{h.head_name} · {h.village.name} · {h.id_number_masked}") for h in households
        ]

    def chosen_households(self) -> list:
        return [self.households_by_pk[pk] for pk in self.cleaned_data["households"]]
