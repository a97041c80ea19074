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

from villagelink.approvals.models import Approval
from villagelink.core.dates import region_zone
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
        if before == after:  # nothing a person could tell apart (an empty field of a new record)
            continue
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


def records_now(entries) -> dict[tuple[int, str], models.Model]:
    """Each entry's record as it is now (a unit, a shop, an approval with its unit), read in one query per kind
    of record; a deleted record is left out (its entry keeps the name it had)."""
    wanted: dict[int, set[str]] = {}
    for entry in entries:
        wanted.setdefault(entry.content_type_id, set()).add(entry.object_pk)
    records = {}
    for entry in entries:
        model = entry.content_type.model_class()
        pks = wanted.pop(entry.content_type_id, None)
        if model is None or not pks:
            continue
        found = model._base_manager.filter(pk__in=pks)
        if model is Approval:
            found = found.select_related("unit")
        for record in found:
            records[(entry.content_type_id, str(record.pk))] = record
    return records


def entry_sentence(entry: LogEntry, record: models.Model | None) -> str:
    """What happened, as a sentence in the reader's language, in the region's clock: "Namling county officer
    approved 2019-04 for Namling County on 30 Nov 2026 at 09:58." """
    moment = timezone.localtime(entry.timestamp, region_zone())
    who = (entry.actor.get_full_name() or entry.actor.username) if entry.actor else _("The system")
    words = {
        "who": who,
        "day": formats.date_format(moment.date(), "DATE_FORMAT"),
        "time": f"{moment:%H:%M}",  # the 24-hour clock reads the same in every language
        "kind": entry.content_type.name,
        "record": str(record) if record is not None else entry.object_repr,
    }
    if isinstance(record, Approval):
        words |= {"month": f"{record.month:%Y-%m}", "unit": record.unit.name}
        if entry.action == LogEntry.Action.CREATE:
            return _("%(who)s approved %(month)s for %(unit)s on %(day)s at %(time)s.") % words
        if "withdrawn_at" in entry.changes_dict:
            return (
                _("%(who)s withdrew the approval of %(month)s for %(unit)s on %(day)s at %(time)s.") % words
            )
    sentences = {
        LogEntry.Action.CREATE: _("%(who)s created the %(kind)s “%(record)s” on %(day)s at %(time)s."),
        LogEntry.Action.UPDATE: _("%(who)s changed the %(kind)s “%(record)s” on %(day)s at %(time)s."),
        LogEntry.Action.DELETE: _("%(who)s deleted the %(kind)s “%(record)s” on %(day)s at %(time)s."),
        LogEntry.Action.ACCESS: _("%(who)s viewed the %(kind)s “%(record)s” on %(day)s at %(time)s."),
    }
    return sentences.get(entry.action, sentences[LogEntry.Action.UPDATE]) % words
