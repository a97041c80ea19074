"""The carriers a seller ships with, and the form of each one's tracking numbers, so that a mistyped number
is caught when the parcel is recorded rather than when a buyer cannot follow it.

The forms are those the carriers print on their waybills: the Universal Postal Union's S10 (two letters, nine
digits, two letters: EA123456789CN) for EMS and China Post abroad, 13 digits for their domestic parcels;
SF Express "SF" and 12 to 13 digits (older waybills: 12 digits); JD Logistics "JD", up to two letters and
10 to 15 digits; ZTO 12 to 14 digits; YTO "YT" and 13 digits (older: 10 digits); Yunda 13 or 15 digits. Any
other carrier: 6 to 40 letters, digits and dashes.
"""

import re

from django.db import models
from django.utils.translation import gettext_lazy as _


class Carrier(models.TextChoices):
    """The carriers that reach Tibet's townships and villages, stored as printed on their waybills (the desk's
    parcels use the same list)."""

    EMS = "EMS", _("EMS")
    CHINA_POST = "China Post", _("China Post")
    SF = "SF Express", _("SF Express")
    JD = "JD Logistics", _("JD Logistics")
    ZTO = "ZTO", _("ZTO Express")
    YTO = "YTO", _("YTO Express")
    YUNDA = "Yunda", _("Yunda Express")
    OTHER = "Other", _("Other carrier")


S10 = r"[A-Z]{2}\d{9}[A-Z]{2}"
FORMS = {
    Carrier.EMS: (rf"{S10}|\d{{13}}", "EA123456789CN / 1234567890123"),
    Carrier.CHINA_POST: (rf"{S10}|\d{{13}}", "RR123456789CN / 9876543210123"),
    Carrier.SF: (r"(SF)?\d{12,13}", "SF1234567890123"),
    Carrier.JD: (r"JD[A-Z]{0,2}\d{10,15}", "JDVA12345678901"),
    Carrier.ZTO: (r"\d{12,14}", "75312345678901"),
    Carrier.YTO: (r"YT\d{13}|\d{10}", "YT1234567890123"),
    Carrier.YUNDA: (r"\d{13}|\d{15}", "4312345678901"),
    Carrier.OTHER: (r"[A-Z0-9-]{6,40}", "ABC-123456"),
}


def tracking_clean(carrier: str, number: str) -> str:
    """The number as stored (capitals, no spaces) when it has the carrier's form; raises ValueError with what
    the form is otherwise. A carrier that is not one of the list's (an older record's free text) is not
    checked."""
    cleaned = re.sub(r"\s+", "", number).upper()
    if carrier not in Carrier.values:
        return cleaned
    pattern, example = FORMS[Carrier(carrier)]
    if not re.fullmatch(pattern, cleaned):
        raise ValueError(example)
    return cleaned


def carrier_label(carrier: str) -> str:
    """A carrier of the list by its name in the reader's language; an older record's free text as written."""
    return str(Carrier(carrier).label) if carrier in Carrier.values else carrier
