"""Two-factor sign-in (TOTP, django-otp) for all staff, with recovery codes.

Anyone on the staff turns it on from their menu: the page shows a QR code (and the key, to type
in) for an authenticator app, and a first code confirms it; it then shows ten recovery codes
(django-otp's static device), each good once, for a lost phone. From then on, after the password
every page asks for a six-digit code (or a recovery code) before anything else opens, the admin
included. Wrong codes are throttled by django-otp (each failure doubles the wait). Turning it off
or making new recovery codes needs a current code. A clinic may require it of everyone
(``Clinic.two_factor_required``): its staff without it are sent to the set-up page after signing
in, and cannot turn it off. A superuser can still remove a device in the admin.
"""

import io
from base64 import b32encode, b64encode

from django import forms
from django.contrib import messages
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.dispatch import receiver
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.qr import write_qrcode_image

# Set at sign-in when the user has a confirmed device: until a code is given, pages wait for it.
REQUIRED_KEY = "_two_factor_required"
DEVICE_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"
RECOVERY_CODES = 10


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


def must_enrol(request) -> bool:
    """Signed in to a clinic that requires two-factor sign-in, without having set it up."""
    session = getattr(request, "session", None)
    if session is None or session.get(REQUIRED_KEY):
        return False
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.clinic_id is None:
        return False
    return user.clinic.two_factor_required


class TwoFactorMiddleware:
    """Until the code is given, every page but the code page and signing out sends there; where
    the clinic requires two-factor sign-in, every page sends its staff without it to the set-up.

    Costs no query: the state lives in the session (set at sign-in and by the code page), and
    the clinic is read with the user.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if is_pending(request):
            return self._redirect(request, "two_factor_verify") or self.get_response(request)
        if must_enrol(request):
            return self._redirect(request, "two_factor_setup") or self.get_response(request)
        return self.get_response(request)

    @staticmethod
    def _redirect(request, name):
        allowed = {reverse(name), reverse("logout")}
        if request.path in allowed or request.path.startswith("/static/"):
            return None
        target = reverse(name)
        if request.method == "GET":
            target += "?" + urlencode({"next": request.get_full_path()})
        return redirect(target)


class CodeForm(forms.Form):
    """A code from the authenticator app (digits) or, when ``recovery`` is given, a recovery
    code (letters and digits), which is used up."""

    code = forms.CharField(
        label=gettext_lazy("Six-digit code from your authenticator app"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "autofocus": True}
        ),
    )

    def __init__(self, *args, device=None, recovery=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.device, self.recovery = device, recovery
        self.used = device
        if recovery is not None:
            self.fields["code"].label = gettext_lazy(
                "Six-digit code from your authenticator app, or a recovery code"
            )

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split()).lower()
        if code.isdigit():
            device = self.device
        elif self.recovery is not None and code.isalnum():
            device = self.recovery
        else:
            raise forms.ValidationError(_("Enter the digits your app shows."))
        allowed, details = device.verify_is_allowed()
        if not allowed:
            until = (details or {}).get("locked_until")
            seconds = max(1, int((until - timezone.now()).total_seconds())) if until else 1
            raise forms.ValidationError(
                _("Too many wrong codes: wait %(seconds)d s and try again with a new code.")
                % {"seconds": seconds}
            )
        if not device.verify_token(code):
            if device is self.recovery:
                raise forms.ValidationError(_("That recovery code is not right, or was used."))
            raise forms.ValidationError(_("That code is not right, or it has expired."))
        self.used = device
        return code


def _qr_data_uri(device) -> str:
    """The QR code as an SVG image (a data: URI, which the Content-Security-Policy allows)."""
    out = io.BytesIO()
    write_qrcode_image(device.config_url, out)
    return "data:image/svg+xml;base64," + b64encode(out.getvalue()).decode()


def _can_use(user) -> bool:
    return user.is_superuser or user.clinic_id is not None


def _required(user) -> bool:
    return user.clinic_id is not None and user.clinic.two_factor_required


@transaction.atomic
def new_recovery_codes(user) -> list[str]:
    """Ten new recovery codes for ``user`` (the earlier ones stop working)."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def _recovery_device(user):
    return StaticDevice.objects.filter(user=user, confirmed=True).first()


@require_http_methods(["GET", "POST"])
def setup(request):
    """Turn two-factor sign-in on (scan, confirm with a code) or off (with a code), or make new
    recovery codes (with a code)."""
    if not _can_use(request.user):
        raise PermissionDenied(_("Two-factor sign-in is offered to the staff of a clinic."))
    required = _required(request.user)
    confirmed = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    if confirmed is not None:
        form = CodeForm(request.POST or None, device=confirmed)
        action = request.POST.get("action")
        context = {"form": form, "on": True, "required": required}
        if request.method == "POST" and form.is_valid():
            if action == "codes":
                codes = new_recovery_codes(request.user)
                return render(
                    request, "registration/two_factor_setup.html", {**context, "codes": codes}
                )
            if action != "off":
                return redirect("two_factor_setup")
            if required:
                messages.error(request, _("Your clinic requires two-factor sign-in of everyone."))
                return redirect("two_factor_setup")
            TOTPDevice.objects.filter(user=request.user).delete()
            StaticDevice.objects.filter(user=request.user).delete()
            request.session.pop(REQUIRED_KEY, None)
            request.session.pop(DEVICE_ID_SESSION_KEY, None)
            messages.success(request, _("Two-factor sign-in is off."))
            return redirect("two_factor_setup")
        return render(request, "registration/two_factor_setup.html", context)

    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name=DEVICE_NAME, confirmed=False)
    form = CodeForm(request.POST or None, device=device)
    if request.method == "POST" and form.is_valid():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        otp_login(request, device)
        request.session[REQUIRED_KEY] = True
        codes = new_recovery_codes(request.user)
        messages.success(
            request, _("Two-factor sign-in is on: from now on, you will be asked for a code.")
        )
        return render(
            request,
            "registration/two_factor_setup.html",
            {"form": CodeForm(device=device), "on": True, "required": required, "codes": codes},
        )
    return render(
        request,
        "registration/two_factor_setup.html",
        {
            "form": form,
            "on": False,
            "required": required,
            "qr": _qr_data_uri(device),
            "key": b32encode(device.bin_key).decode(),
        },
    )


@require_http_methods(["GET", "POST"])
def verify(request):
    """The second step of signing in: a code from the app, or a recovery code."""
    if not is_pending(request):
        return redirect("home")
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    if device is None:  # removed by a superuser meanwhile: nothing to ask for
        request.session.pop(REQUIRED_KEY, None)
        return redirect("home")
    recovery = _recovery_device(request.user)
    form = CodeForm(request.POST or None, device=device, recovery=recovery)
    if request.method == "POST" and form.is_valid():
        otp_login(request, form.used)
        if form.used is recovery:
            left = recovery.token_set.count()
            messages.warning(
                request,
                ngettext(
                    "You signed in with a recovery code: %(count)d is left. Make new ones on "
                    "the two-factor page.",
                    "You signed in with a recovery code: %(count)d are left. Make new ones on "
                    "the two-factor page.",
                    left,
                )
                % {"count": left},
            )
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
