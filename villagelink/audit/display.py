"""An audit entry's changes as a person reads them, in their language: each field by its translated name,
each value as the record's pages show it (a choice by its label, yes or no, a date in the reader's format, a
related record by its name, a stored note as its sentence, nothing as a dash). Fields kept for the database's
own use (copies for indexes, the row's number) are left out."""

import datetime
from dataclasses import dataclass

from auditlog.models import LogEntry
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from villagelink.core.notes import note_text

# Fields no person needs to read: the row's number (the entry names its record) and copies kept for indexes.
INTERNAL = frozenset({"id", "sign", "village_path", "id_last4", "scope_path"})
LONGEST = 140


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str


def entry_changes(entry: LogEntry) -> list[Change]:
    model = entry.content_type.model_class()
    if model is None:  # the kind of record no longer exists: its raw values are all there is
        return [Change(name, *map(str, values)) for name, values in entry.changes_dict.items()]
    changes = []
    for name, values in entry.changes_dict.items():
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if name in INTERNAL or not getattr(field, "concrete", False) or len(values) != 2:
            continue
        before, after = (_value(entry, field, value) for value in values)
        changes.append(Change(capfirst(str(field.verbose_name)), before, after))
    return changes


def _value(entry: LogEntry, field, value) -> str:
    if value is None or value in ("None", ""):
        return "—"
    text = str(value)
    if field.choices:
        return str(dict(field.flatchoices).get(text, text))
    if isinstance(field, models.BooleanField):
        return _("yes") if text == "True" else _("no") if text == "False" else text
    if isinstance(field, models.ForeignKey):
        return entry._get_changes_display_for_fk_field(field, text)
    if isinstance(field, models.DateTimeField):
        return _moment(
            text, lambda moment: formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")
        )
    if isinstance(field, models.DateField):
        return _moment(text, lambda moment: formats.date_format(moment.date(), "DATE_FORMAT"))
    text = note_text(text)
    return text if len(text) <= LONGEST else text[:LONGEST] + "…"


def _moment(text: str, show) -> str:
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        return text
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return show(moment)


def records_now(entries) -> dict[tuple[int, str], str]:
    """Each entry's record as it reads now in the reader's language (a unit's, a shop's name), read in one
    query per kind of record; a deleted record is left out (its entry keeps the name it had)."""
    wanted: dict[int, set[str]] = {}
    for entry in entries:
        wanted.setdefault(entry.content_type_id, set()).add(entry.object_pk)
    names = {}
    for entry in entries:
        model = entry.content_type.model_class()
        pks = wanted.pop(entry.content_type_id, None)
        if model is None or not pks:
            continue
        for record in model._base_manager.filter(pk__in=pks):
            names[(entry.content_type_id, str(record.pk))] = str(record)
    return names
