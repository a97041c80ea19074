"""Writes to accounts: the one place where a person's role and scope are set.

Who may give which role (`GIVERS`), and to whom:

- a role goes to a fresh account made for it (`user_create`), or moves an account that already has it to a new
  scope (`user_role_assign`); an existing account never changes what it is (a buyer, a seller, an officer or an
  administrator never becomes a site operator, an operator never becomes a seller): that takes a new account;
- the account moved and the scope it moves to both lie within the giver's area (an administrator's area is
  everything);
- every refusal gives the same answer (`_refused`), whether the account is unknown, of another area or of
  another kind, so that the answer tells nothing about which accounts exist;
- a move is recorded in the audit trail of the area the account leaves as well as of the one it joins.

Buyers sign themselves up (`buyer_signup`): always a buyer, never a scope.
"""

from auditlog.context import disable_auditlog
from auditlog.diff import model_instance_diff
from auditlog.models import LogEntry
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from villagelink.core.exceptions import ApplicationError, ErrorCode
from villagelink.core.scope import in_scope, is_administrator
from villagelink.geo.models import AdminUnit

from .models import Role, User


class AccountsError(ApplicationError):
    """`field` names the form field the message belongs beside (None: the form as a whole)."""

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None):
        super().__init__(message, code=code)
        self.field = field


# The roles that may give each role (administrators give any).
GIVERS: dict[str, frozenset[str]] = {
    Role.ADMINISTRATOR: frozenset({Role.ADMINISTRATOR}),
    Role.OFFICER: frozenset({Role.ADMINISTRATOR}),
    Role.SITE_OPERATOR: frozenset({Role.ADMINISTRATOR, Role.OFFICER}),
    Role.SELLER: frozenset({Role.ADMINISTRATOR, Role.OFFICER, Role.SITE_OPERATOR}),
    Role.BUYER: frozenset({Role.ADMINISTRATOR}),
}
# Officers and operators work in a unit; sellers are placed in their shop's; administrators and buyers in none.
NEEDS_SCOPE = frozenset({Role.OFFICER, Role.SITE_OPERATOR, Role.SELLER})
USERNAME_MAX_LENGTH = 150  # Django's AbstractUser.username


def _refused() -> AccountsError:
    return AccountsError(
        _(
            "This account cannot be given that role here. Give the user name of an account of your area that "
            "already has this role, or create a new account for it."
        ),
        code=ErrorCode.FORBIDDEN,
        field="username",
    )


def _role_of(user: User) -> str:
    return Role.ADMINISTRATOR if user.is_administrator else user.role


def _within(by: User, unit: AdminUnit | None) -> bool:
    """Whether a unit (None: no unit at all) lies within the giver's area."""
    if is_administrator(by):
        return True
    return unit is not None and in_scope(by, unit.path)


def _may_give(by: User, role: str, scope: AdminUnit | None) -> bool:
    if not (by.is_authenticated and by.is_active) or role not in GIVERS:
        return False
    if _role_of(by) not in GIVERS[role]:
        return False
    if (scope is not None) != (role in NEEDS_SCOPE):
        return False
    return scope is None or _within(by, scope)


@transaction.atomic
def user_role_assign(*, by: User, user: User | None, role: str, scope: AdminUnit | None) -> User:
    """Places `user`, who already has `role`, in `scope`. `user` None stands for an account that does not
    exist; it is refused with the same answer as any other refusal."""
    if user is None or user.pk is None or user.pk == by.pk or not _may_give(by, role, scope):
        raise _refused()
    current = User.objects.select_for_update().filter(pk=user.pk).first()  # (no join: PostgreSQL's rule)
    if current is None or _role_of(current) != role or not _within(by, current.scope_unit):
        raise _refused()
    before = User.objects.select_related("scope_unit").get(pk=current.pk)
    current.scope_unit = scope
    with disable_auditlog():  # recorded below, in both areas
        current.save(update_fields=["scope_unit"])
    _record_move(by=by, before=before, after=current)
    user.role, user.scope_unit = current.role, current.scope_unit
    return user


@transaction.atomic
def user_save_by_administrator(*, by: User, user: User) -> User:
    """An account as an administrator set it on the admin site (any role, any scope: the site is theirs alone).
    The admin's change is recorded as any change is; a move of scope is filed in the area left as well."""
    if not is_administrator(by):
        raise _refused()
    before = None
    if user.pk is not None:
        before = User.objects.select_for_update().filter(pk=user.pk).first()
    user.save()
    if before is not None and before.scope_unit_id not in (None, user.scope_unit_id):
        _record_move(by=by, before=before, after=user, joined=False)
    return user


def _record_move(*, by: User, before: User, after: User, joined: bool = True) -> None:
    """The change in the trail of the area the account joins (unless already recorded there) and, when it
    moves, of the area it leaves."""
    changes = model_instance_diff(before, after, fields_to_check=["role", "scope_unit"])
    if not changes:
        return
    new_path = after.scope_unit.path if after.scope_unit else ""
    paths = [new_path] if joined else []
    if before.scope_unit is not None and before.scope_unit.path != new_path:
        paths.append(before.scope_unit.path)
    for path in paths:
        LogEntry.objects.log_create(
            after,
            action=LogEntry.Action.UPDATE,
            changes=changes,
            actor=by,
            additional_data={"unit_path": path},
            force_log=True,
        )


def _check_new_account(user: User, password: str) -> None:
    username = user.username
    if len(username) > USERNAME_MAX_LENGTH:
        raise AccountsError(_("The user name is too long; choose a shorter one."), field="username")
    try:
        User.username_validator(username)
    except ValidationError as error:
        raise AccountsError(" ".join(error.messages), field="username") from error
    if User.objects.filter(username__iexact=username).exists():
        raise AccountsError(
            _("The user name “%(name)s” is taken; choose another.") % {"name": username}, field="username"
        )
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise AccountsError(" ".join(error.messages), field="password") from error


def _insert(user: User, password: str) -> User:
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as error:  # the same name taken a moment ago
        raise AccountsError(
            _("The user name “%(name)s” is taken; choose another.") % {"name": user.username},
            field="username",
        ) from error
    return user


@transaction.atomic
def user_create(
    *, by: User, username: str, password: str, role: str, scope: AdminUnit | None, first_name: str = ""
) -> User:
    """A fresh account with `role` in `scope`, made by someone who may give that role there."""
    if not _may_give(by, role, scope):
        raise _refused()
    user = User(username=username.strip(), first_name=first_name.strip(), role=role, scope_unit=scope)
    if role == Role.ADMINISTRATOR:
        user.is_staff = user.is_superuser = True
    _check_new_account(user, password)
    return _insert(user, password)


@transaction.atomic
def buyer_signup(*, username: str, password: str, first_name: str = "") -> User:
    """Someone signs themselves up: always a buyer, with no scope."""
    user = User(username=username.strip(), first_name=first_name.strip(), role=Role.BUYER, scope_unit=None)
    _check_new_account(user, password)
    return _insert(user, password)


@transaction.atomic
def user_ensure(
    *, username: str, password: str, role: Role, scope_unit: AdminUnit | None, first_name: str = ""
) -> tuple[User, bool]:
    """Creates the account if it is missing; an existing account is left as it is. Returns (user, created).
    For the demo and set-up commands, which act as the system itself: no giver, no rules of who may give."""
    user = User.objects.filter(username=username).first()
    if user is not None:
        return user, False
    user = User(username=username, role=role, scope_unit=scope_unit, first_name=first_name)
    if role == Role.ADMINISTRATOR:
        user.is_staff = user.is_superuser = True
    user.set_password(password)
    user.save()
    return user, True
