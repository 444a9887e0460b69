"""Signing in: throttling per username and address and per address, failed sign-ins on the
audit trail, sessions ending (idle, polls, absolute lifetime), the security headers."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.sessions.models import Session as StoredSession
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from clinic.middleware import SIGNED_IN_KEY, TOUCH_KEY
from clinic.models import CLINIC_ADMIN
from protocols.models import DocumentJob
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


def spray(client, address, *, usernames=10, rounds=4):
    """Wrong passwords over many usernames from one address; the status codes in order."""
    return [
        sign_in(client, f"user-{n}", f"guess-{r}", address=address).status_code
        for r in range(rounds)
        for n in range(usernames)
    ]


@pytest.mark.django_db
def test_password_spraying_from_one_address_is_paused_with_its_own_cool_off(nurse):
    attacker = Client()
    codes = spray(attacker, "203.0.113.9")  # 40 wrong passwords over 10 usernames

    limit = settings.SIGNIN_ADDRESS_FAILURE_LIMIT
    assert codes[:limit] == [200] * limit  # no username reached the per-user limit of 5
    assert set(codes[limit:]) == {429}
    refused = sign_in(attacker, "nurse", PASSWORD, address="203.0.113.9")
    assert refused.status_code == 429
    assert "from this network address is paused for up to 30 minutes" in refused.content.decode()

    # The per-address cool-off is its own: past the per-user one it still holds, past its own
    # it lifts.
    pair_cooloff = timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    AuditEntry.objects.update(timestamp=pair_cooloff)
    AccessAttempt.objects.update(attempt_time=pair_cooloff)
    assert sign_in(attacker, "nurse", PASSWORD, address="203.0.113.9").status_code == 429
    own_cooloff = timezone.now() - settings.SIGNIN_ADDRESS_COOLOFF - timedelta(seconds=1)
    AuditEntry.objects.update(timestamp=own_cooloff)
    assert sign_in(attacker, "nurse", PASSWORD, address="203.0.113.9").status_code == 302


@pytest.mark.django_db
def test_a_therapist_at_another_address_signs_in_while_one_address_is_paused(nurse):
    spray(Client(), "203.0.113.9")

    response = sign_in(Client(), "nurse", PASSWORD, address="10.0.0.5")

    assert response.status_code == 302


@pytest.mark.django_db
def test_every_failed_sign_in_is_on_the_audit_trail_with_what_was_typed_and_where(
    client, nurse, clinic_b
):
    sign_in(client, "nurse", "wrong", address="198.51.100.20")
    sign_in(client, "ghost" + "x" * 300, "wrong", address="198.51.100.21")
    client.post("/admin/login/", {"username": "nurse", "password": "bad"}, REMOTE_ADDR="10.1.1.1")
    sign_in(client, "nurse", PASSWORD)  # a success deletes axes' attempts, not the trail

    failed = AuditEntry.objects.filter(additional_data__event="sign-in failed").order_by("pk")
    known, unknown, from_admin = failed
    assert (known.object_repr, known.remote_addr, known.clinic_id) == (
        "nurse",
        "198.51.100.20",
        nurse.clinic_id,
    )
    assert known.object_id == nurse.pk and known.actor is None
    assert unknown.object_repr == ("ghost" + "x" * 300)[:150] and unknown.clinic_id is None
    assert unknown.remote_addr == "198.51.100.21"
    assert from_admin.object_repr == "nurse" and from_admin.remote_addr == "10.1.1.1"

    changelist = "/admin/audit/auditentry/"
    client.force_login(UserFactory(clinic=nurse.clinic, role=CLINIC_ADMIN))
    theirs = client.get(changelist).content.decode()
    assert "198.51.100.20" in theirs and "ghost" not in theirs
    client.force_login(UserFactory(clinic=clinic_b, role=CLINIC_ADMIN))
    other = client.get(changelist).content.decode()
    assert "198.51.100.20" not in other and "ghost" not in other
    client.force_login(UserFactory(clinic=None, is_superuser=True, username="root"))
    everything = client.get(changelist).content.decode()
    assert "198.51.100.21" in everything and "ghost" in everything


@pytest.mark.django_db
def test_a_poll_does_not_keep_the_session_alive(client, nurse):
    assert sign_in(client, "nurse", PASSWORD).status_code == 302
    job = DocumentJob.objects.create(
        clinic=nurse.clinic, created_by=nurse, day=timezone.localdate(), language="en"
    )
    session = client.session
    session[TOUCH_KEY] -= 10 * 60
    session.save()
    stored = StoredSession.objects.get(session_key=session.session_key)
    expiry = timezone.now() + timedelta(minutes=20)
    StoredSession.objects.filter(pk=stored.pk).update(expire_date=expiry)
    url = reverse("protocols:document_job", args=[job.pk])

    for _ in range(3):
        assert client.get(url, headers={"HX-Request": "true"}).status_code == 200
    stored.refresh_from_db()
    assert stored.expire_date == expiry  # polling changed nothing

    assert client.get(url).status_code == 200  # opening the page is activity
    stored.refresh_from_db()
    assert stored.expire_date > expiry


@pytest.mark.django_db
def test_with_a_one_minute_timeout_an_active_user_stays_signed_in(client, nurse, settings):
    settings.SESSION_COOKIE_AGE = 60
    assert sign_in(client, "nurse", PASSWORD).status_code == 302
    session = client.session
    session[TOUCH_KEY] -= 40  # the last save was 40 s ago: 20 s left
    session.save()
    stored = StoredSession.objects.get(session_key=session.session_key)
    StoredSession.objects.filter(pk=stored.pk).update(
        expire_date=timezone.now() + timedelta(seconds=20)
    )

    assert client.get("/").status_code == 200

    stored.refresh_from_db()
    assert stored.expire_date - timezone.now() > timedelta(seconds=50)


@pytest.mark.django_db
def test_a_session_ends_after_its_absolute_lifetime_however_active(client, nurse):
    assert sign_in(client, "nurse", PASSWORD).status_code == 302
    assert settings.SESSION_MAX_AGE_HOURS == 12
    session = client.session
    session[SIGNED_IN_KEY] -= 11 * 3600 + 3500  # signed in nearly 12 hours ago, active since
    session.save()
    assert client.get("/").status_code == 200

    session = client.session
    session[SIGNED_IN_KEY] -= 200  # now a little over 12 hours
    session.save()
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_signed_in_pages_are_not_stored_by_the_browser(client, nurse, admin_a):
    client.force_login(nurse)
    for url in ("/", reverse("patients:list"), reverse("two_factor_setup")):
        cache = client.get(url)["Cache-Control"]
        assert "no-store" in cache and "private" in cache
    client.force_login(admin_a)
    cache = client.get("/admin/")["Cache-Control"]
    assert "no-store" in cache and "private" in cache
