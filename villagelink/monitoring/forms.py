"""The approval forms of the dashboard: approving a month (confirmed, with a reason while flags are open) and
withdrawing an approval (with a reason)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import TargetKind


class ApproveForm(forms.Form):
    """Approving the month on show. The officer confirms that they checked the figures; while flags of the
    area for the month are open (`open_flags`), they also say why the figures may be signed all the same."""

    reason = forms.CharField(
        label=_("Reason for approving with flags open"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 300}),
        error_messages={"required": _("Say why the figures may be approved while flags are open.")},
    )
    confirm = forms.BooleanField(
        error_messages={"required": _("Tick the box to confirm that you have checked the figures.")},
    )

    def __init__(self, *args, open_flags: int, unit_name: str, month: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.open_flags = open_flags
        if open_flags:
            self.fields["reason"].help_text = ngettext(
                "%(count)d flag is still open. If the figures may be approved before it is reviewed, say why: "
                "the reason is kept with the approval and in the audit trail.",
                "%(count)d flags are still open. If the figures may be approved before they are reviewed, say "
                "why: the reason is kept with the approval and in the audit trail.",
                open_flags,
            ) % {"count": open_flags}
        else:
            del self.fields["reason"]  # nothing is under review: no reason is asked for
        self.fields["confirm"].label = _(
            "I have checked the figures of %(unit)s for %(month)s. Once they are approved, records that would "
            "change them are refused until the approval is withdrawn."
        ) % {"unit": unit_name, "month": month}

    @property
    def asks_reason(self) -> bool:
        return "reason" in self.fields


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for withdrawing"),
        max_length=300,
        widget=forms.TextInput(attrs={"maxlength": 300}),
        error_messages={"required": _("Say why the approval is withdrawn.")},
    )


class TargetForm(forms.Form):
    """A yearly target for one indicator of the unit on show."""

    indicator = forms.ChoiceField(label=_("Indicator"))
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    kind = forms.ChoiceField(
        label=_("Kind of target"),
        choices=TargetKind.choices,
        initial=TargetKind.LEVEL,
        required=False,  # a level, unless a growth is chosen
        help_text=_(
            "A growth is on the same months of the year before, in percent (online sales up 20 %); it holds for "
            "the units below that set none of their own."
        ),
    )
    value = forms.DecimalField(
        label=_("Target"),
        min_value=0,
        max_digits=16,
        decimal_places=2,
        help_text=_("In yuan for amounts, a number for counts, a percentage for coverage."),
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["indicator"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices
