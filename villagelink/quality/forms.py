from django import forms
from django.utils.translation import gettext_lazy as _


class ReviewForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What you checked, and why the orders do or do not count. It is kept with the decision."),
    )


class CheckForm(forms.Form):
    period = forms.CharField(
        label=_("Period"),
        max_length=30,
        help_text=_("A month (2019-06), a quarter (2019-Q2) or a year (2019)."),
    )
