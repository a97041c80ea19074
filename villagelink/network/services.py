"""Writes to the service network."""

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from villagelink.accounts.models import Role, User
from villagelink.accounts.permissions import can_manage_network
from villagelink.accounts.services import user_create, user_role_assign
from villagelink.approvals.services import approvals_guard
from villagelink.core.exceptions import ApplicationError, ErrorCode, Problems
from villagelink.core.scope import in_scope
from villagelink.geo.models import AdminUnit, Level

from .models import SERVICES, SITE_LEVEL, Designation, ServiceSite, SiteKind, SiteOperator


class NetworkError(ApplicationError):
    pass


def _require_manager(by: User, unit: AdminUnit, field: str | None = None) -> None:
    if not can_manage_network(by):
        raise NetworkError(
            _("Only officers and administrators manage the service network."), code=ErrorCode.FORBIDDEN
        )
    if not in_scope(by, unit.path):
        raise NetworkError(
            _("%(unit)s lies outside your area; choose a unit within it.") % {"unit": unit},
            code=ErrorCode.FORBIDDEN,
            field=field,
        )


@dataclass(frozen=True)
class SiteData:
    name: str
    name_bo: str = ""
    name_en: str = ""
    address: str = ""
    opened_on: datetime.date | None = None
    closed_on: datetime.date | None = None
    services: frozenset[str] = frozenset(field for field, _label in SERVICES[:3])


def _apply(site: ServiceSite, data: SiteData, problems: Problems | None = None) -> None:
    """Checks every detail (with the other inputs' `problems`), refuses them all at once, then changes the site."""
    problems = problems if problems is not None else Problems(NetworkError)
    if not data.name.strip():
        problems.add("name", _("Give the site a name."))
    if data.opened_on is None:
        problems.add("opened_on", _("Give the date the site opened."))
    elif data.closed_on is not None and data.closed_on < data.opened_on:
        problems.add(
            "closed_on",
            _("The closing date %(closed)s is before the opening date %(opened)s.")
            % {"closed": data.closed_on, "opened": data.opened_on},
        )
    unknown = data.services - {field for field, _label in SERVICES}
    if unknown:
        problems.add(
            "services", _("Unknown services: %(services)s.") % {"services": ", ".join(sorted(unknown))}
        )
    problems.raise_if_any()
    assert data.opened_on is not None  # refused above otherwise
    site.name = data.name.strip()
    site.name_bo = data.name_bo.strip()
    site.name_en = data.name_en.strip()
    site.address = data.address.strip()
    site.opened_on = data.opened_on
    site.closed_on = data.closed_on
    for field, _label in SERVICES:
        setattr(site, field, field in data.services)


def _save_site(site: ServiceSite) -> ServiceSite:
    try:
        with transaction.atomic():
            site.save()
    except IntegrityError as exc:
        if site.kind == SiteKind.COUNTY_CENTRE and site.closed_on is None:
            raise NetworkError(
                _(
                    "%(county)s already has an open county centre. Close it first, or give this one a closing date."
                )
                % {"county": site.unit},
                code=ErrorCode.CONFLICT,
                field="unit",
            ) from exc
        raise
    return site


@transaction.atomic
def site_open(*, by: User, kind: str, unit: AdminUnit, data: SiteData) -> ServiceSite:
    """Opens a site of `kind` in `unit`, which must be of the matching level and within the person's area."""
    _require_manager(by, unit, "unit")
    if kind not in SiteKind.values:
        raise NetworkError(_("Choose the kind of site."), field="kind")
    problems = Problems(NetworkError)
    expected = SITE_LEVEL[SiteKind(kind)]
    if unit.level != expected:
        problems.add(
            "unit",
            _("A %(kind)s belongs to a %(level)s, but %(unit)s is a %(actual)s.")
            % {
                "kind": str(SiteKind(kind).label).lower(),
                "level": str(Level(expected).label).lower(),
                "unit": unit,
                "actual": str(unit.get_level_display()).lower(),
            },
        )
    site = ServiceSite(kind=kind, unit=unit)
    _apply(site, data, problems)
    approvals_guard([(unit.path, site.opened_on)], onwards=True)
    return _save_site(site)


@transaction.atomic
def site_update(*, by: User, site: ServiceSite, data: SiteData) -> ServiceSite:
    """Changes a site's name, address, dates and services; its kind and unit stay."""
    _require_manager(by, site.unit)
    site = ServiceSite.objects.select_for_update().select_related("unit").get(pk=site.pk)
    before = (site.opened_on, site.closed_on)
    _apply(site, data)
    moved = {
        day
        for old, new in zip(before, (site.opened_on, site.closed_on), strict=True)
        if old != new
        for day in (old, new)
        if day
    }
    if moved:
        approvals_guard([(site.unit.path, min(moved))], onwards=True)
    return _save_site(site)


@transaction.atomic
def site_operator_assign(*, by: User, site: ServiceSite, user: User | None) -> SiteOperator:
    """Moves `user`, a site operator within the person's area, to `site`: their scope becomes the site's unit.
    Any other account (or None, for a name that matches none) is refused with accounts' one answer."""
    _require_manager(by, site.unit)
    user = user_role_assign(by=by, user=user, role=Role.SITE_OPERATOR, scope=site.unit)
    assignment, _created = SiteOperator.objects.update_or_create(user=user, defaults={"site": site})
    return assignment


@transaction.atomic
def site_operator_create(
    *, by: User, site: ServiceSite, username: str, password: str, first_name: str = ""
) -> SiteOperator:
    """Makes a new site operator's account, working at `site`."""
    _require_manager(by, site.unit)
    user = user_create(
        by=by,
        username=username,
        password=password,
        role=Role.SITE_OPERATOR,
        scope=site.unit,
        first_name=first_name,
    )
    return SiteOperator.objects.create(user=user, site=site)


@transaction.atomic
def designation_record(
    *, by: User, county: AdminUnit, year: int, batch: int = 1, note: str = ""
) -> Designation:
    """Records that `county` was designated a demonstration county in `year`; a county is designated once."""
    _require_manager(by, county, "county")
    problems = Problems(NetworkError)
    if county.level != Level.COUNTY:
        problems.add(
            "county",
            _("Only counties can be designated; %(unit)s is a %(level)s.")
            % {"unit": county, "level": str(county.get_level_display()).lower()},
        )
    if not 2000 <= year <= 2100:
        problems.add(
            "year",
            _("The year %(year)s is not plausible; give the year of the designation.") % {"year": year},
        )
    if batch < 1:
        problems.add("batch", _("The batch is a number from 1."))
    existing = Designation.objects.filter(county=county).first()
    if existing is not None:
        problems.add(
            "county",
            _("%(county)s was already designated in %(year)s.") % {"county": county, "year": existing.year},
            code=ErrorCode.CONFLICT,
        )
    problems.raise_if_any()
    approvals_guard([(county.path, datetime.date(year, 1, 1))], onwards=True)
    return Designation.objects.create(county=county, year=year, batch=batch, note=note.strip())


@transaction.atomic
def village_poverty_set(
    *, by: User, village: AdminUnit, registered_poor_in: int | None, exited_poverty_in: int | None
) -> AdminUnit:
    """Records that `village` is a poor village (贫困村) from `registered_poor_in`, until the year it left poverty
    (`exited_poverty_in`); with neither year, that it is not one. Changes the poor villages and their coverage
    from the earliest year that changes on, so an approved month since then refuses it."""
    _require_manager(by, village, "village")
    problems = Problems(NetworkError)
    if village.level != Level.VILLAGE:
        problems.add(
            "village",
            _("Only villages are poor villages; %(unit)s is a %(level)s.")
            % {"unit": village, "level": str(village.get_level_display()).lower()},
        )
    for field, year in (("registered_poor_in", registered_poor_in), ("exited_poverty_in", exited_poverty_in)):
        if year is not None and not 2000 <= year <= 2100:
            problems.add(field, _("Give a year between 2000 and 2100."))
    if exited_poverty_in is not None and registered_poor_in is None:
        problems.add(
            "registered_poor_in",
            _("Give the year the village was registered poor before the year it left poverty."),
        )
    elif (
        exited_poverty_in is not None
        and registered_poor_in is not None
        and exited_poverty_in < registered_poor_in
    ):
        problems.add(
            "exited_poverty_in", _("A village leaves poverty in or after the year it was registered poor.")
        )
    problems.raise_if_any()
    village = AdminUnit.objects.select_for_update().get(pk=village.pk)
    before = (village.registered_poor_in, village.exited_poverty_in)
    after = (registered_poor_in, exited_poverty_in)
    changed = [
        year for old, new in zip(before, after, strict=True) if old != new for year in (old, new) if year
    ]
    if changed:
        approvals_guard([(village.path, datetime.date(min(changed), 1, 1))], onwards=True)
        village.registered_poor_in, village.exited_poverty_in = after
        village.save(update_fields=["registered_poor_in", "exited_poverty_in"])
    return village
