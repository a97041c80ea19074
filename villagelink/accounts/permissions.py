"""Who may do what, by role. Where they may do it is the scope's business (villagelink.core.scope)."""

from villagelink.core.scope import is_administrator

from .models import Role


def can_manage_network(user) -> bool:
    """Open, edit and close service sites, assign operators, record designations."""
    return is_administrator(user) or (user.is_authenticated and user.role == Role.OFFICER)


def can_work_in_registry(user) -> bool:
    """Register households and organisations, open shops, record assistance."""
    return is_administrator(user) or (
        user.is_authenticated and user.role in {Role.OFFICER, Role.SITE_OPERATOR}
    )
