"""Resetting a forgotten password by mail: on only where mail can be sent.

With ``PASSWORD_RESET_ENABLED`` (by default: when ``EMAIL_URL`` names a mail server) the sign-in
page offers "Forgot your password?", and Django's reset views run with the app's own pages and
message, sent from ``DEFAULT_FROM_EMAIL``. Whether or not an address belongs to anyone, the
answer is the same page ("if it is an account's address, a message is on its way"). Each network
address may ask ``PASSWORD_RESET_LIMIT`` times per ``PASSWORD_RESET_WINDOW``, counted from the
audit trail (one entry per request, without the address typed). Without it every reset page is a
404 and a clinic admin sets a new password in the admin.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from audit.trail import PASSWORD_RESET_ASKED, anonymous_events_from, record_anonymous_event
from core.request import client_ip


def _enabled(view):
    @login_not_required
    def wrapper(request, *args, **kwargs):
        if not settings.PASSWORD_RESET_ENABLED:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


class ResetView(auth_views.PasswordResetView):
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    from_email = None  # DEFAULT_FROM_EMAIL

    def post(self, request, *args, **kwargs):
        address = client_ip(request)
        since = timezone.now() - settings.PASSWORD_RESET_WINDOW
        if address and anonymous_events_from(address, since, PASSWORD_RESET_ASKED) >= (
            settings.PASSWORD_RESET_LIMIT
        ):
            minutes = int(settings.PASSWORD_RESET_WINDOW.total_seconds() // 60)
            return render(
                request,
                "registration/password_reset_paused.html",
                {"minutes": minutes},
                status=429,
            )
        record_anonymous_event(get_user_model(), PASSWORD_RESET_ASKED)
        return super().post(request, *args, **kwargs)


reset = _enabled(ResetView.as_view())
reset_done = _enabled(auth_views.PasswordResetDoneView.as_view())
reset_confirm = _enabled(auth_views.PasswordResetConfirmView.as_view())
reset_complete = _enabled(auth_views.PasswordResetCompleteView.as_view())


class SignInView(auth_views.LoginView):
    """Django's sign-in page, offering a reset only where it is on."""

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "reset": settings.PASSWORD_RESET_ENABLED}


sign_in = SignInView.as_view()
