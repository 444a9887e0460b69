"""Optional two-factor sign-in (TOTP, django-otp) for clinic admins.

An admin turns it on from their menu: the page shows a QR code (and the key, to type in) for an
authenticator app, and a first code confirms it. From then on, after the password every page asks
for a six-digit code before anything else opens, the admin included. Wrong codes are throttled by
django-otp (each failure doubles the wait). Turning it off needs a current code; a superuser can
remove a lost device in the admin.
"""

import io
from base64 import b32encode, b64encode

from django import forms
from django.contrib import messages
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.qr import write_qrcode_image

# Set at sign-in when the user has a confirmed device: until a code is given, pages wait for it.
REQUIRED_KEY = "_two_factor_required"
DEVICE_NAME = "Authenticator app"


@receiver(user_logged_in)
def _note_second_factor(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            request.session[REQUIRED_KEY] = True
        else:
            request.session.pop(REQUIRED_KEY, None)


def is_pending(request) -> bool:
    """Signed in with the password, but the code is still to come."""
    session = getattr(request, "session", None)
    return bool(session and session.get(REQUIRED_KEY) and DEVICE_ID_SESSION_KEY not in session)


class TwoFactorMiddleware:
    """Until the code is given, every page but the code page and signing out sends there.

    Costs no query: the state lives in the session (set at sign-in and by the code page).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if is_pending(request):
            allowed = {reverse("two_factor_verify"), reverse("logout")}
            if request.path not in allowed and not request.path.startswith("/static/"):
                target = reverse("two_factor_verify")
                if request.method == "GET":
                    target += "?next=" + request.get_full_path()
                return redirect(target)
        return self.get_response(request)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Six-digit code from your authenticator app"),
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def __init__(self, *args, device=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        if not code.isdigit():
            raise forms.ValidationError(_("Enter the digits your app shows."))
        allowed, details = self.device.verify_is_allowed()
        if not allowed:
            until = (details or {}).get("locked_until")
            seconds = max(1, int((until - timezone.now()).total_seconds())) if until else 1
            raise forms.ValidationError(
                _("Too many wrong codes: wait %(seconds)d s and try again with a new code.")
                % {"seconds": seconds}
            )
        if not self.device.verify_token(code):
            raise forms.ValidationError(_("That code is not right, or it has expired."))
        return code


def _qr_data_uri(device) -> str:
    """The QR code as an SVG image (a data: URI, which the Content-Security-Policy allows)."""
    out = io.BytesIO()
    write_qrcode_image(device.config_url, out)
    return "data:image/svg+xml;base64," + b64encode(out.getvalue()).decode()


def _can_use(user) -> bool:
    return user.is_superuser or user.is_clinic_admin


@require_http_methods(["GET", "POST"])
def setup(request):
    """Turn two-factor sign-in on (scan, confirm with a code) or off (with a code)."""
    if not _can_use(request.user):
        raise PermissionDenied(_("Two-factor sign-in is offered to clinic admins."))
    confirmed = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    if confirmed is not None:
        form = CodeForm(request.POST or None, device=confirmed)
        if request.method == "POST" and form.is_valid():
            TOTPDevice.objects.filter(user=request.user).delete()
            request.session.pop(REQUIRED_KEY, None)
            request.session.pop(DEVICE_ID_SESSION_KEY, None)
            messages.success(request, _("Two-factor sign-in is off."))
            return redirect("two_factor_setup")
        return render(request, "registration/two_factor_setup.html", {"form": form, "on": True})

    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name=DEVICE_NAME, confirmed=False)
    form = CodeForm(request.POST or None, device=device)
    if request.method == "POST" and form.is_valid():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        otp_login(request, device)
        request.session[REQUIRED_KEY] = True
        messages.success(
            request, _("Two-factor sign-in is on: from now on, you will be asked for a code.")
        )
        return redirect("two_factor_setup")
    return render(
        request,
        "registration/two_factor_setup.html",
        {
            "form": form,
            "on": False,
            "qr": _qr_data_uri(device),
            "key": b32encode(device.bin_key).decode(),
        },
    )


@require_http_methods(["GET", "POST"])
def verify(request):
    """The second step of signing in."""
    if not is_pending(request):
        return redirect("home")
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    if device is None:  # removed by a superuser meanwhile: nothing to ask for
        request.session.pop(REQUIRED_KEY, None)
        return redirect("home")
    form = CodeForm(request.POST or None, device=device)
    if request.method == "POST" and form.is_valid():
        otp_login(request, device)
        target = request.POST.get("next") or request.GET.get("next") or ""
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = reverse("home")
        return redirect(target)
    return render(
        request,
        "registration/two_factor_verify.html",
        {"form": form, "next": request.GET.get("next", "")},
    )
