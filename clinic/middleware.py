import time

from django.conf import settings
from django.contrib.auth import logout
from django.utils import translation
from django.utils.cache import patch_cache_control


class UserLanguageMiddleware:
    """Pages speak the signed-in user's language, else the clinic's, else the browser's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            language = user.language or (user.clinic.default_language if user.clinic_id else "")
            if language:
                translation.activate(language)
                request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


TOUCH_KEY = "_last_touch"
SIGNED_IN_KEY = "_signed_in_at"


def touch_session(session) -> None:
    """Mark the session as used now, which saves it with a fresh expiry (the idle timeout)."""
    session[TOUCH_KEY] = int(time.time())


def touch_on_sign_in(sender, request, user, **kwargs):
    touch_session(request.session)
    request.session[SIGNED_IN_KEY] = int(time.time())


def not_activity(request) -> None:
    """This request is not the user at work (a page polling for progress): it does not extend the
    session, so a page left open cannot keep it alive past the idle timeout."""
    request.not_activity = True


def touch_every_seconds() -> int:
    """How often a session is saved with a fresh expiry: at most once a minute, and at least
    twice per idle timeout, so that an active user is never signed out."""
    return max(1, min(60, settings.SESSION_COOKIE_AGE // 2))


class IdleTimeoutMiddleware:
    """Ends a session after ``IDLE_TIMEOUT_MINUTES`` without a request, and in any case
    ``SESSION_MAX_AGE_HOURS`` after signing in.

    The session's expiry is ``SESSION_COOKIE_AGE`` from its last save. Saving on every request
    would cost a write per page, so a signed-in user's session is saved at most once a minute
    (at least twice per timeout): the timeout is exact to within that interval. Requests marked
    ``not_activity`` (polls) do not extend it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        now = time.time()
        signed_in = request.session.setdefault(SIGNED_IN_KEY, int(now))
        if now - signed_in > settings.SESSION_MAX_AGE_HOURS * 3600:
            # Signed out here, before the view: the sign-in requirement then sends to the login.
            logout(request)
            return self.get_response(request)
        response = self.get_response(request)
        active = not getattr(request, "not_activity", False) and request.user.is_authenticated
        if active and now - request.session.get(TOUCH_KEY, 0) >= touch_every_seconds():
            touch_session(request.session)
        return response


class NoStoreMiddleware:
    """Pages for a signed-in user (patient data) are never kept by the browser or a proxy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True)
        return response
