"""The reference fixture's Tibetan names: one for every real unit, in Tibetan script, read by the importer and
given to databases loaded before the names came (geo migration 0002)."""

import csv
import importlib
import io
import unicodedata
from importlib import resources

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import translation

from villagelink.geo.models import AdminUnit
from villagelink.geo.services import units_import_csv

names_migration = importlib.import_module("villagelink.geo.migrations.0002_reference_units_tibetan_names")


@pytest.fixture(autouse=True)
def _back_to_the_default_language():
    """LocaleMiddleware leaves the request's language active in the thread; later tests expect English."""
    yield
    translation.deactivate()


def fixture_rows() -> list[dict[str, str]]:
    text = resources.files("villagelink.geo").joinpath("fixtures/tibet_admin_units.csv").read_text("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def is_tibetan(text: str) -> bool:
    return bool(text) and all("\u0f00" <= ch <= "\u0fff" for ch in text)


def test_every_region_prefecture_and_county_of_the_fixture_has_a_tibetan_name():
    rows = fixture_rows()
    assert {r["level"] for r in rows} == {"region", "prefecture", "county"}
    assert len(rows) == 1 + 7 + 74
    assert [r["code"] for r in rows if not is_tibetan(r["name_bo"])] == []
    assert [r["code"] for r in rows if unicodedata.normalize("NFC", r["name_bo"]) != r["name_bo"]] == []
    assert len({r["name_bo"] for r in rows}) == len(rows)  # no name copied onto another unit


def test_the_migration_gives_the_same_names_as_the_fixture():
    assert {r["code"]: r["name_bo"] for r in fixture_rows()} == names_migration.NAMES_BO


def test_the_importer_stores_the_tibetan_names(units):
    assert units["540221"].name_bo == "རྣམ་གླིང་རྫོང་།"
    assert units["540000"].name_bo == "བོད་རང་སྐྱོང་ལྗོངས།"


def test_a_file_without_the_tibetan_column_still_loads_and_keeps_the_tibetan_names(units):
    data = "code,parent_code,level,name_zh,name_en\n540221,540200,county,南木林县,Namling\n".encode()
    assert units_import_csv(data=data).updated == 1
    namling = AdminUnit.objects.get(code="540221")
    assert (namling.name_en, namling.name_bo) == ("Namling", "རྣམ་གླིང་རྫོང་།")


def test_a_file_with_the_tibetan_column_sets_or_clears_the_tibetan_name(units):
    header = "code,parent_code,level,name_zh,name_en,name_bo\n"
    units_import_csv(data=(header + "540221,540200,county,南木林县,Namling County,རྣམ་གླིང་།\n").encode())
    assert AdminUnit.objects.get(code="540221").name_bo == "རྣམ་གླིང་།"
    units_import_csv(data=(header + "540221,540200,county,南木林县,Namling County,\n").encode())
    assert AdminUnit.objects.get(code="540221").name_bo == ""


def test_an_older_database_gets_the_names_without_losing_one_entered_by_hand(units):
    AdminUnit.objects.filter(code__in=names_migration.NAMES_BO).update(name_bo="")
    AdminUnit.objects.filter(code="540223").update(name_bo="དིང་རི།")
    names_migration.fill(apps, None)
    assert AdminUnit.objects.get(code="540221").name_bo == "རྣམ་གླིང་རྫོང་།"
    assert AdminUnit.objects.get(code="540223").name_bo == "དིང་རི།"
    assert AdminUnit.objects.filter(code__in=names_migration.NAMES_BO, name_bo="").count() == 0
    names_migration.clear(apps, None)
    assert AdminUnit.objects.get(code="540221").name_bo == ""
    assert AdminUnit.objects.get(code="540223").name_bo == "དིང་རི།"


def test_the_unit_page_in_tibetan_shows_the_tibetan_names(client, region_officer):
    client.force_login(region_officer)
    client.cookies["django_language"] = "bo"
    html = client.get(reverse("geo:unit_detail", kwargs={"code": "540200"})).content.decode()
    assert "<h1>གཞིས་ཀ་རྩེ་གྲོང་ཁྱེར།" in html
    assert "རྣམ་གླིང་རྫོང་།</a>" in html  # the counties below, by their Tibetan names
    assert "<h1>Shigatse" not in html


def test_a_unit_without_a_tibetan_name_falls_back_to_chinese_for_tibetan_readers(units):
    township = units["540221101"]
    assert township.name_bo == ""
    with translation.override("bo"):
        assert township.name == township.name_zh
    with translation.override("fr"):
        assert township.name == township.name_en
