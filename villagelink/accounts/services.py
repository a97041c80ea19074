"""Writes to accounts."""

from django.db import transaction

from villagelink.geo.models import AdminUnit

from .models import Role, User


@transaction.atomic
def user_ensure(
    *, username: str, password: str, role: Role, scope_unit: AdminUnit | None, first_name: str = ""
) -> tuple[User, bool]:
    """Creates the account if it is missing; an existing account is left as it is. Returns (user, created)."""
    user = User.objects.filter(username=username).first()
    if user is not None:
        return user, False
    user = User(username=username, role=role, scope_unit=scope_unit, first_name=first_name)
    if role == Role.ADMINISTRATOR:
        user.is_staff = user.is_superuser = True
    user.set_password(password)
    user.save()
    return user, True
