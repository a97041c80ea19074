"""The service sites a person chooses on a form, from their area."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from villagelink.core.names import names_q
from villagelink.core.pickers import Source
from villagelink.core.scope import scoped

from .models import ServiceSite


def site_search_q(search: str) -> Q:
    search = search.strip()
    return (
        names_q(search)
        | Q(unit__name_zh__icontains=search)
        | Q(unit__name_en__icontains=search)
        | Q(unit__name_bo__icontains=search)
    )


SITES = Source(
    model=ServiceSite,
    rows=lambda user: scoped(ServiceSite.objects.select_related("unit"), user).order_by(
        "unit__path", "name", "pk"
    ),
    search=site_search_q,
    label=lambda site: f"{site.local_name} · {site.unit.name}",
    url_name="network:pick_sites",
    hint=_("name of the site or of its village"),
    not_found=_("No such service site in your area."),
)
