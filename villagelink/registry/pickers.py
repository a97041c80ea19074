"""Households and organisations a person chooses on a form, from their area (by name, or last 4 ID digits)."""

from django.utils.translation import gettext_lazy as _

from villagelink.core.names import names_q
from villagelink.core.pickers import Source
from villagelink.core.scope import scoped

from .models import Household, Organisation
from .selectors import household_search_q


def household_label(household: Household) -> str:
    return f"{household.head_name} · {household.id_number_masked} · {household.village.name}"


HOUSEHOLDS = Source(
    model=Household,
    rows=lambda user: scoped(Household.objects.select_related("village"), user).order_by("head_name", "pk"),
    search=household_search_q,
    label=household_label,
    url_name="registry:pick_households",
    hint=_("name, or last 4 ID digits"),
    not_found=_("No such household in your area."),
)
ORGANISATIONS = Source(
    model=Organisation,
    rows=lambda user: scoped(Organisation.objects.select_related("unit"), user).order_by("name", "pk"),
    search=lambda search: names_q(search.strip()),
    label=lambda organisation: f"{organisation.local_name} · {organisation.unit.name}",
    url_name="registry:pick_organisations",
    hint=_("name of the cooperative or enterprise"),
    not_found=_("No such cooperative or enterprise in your area."),
)
