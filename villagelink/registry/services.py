"""Writes to the registry of households and organisations."""

from dataclasses import dataclass

from auditlog.models import LogEntry
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from villagelink.accounts.models import User
from villagelink.accounts.permissions import can_work_in_registry
from villagelink.core.crypto import encrypt, keyed_hash
from villagelink.core.dates import region_today
from villagelink.core.exceptions import ApplicationError, ErrorCode, Problems
from villagelink.core.scope import in_scope
from villagelink.geo.models import AdminUnit, Level

from .idnumbers import InvalidIdNumber, mask, mask_phone, normalise, sex_and_birth_year
from .models import Household, LinkKind, Organisation, OrganisationKind, OrganisationLink

EARLIEST_YEAR = 1990


class RegistryError(ApplicationError):
    pass


@dataclass(frozen=True)
class HouseholdData:
    head_name: str
    members: int = 1
    phone: str | None = (
        ""  # None keeps the stored number (forms never show it, so an empty field means "keep")
    )
    registered_poor_in: int | None = None
    exited_poverty_in: int | None = None
    story: str = ""
    story_consent: bool = False


def _require_registry_worker(by: User, unit: AdminUnit, field: str | None = None) -> None:
    if not can_work_in_registry(by):
        raise RegistryError(
            _("Only site operators, officers and administrators keep the registry."), code=ErrorCode.FORBIDDEN
        )
    if not in_scope(by, unit.path):
        raise RegistryError(
            _("%(unit)s lies outside your area; choose a village within it.") % {"unit": unit},
            code=ErrorCode.FORBIDDEN,
            field=field,
        )


def _check_years(data: HouseholdData, problems: Problems) -> None:
    this_year = region_today().year
    for field in ("registered_poor_in", "exited_poverty_in"):
        year = getattr(data, field)
        if year is not None and not EARLIEST_YEAR <= year <= this_year:
            problems.add(
                field,
                _("The year %(year)s is out of range: give a year from %(first)d to %(last)d.")
                % {"year": year, "first": EARLIEST_YEAR, "last": this_year},
            )
    if data.exited_poverty_in is not None and data.registered_poor_in is None:
        problems.add(
            "registered_poor_in",
            _("A household exits poverty only after being registered as poor: give both years."),
        )
    if data.exited_poverty_in is not None and data.exited_poverty_in < (data.registered_poor_in or 0):
        problems.add(
            "exited_poverty_in",
            _("The exit year %(exit)s is before the registration year %(registered)s.")
            % {"exit": data.exited_poverty_in, "registered": data.registered_poor_in},
        )


def _apply(household: Household, data: HouseholdData, problems: Problems | None = None) -> None:
    """Checks every detail (adding to `problems`, the other inputs' problems), refuses them all at once, and
    only then changes the household."""
    problems = problems if problems is not None else Problems(RegistryError)
    if not data.head_name.strip():
        problems.add("head_name", _("Give the name of the head of household."))
    if data.members < 1:
        problems.add("members", _("A household has at least one member."))
    _check_years(data, problems)
    phone = "".join((data.phone or "").split())
    if phone and not (phone.lstrip("+").replace("-", "").isdigit() and 7 <= len(phone) <= 20):
        problems.add("phone", _("The phone number may hold only digits, + and -, 7 to 20 of them."))
    problems.raise_if_any()
    if data.phone is not None:
        household.phone_encrypted = encrypt(phone) if phone else ""
        household.phone_masked = mask_phone(phone) if phone else ""
    household.head_name = data.head_name.strip()
    household.members = data.members
    household.registered_poor_in = data.registered_poor_in
    household.exited_poverty_in = data.exited_poverty_in
    household.story = data.story.strip()
    household.story_consent = data.story_consent


def _set_id_number(household: Household, raw: str) -> None:
    try:
        number = normalise(raw)
    except InvalidIdNumber as exc:
        raise RegistryError(str(exc), field="id_number") from exc
    digest = keyed_hash(number)
    if Household.objects.filter(id_number_hash=digest).exclude(pk=household.pk).exists():
        raise RegistryError(
            _("This ID number is already registered to another household."),
            code=ErrorCode.CONFLICT,
            field="id_number",
        )
    household.id_number_encrypted = encrypt(number)
    household.id_number_hash = digest
    household.id_number_masked = mask(number)
    household.id_last4 = number[-4:]
    household.head_sex, household.head_born_in = sex_and_birth_year(number)


def _id_number_problem(household: Household, raw: str, problems: Problems) -> None:
    try:
        _set_id_number(household, raw)
    except RegistryError as error:
        problems.add("id_number", error.message, code=error.code)


def _save(household: Household) -> Household:
    try:
        with transaction.atomic():
            household.save()
    except IntegrityError as exc:  # two registrations of one number at the same moment
        raise RegistryError(
            _("This ID number is already registered to another household."),
            code=ErrorCode.CONFLICT,
            field="id_number",
        ) from exc
    return household


@transaction.atomic
def household_register(*, by: User, village: AdminUnit, id_number: str, data: HouseholdData) -> Household:
    _require_registry_worker(by, village, "village")
    problems = Problems(RegistryError)
    if village.level != Level.VILLAGE:
        problems.add(
            "village", _("A household is registered in a village; %(unit)s is not one.") % {"unit": village}
        )
    household = Household(village=village, registered_by=by)
    _id_number_problem(household, id_number, problems)
    _apply(household, data, problems)
    return _save(household)


@transaction.atomic
def household_update(
    *, by: User, household: Household, data: HouseholdData, id_number: str = ""
) -> Household:
    """Changes a household's details; a new ID number (to correct a mistake) is checked like a new one."""
    _require_registry_worker(by, household.village)
    household = Household.objects.select_for_update().select_related("village").get(pk=household.pk)
    problems = Problems(RegistryError)
    if id_number.strip():
        _id_number_problem(household, id_number, problems)
    _apply(household, data, problems)
    return _save(household)


def household_reveal_id(*, by: User, household: Household) -> str:
    """The full ID number, for a person with the permission; every reveal is written to the audit trail."""
    if not (by.has_perm("registry.view_full_id_number") and in_scope(by, household.village.path)):
        raise RegistryError(
            _("Your account may not see full ID numbers. Ask an administrator for the permission."),
            code=ErrorCode.FORBIDDEN,
        )
    LogEntry.objects.log_create(
        household,
        action=LogEntry.Action.ACCESS,
        changes={"id_number": ["masked", "shown in full"]},
        actor=by,
        force_log=True,
    )
    return household.full_id_number()


@transaction.atomic
def organisation_register(
    *,
    by: User,
    kind: str,
    name: str,
    unit: AdminUnit,
    credit_code: str = "",
    name_bo: str = "",
    name_en: str = "",
) -> Organisation:
    _require_registry_worker(by, unit, "unit")
    problems = Problems(RegistryError)
    if kind not in OrganisationKind.values:
        problems.add("kind", _("Choose whether it is a cooperative or an enterprise."))
    if not name.strip():
        problems.add("name", _("Give the organisation's name."))
    code = credit_code.strip().upper()
    if code and (len(code) != 18 or not code.isalnum()):
        problems.add("credit_code", _("A unified social credit code has 18 letters and digits."))
    problems.raise_if_any()
    return Organisation.objects.create(
        kind=kind,
        name=name.strip(),
        name_bo=name_bo.strip(),
        name_en=name_en.strip(),
        unit=unit,
        credit_code=code,
    )


@transaction.atomic
def organisation_link(
    *, by: User, organisation: Organisation, household: Household, kind: str
) -> OrganisationLink:
    """Links a household to an organisation (a cooperative's member, an enterprise's employed or contracted)."""
    _require_registry_worker(by, organisation.unit)
    _require_registry_worker(by, household.village, "household")
    allowed = (
        {LinkKind.MEMBER}
        if organisation.kind == OrganisationKind.COOPERATIVE
        else {LinkKind.EMPLOYED, LinkKind.CONTRACTED}
    )
    if kind not in allowed:
        raise RegistryError(
            _("A %(org)s links households as: %(kinds)s.")
            % {
                "org": str(OrganisationKind(organisation.kind).label).lower(),
                "kinds": ", ".join(str(LinkKind(k).label).lower() for k in sorted(allowed)),
            },
            field="kind",
        )
    if not household.village.path.startswith(organisation.unit.path):
        raise RegistryError(
            _("The household's village lies outside %(unit)s, where the organisation is registered.")
            % {"unit": organisation.unit},
            field="household",
        )
    link, _created = OrganisationLink.objects.update_or_create(
        organisation=organisation, household=household, defaults={"kind": kind, "since": region_today()}
    )
    return link
