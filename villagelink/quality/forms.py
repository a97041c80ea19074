import datetime
import re

from django import forms
from django.utils.translation import gettext_lazy as _

from villagelink.core.periods import EARLIEST, LATEST


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


class MonthField(forms.CharField):
    """A month written YYYY-MM (as an <input type="month"> also sends it), cleaned to its first day. Shown as
    a text box: the filters' text boxes are what the site's style draws, and a phone's keyboard has the dash."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Month"))
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={"placeholder": "2019-06", "maxlength": 7, "size": 8, "autocomplete": "off"}
            ),
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        text = (super().to_python(value) or "").strip()
        if not text:
            return None
        match = re.fullmatch(r"(\d{4})-(\d{2})", text)
        if match is None or not 1 <= int(match[2]) <= 12:
            raise forms.ValidationError(
                _("“%(text)s” is not a month: write it as YYYY-MM, e.g. 2019-06."), params={"text": text[:20]}
            )
        year = int(match[1])  # year 0 is no date at all: the range check comes before the date is made
        if (
            not EARLIEST.year <= year <= LATEST.year
            or not EARLIEST <= datetime.date(year, int(match[2]), 1) <= LATEST
        ):
            raise forms.ValidationError(
                _("Give a month between %(first)s and %(last)s."),
                params={"first": f"{EARLIEST:%Y-%m}", "last": f"{LATEST:%Y-%m}"},
            )
        return datetime.date(year, int(match[2]), 1)


class MonthForm(forms.Form):
    """The month a completeness table or a workbook is for."""

    month = MonthField()


class FlagMonthForm(forms.Form):
    """The flags page's month filter: left empty, every month."""

    month = MonthField(required=False)
