"""Resetting a forgotten password: off without a mail server; with one, the app's own pages and
message, the same answer for every address, and a limit per network address."""

import re

import pytest
from django.core import mail
from django.test import Client

from tests.factories import UserFactory

RESET = "/accounts/password_reset/"
NEW = "a brand new passphrase 77"


@pytest.fixture
def mail_on(settings):
    settings.PASSWORD_RESET_ENABLED = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.DEFAULT_FROM_EMAIL = "desk@clinic.example"


@pytest.fixture
def nurse(clinic_a):
    return UserFactory(username="nurse", email="nurse@clinic.example", clinic=clinic_a)


@pytest.mark.django_db
def test_without_a_mail_server_there_is_no_reset(client, nurse, settings):
    assert settings.MAIL_CONFIGURED is False  # the test settings name no mail server
    assert settings.PASSWORD_RESET_ENABLED is False

    assert client.get(RESET).status_code == 404
    assert client.post(RESET, {"email": nurse.email}).status_code == 404
    assert client.get("/accounts/reset/MQ/set-password/").status_code == 404
    assert "Forgot your password?" not in client.get("/accounts/login/").content.decode()
    assert mail.outbox == []


@pytest.mark.django_db
def test_known_and_unknown_addresses_get_the_same_answer_and_only_the_known_a_message(
    client, nurse, mail_on
):
    login = client.get("/accounts/login/").content.decode()
    assert "Forgot your password?" in login
    page = client.get(RESET).content.decode()
    assert "Django" not in page and "Send the link" in page

    known = client.post(RESET, {"email": "NURSE@clinic.example"}, REMOTE_ADDR="10.0.0.1")
    unknown = client.post(RESET, {"email": "nobody@clinic.example"}, REMOTE_ADDR="10.0.0.2")

    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    done = client.get(known["Location"]).content.decode()
    assert "If that is the address of an account" in done and "Django" not in done
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nurse@clinic.example"]
    assert message.from_email == "desk@clinic.example"
    assert message.subject == "A new password for the massage course planner"
    assert "Your username: nurse" in message.body


@pytest.mark.django_db
def test_the_link_sets_a_new_password_once(client, nurse, mail_on):
    client.post(RESET, {"email": nurse.email})
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)

    form = client.get(link, follow=True)
    assert "Set a new password" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW}, follow=True
    )
    assert "Your new password is in use" in done.content.decode()

    signed = Client().post("/accounts/login/", {"username": "nurse", "password": NEW})
    assert signed.status_code == 302
    again = client.get(link, follow=True).content.decode()
    assert "This link does not work any more" in again


@pytest.mark.django_db
def test_asking_too_often_from_one_address_is_paused(client, nurse, mail_on, settings):
    for _ in range(settings.PASSWORD_RESET_LIMIT):
        assert client.post(RESET, {"email": nurse.email}, REMOTE_ADDR="10.9.9.9").status_code == 302

    paused = client.post(RESET, {"email": nurse.email}, REMOTE_ADDR="10.9.9.9")
    elsewhere = client.post(RESET, {"email": nurse.email}, REMOTE_ADDR="10.9.9.10")

    assert paused.status_code == 429
    assert "Try again in up to 60 minutes" in paused.content.decode()
    assert elsewhere.status_code == 302
    assert len(mail.outbox) == settings.PASSWORD_RESET_LIMIT + 1
