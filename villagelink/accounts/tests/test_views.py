import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from conftest import PASSWORD


def login(client, username, password):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_login_page_renders_and_an_officer_lands_on_the_dashboard(client, county_officer):
    assert client.get(reverse("accounts:login")).status_code == 200
    response = login(client, "namling", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(response["Location"])["Location"] == reverse("monitoring:home")
    page = client.get(reverse("monitoring:home"), follow=True)
    assert "Namling County" in page.content.decode()


def test_a_wrong_password_says_what_to_do(client, county_officer):
    response = login(client, "namling", "not-the-password")
    assert response.status_code == 200
    assert "user name or password is not right" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_rotates_the_session_key(client, county_officer):
    client.get(reverse("accounts:login"))
    client.session.save()
    before = client.session.session_key
    login(client, "namling", PASSWORD)
    assert client.session.session_key != before


def test_session_cookie_is_httponly_and_samesite_and_expires_when_idle(client, county_officer):
    response = login(client, "namling", PASSWORD)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    # the idle timeout: every request pushes the expiry forward by the idle period, and no further
    assert settings.SESSION_SAVE_EVERY_REQUEST
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE <= 60 * 60


def test_an_idle_session_ends(client, county_officer, settings):
    login(client, "namling", PASSWORD)
    session = client.session
    session.set_expiry(-1)  # as if the idle period had passed
    session.save()
    response = client.get(reverse("geo:unit_tree"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_logout_is_a_post_and_ends_the_session(client, county_officer):
    login(client, "namling", PASSWORD)
    assert client.get(reverse("accounts:logout")).status_code == 405
    client.post(reverse("accounts:logout"))
    assert "_auth_user_id" not in client.session


def test_repeated_failed_logins_lock_the_account_out(client, county_officer):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "namling", "wrong-password-1")
    response = login(client, "namling", PASSWORD)  # even the right password is refused now
    assert response.status_code == 429
    assert "locked for 15 minutes" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_another_account_is_not_locked_by_someone_elses_failures(client, county_officer, region_officer):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "namling", "wrong-password-1")
    assert login(client, "region", PASSWORD).status_code == 302


@pytest.mark.parametrize("password", ["short-pw1", "1234567890123", "password123"])
def test_weak_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)


def test_a_ten_character_password_is_enough():
    validate_password("tsampa-yak")


def test_csrf_is_enforced_on_login(county_officer):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("accounts:login"), {"username": "namling", "password": PASSWORD})
    assert response.status_code == 403


def test_header_shows_who_is_logged_in_and_their_scope(client, county_officer):
    client.force_login(county_officer)
    html = client.get(reverse("geo:unit_tree")).content.decode()
    assert 'data-testid="who"' in html
    assert "namling" in html
    assert "Officer · Namling County" in html


def test_failed_logins_leave_no_user_name_or_address_in_the_logs(client, county_officer, caplog):
    caplog.set_level("DEBUG")
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        login(client, "namling", "wrong-password-1")
    assert caplog.records, "the failures are logged"
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "AXES" in logged
    assert "namling" not in logged
    assert "127.0.0.1" not in logged
