"""The Simplified Chinese translation: complete, faithful to its placeholders, compiled, and really served."""

import re
from pathlib import Path

import polib
import pytest
from django.urls import reverse
from django.utils import translation

import villagelink

MESSAGES = Path(villagelink.__file__).parent / "locale" / "zh_Hans" / "LC_MESSAGES"
PO_FILE = MESSAGES / "django.po"
MO_FILE = MESSAGES / "django.mo"
PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdifr]")


@pytest.fixture(autouse=True)
def _back_to_the_default_language():
    """LocaleMiddleware leaves the request's language active in the thread; later tests expect English."""
    yield
    translation.deactivate()


@pytest.fixture(scope="module")
def po():
    return polib.pofile(str(PO_FILE))


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def translations(entry) -> list[str]:
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


def test_the_header_declares_chinese_with_one_plural_form(po):
    assert po.metadata["Language"] == "zh_Hans"
    assert po.metadata["Plural-Forms"].replace(" ", "") == "nplurals=1;plural=0;"
    assert po.metadata["Content-Type"] == "text/plain; charset=UTF-8"
    assert not po.metadata_is_fuzzy


def test_every_message_is_translated_and_none_is_fuzzy(po):
    assert len(po) > 100  # the catalogue really was read
    assert [e.msgid for e in po if "fuzzy" in e.flags] == []
    assert [e.msgid for e in po if not all(s.strip() for s in translations(e))] == []
    assert [e.msgid for e in po if e.msgid_plural and sorted(e.msgstr_plural) != [0]] == []
    assert po.percent_translated() == 100


def test_every_translation_keeps_the_placeholders_and_line_breaks_of_its_original(po):
    problems = []
    for entry in po:
        # Chinese has one plural form, used for every count, so it must carry the plural's placeholders.
        original = entry.msgid_plural or entry.msgid
        for text in translations(entry):
            if placeholders(text) != placeholders(original):
                problems.append(
                    f"{entry.msgid!r}: {sorted(placeholders(text))} != {sorted(placeholders(original))}"
                )
            for end, has in (("start", str.startswith), ("end", str.endswith)):
                if has(original, "\n") != has(text, "\n"):
                    problems.append(f"{entry.msgid!r}: the line break at the {end} differs")
    assert problems == []


def catalogue(entries) -> dict[tuple[str, str], tuple[str, ...]]:
    return {
        (e.msgctxt or "", e.msgid): tuple(s for _n, s in sorted(e.msgstr_plural.items()))
        if e.msgid_plural
        else (e.msgstr,)
        for e in entries
        if e.msgid
    }


def test_the_committed_mo_file_is_compiled_from_the_current_po_file(po):
    assert MO_FILE.exists(), f"{MO_FILE} is missing: run `villagelink compilemessages -l zh_Hans`"
    mo = polib.mofile(str(MO_FILE))
    assert catalogue(mo) == catalogue(po.translated_entries()), (
        "django.mo is out of date: run `villagelink compilemessages -l zh_Hans` in villagelink/"
    )


def switch_to_chinese(client, next_url: str) -> None:
    response = client.post(reverse("set_language"), {"language": "zh-hans", "next": next_url})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "zh-hans"


def test_the_unit_tree_speaks_chinese(client, county_officer):
    client.force_login(county_officer)
    switch_to_chinese(client, "/units/")

    response = client.get("/units/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans"' in html
    # nav, account bar, heading and table, all in Chinese; unit names in their official Chinese form
    for chinese in (
        "行政区划</a>",
        "退出登录",
        "商务干部 · 南木林县",
        "<h1>南木林县",
        "下辖 1 个行政区划",
        "区划代码",
    ):
        assert chinese in html, chinese
    for english in (">Units</a>", "Log out", "Officer", "directly below", "<h1>Namling County", ">Code<"):
        assert english not in html, english


def test_the_login_page_speaks_chinese(client, db):
    switch_to_chinese(client, "/accounts/login/")

    html = client.get("/accounts/login/").content.decode()
    assert '<html lang="zh-hans"' in html
    for chinese in ("<h1>登录</h1>", "用户名", "密码", "服务农户及村级服务站点的农村电商平台"):
        assert chinese in html, chinese
    for english in ("Log in", "User name", "Password", "rural households"):
        assert english not in html, english


def test_english_stays_the_default(client, county_officer):
    client.force_login(county_officer)
    html = client.get("/units/").content.decode()
    assert '<html lang="en"' in html
    assert "Log out" in html and "退出登录" not in html
