import time

from django.utils import translation


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


def touch_session(session) -> None:
    """Mark the session as used now, which saves it with a fresh expiry (the idle timeout)."""
    session[TOUCH_KEY] = int(time.time())


def touch_on_sign_in(sender, request, user, **kwargs):
    touch_session(request.session)


class IdleTimeoutMiddleware:
    """Ends a session after ``IDLE_TIMEOUT_MINUTES`` without a request.

    The session's expiry is ``SESSION_COOKIE_AGE`` from its last save. Saving on every request
    would cost a write per page, so a signed-in user's session is saved at most once a minute:
    the timeout is exact to within that minute.
    """

    TOUCH_EVERY_SECONDS = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            last = request.session.get(TOUCH_KEY, 0)
            if time.time() - last >= self.TOUCH_EVERY_SECONDS:
                touch_session(request.session)
        return self.get_response(request)
