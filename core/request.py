"""What the app reads from a request itself."""

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


def posted(request):
    """The submitted data, or None for a GET. An empty submission is still one: the form
    answers it with "This field is required" instead of showing itself again as if unsent."""
    return request.POST if request.method == "POST" else None
