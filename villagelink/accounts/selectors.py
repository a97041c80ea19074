"""Reads of accounts."""

from .models import User


def user_named(*, username: str) -> User | None:
    """The account with this user name, or None. Not scoped: it names the account a person typed, for a service
    that then decides, with its one answer for every refusal, whether they may act on it."""
    return User.objects.select_related("scope_unit").filter(username=username.strip()[:150]).first()
