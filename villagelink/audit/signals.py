"""Audit entries are written once and never changed or deleted: these guards refuse it at the model layer."""

from .models import AuditEntryImmutable


def refuse_change(sender, instance, raw=False, **kwargs):
    if instance.pk is not None and not instance._state.adding:
        raise AuditEntryImmutable("Audit entries cannot be changed.")


def refuse_delete(sender, instance, **kwargs):
    raise AuditEntryImmutable("Audit entries cannot be deleted.")
