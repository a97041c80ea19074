from django.core.exceptions import PermissionDenied

from villagelink.accounts.models import Role
from villagelink.core.scope import is_administrator, scoped

from .models import AuditEntry


def can_browse_audit(user) -> bool:
    return is_administrator(user) or (user.is_authenticated and user.role == Role.OFFICER)


def audit_entry_list(*, user, model: str | None = None, action: int | None = None):
    """The trail of the person's scope, newest first. Only administrators and officers may browse it."""
    if not can_browse_audit(user):
        raise PermissionDenied
    entries = scoped(AuditEntry.objects.select_related("actor", "content_type"), user)
    if model:
        entries = entries.filter(content_type__model=model)
    if action is not None:
        entries = entries.filter(action=action)
    return entries.order_by("-timestamp", "-pk")
