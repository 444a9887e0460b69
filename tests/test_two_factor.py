"""Two-factor sign-in (TOTP) for all staff: recovery codes, a clinic that requires it."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

PASSWORD = "a long enough passphrase 42"


def code_for(device, *, offset=0):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + offset * device.step
    return f"{totp.token():0{device.digits}d}"


def sign_in(client, user):
    user.set_password(PASSWORD)
    user.save()
    return client.post(reverse("login"), {"username": user.username, "password": PASSWORD})


@pytest.fixture
def admin_with_2fa(client, admin_a):
    client.force_login(admin_a)
    client.get(reverse("two_factor_setup"))
    device = TOTPDevice.objects.get(user=admin_a)
    client.post(reverse("two_factor_setup"), {"code": code_for(device)})
    client.logout()
    device.refresh_from_db()
    assert device.confirmed
    # A code is accepted once; let the tests use this time step's code again, as if time passed.
    device.last_t = -1
    device.save()
    return admin_a


@pytest.mark.django_db
def test_an_admin_turns_it_on_with_a_code_from_the_app(client, admin_a):
    client.force_login(admin_a)

    page = client.get(reverse("two_factor_setup")).content.decode()
    assert 'src="data:image/svg+xml;base64,' in page  # the QR code, drawn on the server
    device = TOTPDevice.objects.get(user=admin_a, confirmed=False)

    wrong = client.post(reverse("two_factor_setup"), {"code": "000000"})
    assert "That code is not right" in wrong.content.decode()
    device.refresh_from_db()
    assert not device.confirmed

    device.throttle_reset()
    right = client.post(reverse("two_factor_setup"), {"code": code_for(device)}, follow=True)
    assert "Two-factor sign-in is on" in right.content.decode()
    device.refresh_from_db()
    assert device.confirmed


@pytest.mark.django_db
def test_after_the_password_every_page_waits_for_the_code(client, admin_with_2fa):
    sign_in(client, admin_with_2fa)

    for url in (reverse("home"), reverse("patients:list"), "/admin/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("two_factor_verify"))

    device = TOTPDevice.objects.get(user=admin_with_2fa)
    wrong = client.post(reverse("two_factor_verify"), {"code": "123456"})
    assert "That code is not right" in wrong.content.decode()
    assert client.get(reverse("home")).status_code == 302

    device.throttle_reset()
    client.post(
        reverse("two_factor_verify"),
        {"code": code_for(device, offset=1), "next": reverse("patients:list")},
    )
    assert client.get(reverse("patients:list")).status_code == 200
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_wrong_codes_are_throttled(client, admin_with_2fa):
    sign_in(client, admin_with_2fa)
    device = TOTPDevice.objects.get(user=admin_with_2fa)
    for _attempt in range(3):
        client.post(reverse("two_factor_verify"), {"code": "000000"})

    refused = client.post(reverse("two_factor_verify"), {"code": code_for(device)})

    assert "Too many wrong codes" in refused.content.decode()
    assert client.get(reverse("home")).status_code == 302


@pytest.mark.django_db
def test_the_code_page_does_not_send_elsewhere(client, admin_with_2fa):
    sign_in(client, admin_with_2fa)
    device = TOTPDevice.objects.get(user=admin_with_2fa)

    response = client.post(
        reverse("two_factor_verify"), {"code": code_for(device), "next": "https://evil.example/"}
    )

    assert response["Location"] == reverse("home")


@pytest.mark.django_db
def test_turning_it_off_needs_a_current_code(client, admin_with_2fa):
    sign_in(client, admin_with_2fa)
    device = TOTPDevice.objects.get(user=admin_with_2fa)
    client.post(reverse("two_factor_verify"), {"code": code_for(device)})

    client.post(reverse("two_factor_setup"), {"code": "000000", "action": "off"})
    assert TOTPDevice.objects.filter(user=admin_with_2fa, confirmed=True).exists()

    device.refresh_from_db()
    device.throttle_reset()
    client.post(reverse("two_factor_setup"), {"code": code_for(device, offset=1), "action": "off"})
    assert not TOTPDevice.objects.filter(user=admin_with_2fa).exists()

    client.logout()
    sign_in(client, admin_with_2fa)
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.django_db
def test_without_a_device_signing_in_is_unchanged_and_therapists_are_offered_it_too(
    client, therapist_a
):
    sign_in(client, therapist_a)

    assert client.get(reverse("home")).status_code == 200
    assert "Two-factor sign-in" in client.get(reverse("home")).content.decode()  # the menu
    page = client.get(reverse("two_factor_setup"))
    assert page.status_code == 200
    assert 'src="data:image/svg+xml;base64,' in page.content.decode()


def turn_on(client, user):
    """Sign ``user`` in and turn two-factor on; the recovery codes the page shows."""
    client.force_login(user)
    client.get(reverse("two_factor_setup"))
    device = TOTPDevice.objects.get(user=user)
    page = client.post(reverse("two_factor_setup"), {"code": code_for(device)})
    client.logout()
    return page.context["codes"], page.content.decode()


@pytest.mark.django_db
def test_turning_it_on_shows_recovery_codes_and_one_signs_in_once_without_the_phone(
    client, therapist_a
):
    codes, page = turn_on(client, therapist_a)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(code in page for code in codes)

    sign_in(client, therapist_a)
    assert client.get(reverse("home")).status_code == 302  # waits for a code
    signed = client.post(
        reverse("two_factor_verify"), {"code": codes[0].upper(), "next": "/"}, follow=True
    )
    assert signed.status_code == 200
    assert "9 are left" in signed.content.decode()
    assert client.get(reverse("patients:list")).status_code == 200

    client.logout()
    sign_in(client, therapist_a)
    again = client.post(reverse("two_factor_verify"), {"code": codes[0]})
    assert "That recovery code is not right, or was used." in again.content.decode()
    assert client.get(reverse("home")).status_code == 302


@pytest.mark.django_db
def test_new_recovery_codes_need_a_current_code_and_replace_the_old(client, admin_with_2fa):
    sign_in(client, admin_with_2fa)
    device = TOTPDevice.objects.get(user=admin_with_2fa)
    client.post(reverse("two_factor_verify"), {"code": code_for(device)})
    old = list(
        StaticToken.objects.filter(device__user=admin_with_2fa).values_list("token", flat=True)
    )

    refused = client.post(reverse("two_factor_setup"), {"code": "000000", "action": "codes"})
    assert "codes" not in refused.context
    device.refresh_from_db()
    device.throttle_reset()
    made = client.post(
        reverse("two_factor_setup"), {"code": code_for(device, offset=1), "action": "codes"}
    )

    new = made.context["codes"]
    assert len(new) == 10 and not set(new) & set(old)
    assert set(
        StaticToken.objects.filter(device__user=admin_with_2fa).values_list("token", flat=True)
    ) == set(new)
    assert TOTPDevice.objects.filter(user=admin_with_2fa, confirmed=True).exists()  # still on


@pytest.mark.django_db
def test_a_clinic_that_requires_it_sends_its_staff_to_set_it_up_and_keeps_it_on(
    client, therapist_a, therapist_b
):
    therapist_a.clinic.two_factor_required = True
    therapist_a.clinic.save()
    sign_in(client, therapist_a)

    for url in (reverse("home"), reverse("patients:list"), "/admin/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("two_factor_setup"))
    assert "requires two-factor sign-in" in client.get(reverse("two_factor_setup")).content.decode()

    device = TOTPDevice.objects.get(user=therapist_a)
    client.post(reverse("two_factor_setup"), {"code": code_for(device)})
    assert client.get(reverse("patients:list")).status_code == 200

    device.refresh_from_db()
    client.post(reverse("two_factor_setup"), {"code": code_for(device, offset=1), "action": "off"})
    assert TOTPDevice.objects.filter(user=therapist_a, confirmed=True).exists()

    other = Client()  # another clinic is not affected
    sign_in(other, therapist_b)
    assert other.get(reverse("home")).status_code == 200


@pytest.mark.django_db
def test_the_page_waiting_for_the_code_keeps_the_whole_address(client, admin_with_2fa):
    sign_in(client, admin_with_2fa)

    response = client.get(reverse("patients:list"), {"q": "a", "page": "2"})

    target = urlsplit(response["Location"])
    assert target.path == reverse("two_factor_verify")
    assert parse_qs(target.query)["next"] == [reverse("patients:list") + "?q=a&page=2"]


@pytest.mark.django_db
def test_signed_out_visitors_are_sent_to_sign_in(client):
    for name in ("two_factor_setup", "two_factor_verify"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_the_code_page_without_a_pending_sign_in_goes_home(client, admin_a):
    client.force_login(admin_a)

    response = client.get(reverse("two_factor_verify"))

    assert response["Location"] == reverse("home")
