"""Signing in: throttling with a cool-off, idle sessions ending, the security headers."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.sessions.models import Session as StoredSession
from django.test import Client
from django.utils import timezone

from clinic.middleware import TOUCH_KEY
from tests.factories import UserFactory

LOGIN = "/accounts/login/"
PASSWORD = "correct horse battery staple"


def sign_in(client, username, password, address="10.0.0.5"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


@pytest.fixture
def nurse(clinic_a):
    return UserFactory(username="nurse", clinic=clinic_a)


@pytest.mark.django_db
def test_after_too_many_wrong_passwords_sign_in_is_paused_with_a_message(client, nurse):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, "nurse", "wrong").status_code == 200
    locked = sign_in(client, "nurse", "wrong")
    even_right = sign_in(client, "nurse", PASSWORD)

    assert locked.status_code == 429
    assert even_right.status_code == 429
    assert "paused for 15 minutes" in even_right.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_after_the_cool_off_the_right_password_works_again(client, nurse):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "nurse", "wrong")
    assert sign_in(client, "nurse", PASSWORD).status_code == 429

    earlier = timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    AccessAttempt.objects.update(attempt_time=earlier)

    assert sign_in(client, "nurse", PASSWORD).status_code == 302
    assert client.session["_auth_user_id"] == str(nurse.pk)


@pytest.mark.django_db
def test_an_attacker_elsewhere_cannot_lock_the_therapist_out(nurse):
    attacker, therapist = Client(), Client()
    for _ in range(settings.AXES_FAILURE_LIMIT + 3):
        sign_in(attacker, "nurse", "guess", address="203.0.113.9")

    response = sign_in(therapist, "nurse", PASSWORD, address="10.0.0.5")

    assert sign_in(attacker, "nurse", PASSWORD, address="203.0.113.9").status_code == 429
    assert response.status_code == 302


@pytest.mark.django_db
def test_a_session_ends_after_the_idle_timeout(client, nurse):
    assert sign_in(client, "nurse", PASSWORD).status_code == 302
    session = client.session
    session[TOUCH_KEY] -= 25 * 60  # 25 quiet minutes later
    session.save()
    stored = StoredSession.objects.get(session_key=session.session_key)
    stored.expire_date = timezone.now() + timedelta(minutes=5)
    stored.save()

    assert client.get("/").status_code == 200  # still in time: the request extends the session
    stored.refresh_from_db()
    left = stored.expire_date - timezone.now()
    assert timedelta(minutes=settings.IDLE_TIMEOUT_MINUTES - 1) < left
    assert left <= timedelta(minutes=settings.IDLE_TIMEOUT_MINUTES)

    stored.expire_date = timezone.now() - timedelta(seconds=1)  # 30 idle minutes later
    stored.save()

    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


@pytest.mark.django_db
def test_pages_carry_a_content_security_policy_without_inline_scripts(client, therapist_a):
    client.force_login(therapist_a)

    policy = client.get("/")["Content-Security-Policy"]

    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in directives["script-src"]


@pytest.mark.django_db
def test_a_weak_new_password_is_refused_with_the_reasons(client, nurse):
    client.force_login(nurse)

    response = client.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "This password is too common." in page
    assert "This password is entirely numeric." in page
    nurse.refresh_from_db()
    assert nurse.check_password(PASSWORD)


def test_the_throttled_address_is_a_real_address_or_none(rf, settings):
    from core.request import client_ip

    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    spoofed = rf.get("/", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7", REMOTE_ADDR="10.0.0.1")
    garbage = rf.get("/", HTTP_X_FORWARDED_FOR="not-an-address", REMOTE_ADDR="10.0.0.1")
    bare = rf.get("/")
    bare.META.pop("REMOTE_ADDR")

    assert client_ip(spoofed) == "198.51.100.7"  # the hop the proxy added, not the client's
    assert client_ip(garbage) == "10.0.0.1"
    assert client_ip(bare) is None
