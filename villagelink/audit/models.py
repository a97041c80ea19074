"""The audit trail is django-auditlog's LogEntry: who (actor), when (timestamp, UTC), what (content type,
object and its representation) and the values before and after (changes). Each audited model gives its unit's
path through `get_additional_data()`, which places the entry in the hierarchy for scoped browsing.

No model of our own: auditlog's migrations always create its table, so a swapped-in model would leave a
second, unused table behind.
"""

from auditlog.models import LogEntry
from django.db.models import CharField
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

# auditlog's own labels are not translated into Chinese; ours are.
ACTION_LABELS = {
    LogEntry.Action.CREATE: _("created"),
    LogEntry.Action.UPDATE: _("changed"),
    LogEntry.Action.DELETE: _("deleted"),
    LogEntry.Action.ACCESS: _("viewed"),
}
UNIT_PATH = "unit_path"


def entries_with_unit_path():
    """Audit entries annotated with the unit path their record lies in (empty when it lies in none)."""
    # Cast to plain text: comparisons on a JSON key would parse "540221" as the number 540221.
    path = Cast(KT("additional_data__unit_path"), output_field=CharField())
    return LogEntry.objects.annotate(**{UNIT_PATH: path})


class AuditEntryImmutable(Exception):
    """Raised when anything tries to change or delete an audit entry."""
