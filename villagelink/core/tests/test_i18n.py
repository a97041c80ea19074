"""The translations: each catalogue of a language the switch offers complete, faithful to its placeholders,
compiled, and really served (the Chinese pages below; every language in the browser tests)."""

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

import villagelink

LOCALE = Path(villagelink.__file__).parent / "locale"
# Each offered language but English (the source) with its catalogue's plural forms.
PLURALS = {"zh_Hans": "nplurals=1;plural=0;", "bo": "nplurals=1;plural=0;", "fr": "nplurals=2;plural=(n>1);"}
CATALOGUES = [translation.to_locale(code) for code, _name in settings.LANGUAGES if code != "en"]
PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdifr]")


@pytest.fixture(autouse=True)
def _back_to_the_default_language():
    """LocaleMiddleware leaves the request's language active in the thread; later tests expect English."""
    yield
    translation.deactivate()


@pytest.fixture(scope="module", params=CATALOGUES)
def po(request):
    path = LOCALE / request.param / "LC_MESSAGES" / "django.po"
    assert path.exists(), (
        f"{path} is missing: run `villagelink makemessages -l {request.param}` in villagelink/"
    )
    catalogue = polib.pofile(str(path))
    catalogue.locale = request.param
    return catalogue


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def translations(entry) -> list[str]:
    return [s for _n, s in sorted(entry.msgstr_plural.items())] if entry.msgid_plural else [entry.msgstr]


def test_every_offered_language_has_a_catalogue():
    assert {"zh_Hans"} <= set(CATALOGUES) <= set(PLURALS)


def test_the_header_declares_the_language_and_its_plural_forms(po):
    assert po.metadata["Language"] == po.locale
    assert po.metadata["Plural-Forms"].replace(" ", "") == PLURALS[po.locale]
    assert po.metadata["Content-Type"] == "text/plain; charset=UTF-8"
    assert not po.metadata_is_fuzzy


def test_every_message_is_translated_and_none_is_fuzzy(po):
    forms = int(PLURALS[po.locale].split(";")[0].split("=")[1])
    assert len(po) > 100  # the catalogue really was read
    assert [e.msgid for e in po if "fuzzy" in e.flags] == []
    assert [e.msgid for e in po if not all(s.strip() for s in translations(e))] == []
    assert [e.msgid for e in po if e.msgid_plural and sorted(e.msgstr_plural) != list(range(forms))] == []
    assert po.percent_translated() == 100


def test_every_translation_keeps_the_placeholders_and_line_breaks_of_its_original(po):
    problems = []
    for entry in po:
        texts = translations(entry)
        for i, text in enumerate(texts):
            # The last plural form (the only one where a language has one) carries the plural's placeholders;
            # an earlier one (French "1 commande") may leave out the count, never add one.
            original = entry.msgid_plural or entry.msgid
            if entry.msgid_plural and i < len(texts) - 1:
                wanted = placeholders(entry.msgid) | placeholders(entry.msgid_plural)
                wrong = not placeholders(text) <= wanted
            else:
                wrong = placeholders(text) != placeholders(original)
            if wrong:
                problems.append(
                    f"{entry.msgid!r}[{i}]: {sorted(placeholders(text))} != {sorted(placeholders(original))}"
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
    mo_file = LOCALE / po.locale / "LC_MESSAGES" / "django.mo"
    assert mo_file.exists(), f"{mo_file} is missing: run `villagelink compilemessages -l {po.locale}`"
    mo = polib.mofile(str(mo_file))
    assert catalogue(mo) == catalogue(po.translated_entries()), (
        f"django.mo is out of date: run `villagelink compilemessages -l {po.locale}` in villagelink/"
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


@pytest.mark.parametrize(
    ("accept", "lang", "login"),
    [
        ("bo-CN,bo;q=0.9,zh;q=0.5", "bo", "ནང་འཛུལ"),
        ("fr-FR,fr;q=0.9", "fr", "Se connecter"),
        ("zh-CN,zh;q=0.9", "zh-hans", "登录"),
    ],
)
def test_the_browsers_language_is_chosen_the_first_time(client, db, accept, lang, login):
    html = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE=accept).content.decode()
    assert f'<html lang="{lang}"' in html
    assert login in html


def test_the_switch_offers_each_language_in_its_own_script(client, db):
    html = client.get("/accounts/login/").content.decode()
    for code, name in (("bo", "བོད་ཡིག"), ("zh-hans", "简体中文"), ("en", "English"), ("fr", "Français")):
        assert f'<option value="{code}"' in html and f">{name}</option>" in html, code
