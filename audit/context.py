"""Who is acting: the signed-in user of the request being answered, or a command's stand-in.

``AuditContextMiddleware`` makes the request current for the entries it writes; ``acting_as``
does the same for commands and scripts. The user is read only when an entry is written, so
requests that write nothing never touch the session for it.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from core.request import client_ip

_current = ContextVar("audit_request", default=None)


class _Actor:
    def __init__(self, user, address=None, name=""):
        self.user, self.address, self.name = user, address, name


class AuditContextMiddleware:
    """Makes the signed-in user and their address the author of every entry a request writes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current.set(request)
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)


@contextmanager
def acting_as(user, address=None, *, name=""):
    """Attribute the entries written inside the block to ``user`` (commands, scripts), or with
    no user to ``name`` (a patient answering a reminder's link)."""
    token = _current.set(_Actor(user, address, name))
    try:
        yield
    finally:
        _current.reset(token)


def author() -> dict:
    """The entry fields that name who acted and from where ({} outside a request or command)."""
    current = _current.get()
    if current is None:
        return {}
    name = ""
    if isinstance(current, _Actor):
        user, address, name = current.user, current.address, current.name
    else:
        user = getattr(current, "user", None)
        address = client_ip(current)
    values = {"remote_addr": address}
    if name:
        values["actor_name"] = name
    if user is not None and user.is_authenticated:
        values.update(
            actor=user,
            actor_email=user.email or None,
            actor_name=user.get_full_name() or user.get_username(),
        )
    return values
