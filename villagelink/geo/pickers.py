"""The units a person chooses on a form (a household's village, a site's unit, a county…), from their area."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from villagelink.core.pickers import Source
from villagelink.core.scope import scoped

from .models import AdminUnit, Level


def _units(*levels: str):
    def rows(user):
        units = scoped(AdminUnit.objects.all(), user)
        return (units.filter(level__in=levels) if levels else units).order_by("path")

    return rows


def unit_search_q(search: str) -> Q:
    """Part of the unit's name (in any language), or the start of its code."""
    search = search.strip()
    return (
        Q(name_zh__icontains=search)
        | Q(name_en__icontains=search)
        | Q(name_bo__icontains=search)
        | Q(code__startswith=search)
    )


VILLAGES = Source(
    model=AdminUnit,
    rows=_units(Level.VILLAGE),
    search=unit_search_q,
    label=str,
    url_name="geo:pick_villages",
    hint=_("name or code of the village"),
    not_found=_("Choose a village of your area."),
)
COUNTIES = Source(
    model=AdminUnit,
    rows=_units(Level.COUNTY),
    search=unit_search_q,
    label=str,
    url_name="geo:pick_counties",
    hint=_("name or code of the county"),
    not_found=_("Choose a county of your area."),
)
SITE_UNITS = Source(
    model=AdminUnit,
    rows=_units(Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE),
    search=unit_search_q,
    label=str,
    url_name="geo:pick_site_units",
    hint=_("name or code of the county, township or village"),
    not_found=_("Choose a county, township or village of your area."),
)
UNITS = Source(
    model=AdminUnit,
    rows=_units(),
    search=unit_search_q,
    label=str,
    url_name="geo:pick_units",
    hint=_("name or code of the unit"),
    not_found=_("Choose a unit of your area."),
)
