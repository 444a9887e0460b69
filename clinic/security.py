"""Small security helpers the settings point at."""

from django.conf import settings


def client_ip(request) -> str:
    """The address sign-in throttling counts failures against.

    Behind the TLS proxy of the deployment guide (``DJANGO_BEHIND_TLS_PROXY=1``) that is the
    proxy's last ``X-Forwarded-For`` entry, the address the proxy itself saw; otherwise the
    socket's peer. A client cannot choose its address by sending its own header.
    """
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def locked_out(request, original_response=None, credentials=None):
    """The page a throttled sign-in gets (HTTP 429), saying how long to wait."""
    from django.shortcuts import render

    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "registration/locked_out.html", {"cooloff_minutes": minutes}, status=429)
