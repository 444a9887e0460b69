"""Small security helpers the settings point at."""

from django.conf import settings
from django.shortcuts import render

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


def locked_out(request, original_response=None, credentials=None):
    """The page a throttled sign-in gets (HTTP 429), saying how long to wait."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "registration/locked_out.html", {"cooloff_minutes": minutes}, status=429)
