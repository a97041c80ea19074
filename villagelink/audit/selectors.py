from django.core.exceptions import PermissionDenied

from villagelink.accounts.models import Role
from villagelink.core.scope import is_administrator, scoped

from .models import UNIT_PATH, entries_with_unit_path


def can_browse_audit(user) -> bool:
    return is_administrator(user) or (user.is_authenticated and user.role == Role.OFFICER)


def audit_entry_list(*, user, model: str | None = None, action: int | None = None):
    """The trail of the person's scope, newest first. Only administrators and officers may browse it."""
    if not can_browse_audit(user):
        raise PermissionDenied
    entries = scoped(entries_with_unit_path().select_related("actor", "content_type"), user, lookup=UNIT_PATH)
    if model:
        entries = entries.filter(content_type__model=model)
    if action is not None:
        entries = entries.filter(action=action)
    return entries.order_by("-timestamp", "-pk")


def audit_record_types(*, user):
    """The kinds of record that appear in the person's trail (for the filter)."""
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.filter(pk__in=audit_entry_list(user=user).values("content_type")).order_by(
        "model"
    )
