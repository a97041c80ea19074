from auditlog.models import AbstractLogEntry
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntryImmutable(Exception):
    pass


class AuditEntry(AbstractLogEntry):
    """One create, update or delete of a domain record: who, when (UTC), what, the values before and after.

    django-auditlog writes these; `unit_path` (taken from the record's `get_additional_data()`) places each
    entry in the hierarchy so officers browse the trail of their own scope. Entries are never changed or
    deleted by the app.
    """

    unit_path = models.CharField(_("unit path"), max_length=12, blank=True, db_index=True)

    scope_path_lookup = "unit_path"

    class Meta(AbstractLogEntry.Meta):
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditEntryImmutable("Audit entries cannot be changed.")
        self.unit_path = (self.additional_data or {}).get("unit_path", "")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditEntryImmutable("Audit entries cannot be deleted.")


ACTION_LABELS = {
    AuditEntry.Action.CREATE: _("created"),
    AuditEntry.Action.UPDATE: _("changed"),
    AuditEntry.Action.DELETE: _("deleted"),
    AuditEntry.Action.ACCESS: _("viewed"),
}
