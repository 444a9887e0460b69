"""Small security helpers the settings point at."""

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    """The address sign-in throttling counts failures against (None when there is none).

    Behind the TLS proxy of the deployment guide (``DJANGO_BEHIND_TLS_PROXY=1``) that is the
    proxy's last ``X-Forwarded-For`` entry, the address the proxy itself saw; otherwise the
    socket's peer. A client cannot choose its address by sending its own header, and anything
    that is not an IP address is ignored (the database column holds addresses only).
    """
    candidates = []
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        candidates += hops[-1:]
    candidates.append(request.META.get("REMOTE_ADDR", ""))
    for candidate in candidates:
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            continue
    return None


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
    from django.shortcuts import render

    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "registration/locked_out.html", {"cooloff_minutes": minutes}, status=429)
