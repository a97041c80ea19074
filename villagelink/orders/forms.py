from django import forms
from django.utils.translation import gettext_lazy as _

from .carriers import Carrier


class ShipForm(forms.Form):
    carrier = forms.ChoiceField(
        label=_("Carrier"), choices=[("", _("— choose —")), *Carrier.choices], required=False
    )
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=60, required=False)
    point = forms.ModelChoiceField(
        label=_("Or hand over at the service point"),
        queryset=None,
        required=False,
        empty_label=_("— not handed over at a point —"),
    )

    def __init__(self, *args, points, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["point"].queryset = points

    def clean(self):
        data = super().clean()
        if not data.get("point") and not (data.get("carrier") and data.get("tracking_number")):
            raise forms.ValidationError(
                _(
                    "Give the carrier and the tracking number, or choose the service point that takes the parcel."
                )
            )
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)
