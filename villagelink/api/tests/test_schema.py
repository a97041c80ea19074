"""The committed OpenAPI schema is the one the code generates, and the API's documentation works offline.

schema/openapi.yaml is what API clients and reviewers read; these tests fail as soon as a change to the API
makes it stale. Both sides are parsed as YAML, so only a difference in content counts, not in formatting.
"""

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import translation

SCHEMA_FILE = Path(settings.BASE_DIR) / "schema" / "openapi.yaml"
REGENERATE = ".venv/bin/villagelink spectacular --file schema/openapi.yaml --validate --fail-on-warn"


def committed_schema() -> dict:
    assert SCHEMA_FILE.exists(), f"{SCHEMA_FILE} is missing; generate it with:\n    {REGENERATE}"
    return yaml.safe_load(SCHEMA_FILE.read_text(encoding="utf-8"))


def differences(committed, generated, where="") -> list[str]:
    """Where two parsed schemas differ, as readable paths (e.g. `paths./api/v1/units/.get: only in the code`)."""
    if isinstance(committed, dict) and isinstance(generated, dict):
        found = []
        for key in sorted(committed.keys() | generated.keys(), key=str):
            inner = f"{where}.{key}" if where else str(key)
            if key not in generated:
                found.append(f"{inner}: only in {SCHEMA_FILE.name}")
            elif key not in committed:
                found.append(f"{inner}: only in the code")
            else:
                found += differences(committed[key], generated[key], inner)
        return found
    if committed != generated:
        return [f"{where}: {SCHEMA_FILE.name} has {committed!r}, the code gives {generated!r}"]
    return []


def assert_same_schema(generated: dict, source: str) -> None:
    found = differences(committed_schema(), generated)
    if found:
        shown = "\n    ".join(found[:20]) + ("\n    ..." if len(found) > 20 else "")
        pytest.fail(
            f"schema/openapi.yaml is out of date with {source}:\n    {shown}\n"
            f"Regenerate it and commit the result:\n    {REGENERATE}",
            pytrace=False,
        )


def test_the_committed_schema_is_the_generated_one(tmp_path):
    output = tmp_path / "openapi.yaml"
    # The command runs in the default language; a test before this one may have left another one active.
    failure = None
    with translation.override(settings.LANGUAGE_CODE):
        try:
            call_command("spectacular", file=str(output), validate=True, fail_on_warn=True)
        except CommandError as error:
            failure = error
    if failure is not None:
        pytest.fail(
            f"Schema generation failed ({failure}); the warnings are in the captured stderr. "
            f"Fix them, then regenerate:\n    {REGENERATE}",
            pytrace=False,
        )
    assert_same_schema(yaml.safe_load(output.read_text(encoding="utf-8")), "the code")


def test_the_served_schema_is_the_committed_one(client, county_officer):
    client.force_login(county_officer)
    response = client.get("/api/v1/schema/", HTTP_ACCEPT_LANGUAGE=settings.LANGUAGE_CODE)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi")
    assert_same_schema(yaml.safe_load(response.content), "what /api/v1/schema/ serves")


class _Links(HTMLParser):
    """Every src and href of a page (the attributes a browser loads or follows)."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.urls += [value for name, value in attrs if name in {"src", "href"} and value is not None]


@pytest.mark.parametrize("page", ["/api/v1/docs/"])
def test_the_api_documentation_loads_nothing_from_another_host(client, county_officer, page):
    client.force_login(county_officer)
    response = client.get(page)
    assert response.status_code == 200
    links = _Links()
    links.feed(response.content.decode())
    assert links.urls, "the page links no assets at all: has the template changed?"
    host = response.wsgi_request.get_host()
    foreign = [url for url in links.urls if urlsplit(url).netloc not in {"", host}]
    assert not foreign, f"{page} loads assets from another host: {foreign}"
    # The local assets are really there (drf-spectacular-sidecar ships them, WhiteNoise serves them).
    for url in links.urls:
        if urlsplit(url).path.startswith(settings.STATIC_URL):
            asset = client.get(url)
            assert asset.status_code == 200, f"{page} links {url}, which answers {asset.status_code}"
            asset.close()
