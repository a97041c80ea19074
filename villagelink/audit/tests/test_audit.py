import re

import pytest
from auditlog.models import LogEntry as AuditEntry
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from villagelink.audit.models import AuditEntryImmutable
from villagelink.audit.selectors import audit_entry_list
from villagelink.catalog.models import Category, Product
from villagelink.geo.models import AdminUnit


def rename(unit: AdminUnit, name: str) -> None:
    unit.name_en = name
    unit.save()


def test_a_change_records_who_when_what_and_before_after(client, units, admin_user):
    # given an administrator changes a unit's name through the admin
    client.force_login(admin_user)
    unit = units["540221"]
    response = client.post(
        reverse("admin:geo_adminunit_change", args=[unit.pk]),
        {
            "name_zh": unit.name_zh,
            "name_en": "Namling (renamed)",
            "name_bo": "",
            "longitude": "",
            "latitude": "",
        },
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(object_pk=str(unit.pk), action=AuditEntry.Action.UPDATE)
    assert entry.actor == admin_user
    assert entry.timestamp.utcoffset().total_seconds() == 0
    assert entry.changes_dict["name_en"] == ["Namling County", "Namling (renamed)"]
    assert entry.additional_data["unit_path"] == "540221"


def test_create_and_delete_are_recorded_with_values(units):
    unit = AdminUnit.objects.create(
        code="540221109",
        parent=units["540221"],
        level="township",
        path="540221109",
        name_zh="新乡",
        name_en="New",
    )
    pk = unit.pk
    unit.delete()
    created = AuditEntry.objects.get(object_pk=str(pk), action=AuditEntry.Action.CREATE)
    deleted = AuditEntry.objects.get(object_pk=str(pk), action=AuditEntry.Action.DELETE)
    assert created.changes_dict["name_en"] == ["None", "New"]
    assert deleted.changes_dict["name_en"] == ["New", "None"]


def test_account_changes_are_recorded_without_the_password_hash(county_officer):
    county_officer.set_password("another-password-123")
    county_officer.first_name = "Tenzin"
    county_officer.save()
    entry = AuditEntry.objects.filter(object_pk=str(county_officer.pk)).latest("timestamp")
    assert "first_name" in entry.changes_dict
    assert "password" not in entry.changes_dict


def test_audit_entries_cannot_be_changed_or_deleted(units):
    rename(units["540221"], "Namling 2")
    entry = AuditEntry.objects.latest("timestamp")
    entry.object_repr = "forged"
    with pytest.raises(AuditEntryImmutable):
        entry.save()
    with pytest.raises(AuditEntryImmutable), transaction.atomic():
        entry.delete()
    assert AuditEntry.objects.get(pk=entry.pk).object_repr != "forged"


def test_the_admin_offers_no_way_to_change_or_delete_entries(client, units, admin_user):
    rename(units["540221"], "Namling 3")
    entry = AuditEntry.objects.latest("timestamp")
    client.force_login(admin_user)
    assert client.get(reverse("admin:auditlog_logentry_delete", args=[entry.pk])).status_code == 403
    response = client.post(
        reverse("admin:auditlog_logentry_change", args=[entry.pk]), {"object_repr": "forged"}
    )
    assert response.status_code == 403
    assert AuditEntry.objects.get(pk=entry.pk).object_repr != "forged"


def test_an_officer_browses_only_the_trail_of_their_scope(client, units, county_officer):
    rename(units["540221101"], "Namling Township (renamed)")
    rename(units["540102"], "Chengguan (renamed)")
    client.force_login(county_officer)
    html = client.get(reverse("audit:trail")).content.decode()
    assert "Namling Township (renamed)" in html
    assert "Chengguan" not in html


def test_the_trail_can_be_filtered_by_record_type_and_action(client, units, region_officer):
    rename(units["540221"], "Namling 4")
    client.force_login(region_officer)
    response = client.get(reverse("audit:trail"), {"model": "adminunit", "action": "1"})
    assert [e.action for e in response.context["page"]] == [AuditEntry.Action.UPDATE]
    response = client.get(reverse("audit:trail"), {"model": "adminunit", "action": "2"})
    assert list(response.context["page"]) == []


def test_operators_may_not_browse_the_trail(client, point_operator):
    client.force_login(point_operator)
    assert client.get(reverse("audit:trail")).status_code == 403
    with pytest.raises(PermissionDenied):
        audit_entry_list(user=point_operator)


@pytest.mark.parametrize("language", ["zh-hans", "bo", "fr"])
def test_the_trail_reads_in_the_readers_language_without_raw_values(client, market, region_officer, language):
    from auditlog.registry import auditlog
    from django.utils.functional import Promise
    from django.utils.translation import override

    from villagelink.audit.display import INTERNAL

    client.force_login(region_officer)
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    html = client.get(reverse("audit:trail") + "?model=product").content.decode()
    changes = " ".join(re.findall(r'<ul class="changes">(.*?)</ul>', html, re.S))
    assert changes
    with override(language):
        assert (
            capfirst(str(Product._meta.get_field("price_fen").verbose_name)) in changes
        )  # the field by its name
        assert _("yes") in changes  # a poverty-area product, listed
        assert str(Category("dairy").label) in changes  # a choice by its label
    for raw in ("None", "True", "False", "catalog.", "orders.", "created_at", "Price", "@listed"):
        assert raw not in changes
    if language == "bo":
        assert "ལོའི་ཟླ་" in changes  # the day it was listed, as Tibetan writes dates
    records = re.findall(r"[“«]\s?([^”»]*?)\s?[”»]", html)  # the sentences name each record in quotes
    with override(language):  # each record by its name now, in the reader's language
        assert str(market.butter) in records and (language == "fr" or "Yak butter" not in records)
    # every field a person reads in the trail has a translated name; the others are named as internal
    for model in auditlog.get_models():
        excluded = set(auditlog.get_model_fields(model)["exclude_fields"])
        for field in model._meta.concrete_fields:
            if field.name not in INTERNAL | excluded:
                assert isinstance(field.verbose_name, Promise), (model.__name__, field.name)


def test_each_entry_reads_as_a_sentence_in_the_regions_clock(client, units, county_officer, region_officer):
    import datetime

    from villagelink.approvals.services import approval_withdraw, month_approve

    county_officer.first_name, county_officer.last_name = "Namling county", "officer"
    county_officer.save()
    approval = month_approve(by=county_officer, unit=units["540221"], month=datetime.date(2019, 4, 1))
    approval_withdraw(by=county_officer, approval=approval, reason="A late report")
    rename(units["540221101"], "Namling Township (renamed)")
    AuditEntry.objects.update(timestamp=datetime.datetime(2026, 11, 30, 1, 58, tzinfo=datetime.UTC))
    client.force_login(region_officer)
    html = client.get(reverse("audit:trail")).content.decode()
    sentences = re.findall(r"<li><p>(.*?)</p>", html)
    assert (
        "Namling county officer approved 2019-04 for Namling County on Nov. 30, 2026 at 09:58." in sentences
    )
    assert (
        "Namling county officer withdrew the approval of 2019-04 for Namling County on Nov. 30, 2026 at 09:58."
        in sentences
    )  # 01:58 UTC is 09:58 in Tibet (the region's clock)
    assert any(s.startswith("The system changed the administrative unit “") for s in sentences), sentences
    assert "UTC" not in html
    assert "<del>—</del> → <ins>—</ins>" not in html  # a field empty before and after is no change
    created = html[html.index("The system created the user") :].split("</li></ul>")[0]
    assert "<del>" not in created  # a new record's values, without a "before"
