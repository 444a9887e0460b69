"""Small security helpers the settings point at."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.shortcuts import render
from django.utils import timezone

from audit.trail import failed_sign_ins_from, record_failed_sign_in
from core.request import client_ip

USERNAME_LENGTH = 150  # Django's username field; nothing longer is anyone's username


def client_username(request, credentials=None) -> str | None:
    """The username sign-in throttling counts failures against, as django-axes stores it.

    Whatever was typed, cut to the longest possible username and without NUL characters: axes
    writes it to a 255-character column, and PostgreSQL refuses longer text and NULs outright.
    """
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials:
        username = credentials.get(field)
    else:
        username = getattr(request, "data", request.POST).get(field)
    if not isinstance(username, str):
        return username
    return username.replace("\x00", "")[:USERNAME_LENGTH]


def note_failed_sign_in(sender, credentials, request=None, **kwargs):
    """Every failed sign-in goes on the audit trail: the username as typed (cut to length), the
    address, and the clinic of the user it names, if any (``user_login_failed``)."""
    typed = client_username(request, credentials) if request is not None else None
    typed = typed if isinstance(typed, str) else ""
    users = get_user_model()._default_manager
    user = users.filter(username=typed).only("pk", "clinic_id").first() if typed else None
    record_failed_sign_in(get_user_model(), username=typed, user=user)


def address_paused(request) -> bool:
    """Too many failed sign-ins from this address lately, whatever the usernames: the
    per-address throttle (``SIGNIN_ADDRESS_FAILURE_LIMIT`` within ``SIGNIN_ADDRESS_COOLOFF``),
    counted from the audit trail. The per-username-and-address one is django-axes'."""
    address = client_ip(request)
    if address is None:
        return False
    since = timezone.now() - settings.SIGNIN_ADDRESS_COOLOFF
    return failed_sign_ins_from(address, since) >= settings.SIGNIN_ADDRESS_FAILURE_LIMIT


def locked_out(request, original_response=None, credentials=None):
    """The page a throttled sign-in gets (HTTP 429), saying how long to wait."""
    by_address = getattr(request, "sign_in_paused_by_address", False)
    cooloff = settings.SIGNIN_ADDRESS_COOLOFF if by_address else settings.AXES_COOLOFF_TIME
    minutes = int(cooloff.total_seconds() // 60)
    return render(
        request,
        "registration/locked_out.html",
        {"cooloff_minutes": minutes, "by_address": by_address},
        status=429,
    )
