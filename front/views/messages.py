"""Messages to patients: the links a reminder carries (no sign-in), the outbox, the handout by
email."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, permission_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from core.request import client_ip
from front.decorators import clinic_member_required
from messaging import services
from messaging.models import Message, PatientLink
from protocols import booking
from protocols.selectors import get_course_for_user

LINK_REQUESTS_PER_WINDOW = 20
LINK_WINDOW_SECONDS = 600


def _too_many(request) -> bool:
    """At most ``LINK_REQUESTS_PER_WINDOW`` link requests from one address per window, so the
    links cannot be guessed at (they are random and signed as well)."""
    key = f"patient-link:{client_ip(request) or 'unknown'}"
    cache.add(key, 0, LINK_WINDOW_SECONDS)
    try:
        return cache.incr(key) > LINK_REQUESTS_PER_WINDOW
    except ValueError:  # expired between add and incr
        cache.set(key, 1, LINK_WINDOW_SECONDS)
        return False


def _language_of(link: PatientLink | None) -> str:
    if link is None:
        return translation.get_language()
    return link.session.course.patient.language


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def patient_link(request, token):
    """A reminder's confirm or cancel link. The page shows the clinic, the day and the time,
    nothing else; opening it changes nothing (mail scanners open links), its button does."""
    if _too_many(request):
        response = render(
            request,
            "messaging/link.html",
            {"refused": _("Too many tries. Please wait a few minutes, or call the clinic.")},
            status=429,
        )
        response["Retry-After"] = str(LINK_WINDOW_SECONDS)
        return response
    try:
        link = services.check_link(token)
    except services.LinkRefused as refused:
        with translation.override(_language_of(refused.link)):
            context = {"refused": refused.message}
            if refused.link is not None:
                context["when"] = services.when(refused.link.session)
            return render(request, "messaging/link.html", context, status=410)
    with translation.override(_language_of(link)):
        if request.method == "POST":
            try:
                used = services.use_link(token, address=client_ip(request))
            except (services.LinkRefused, ValidationError) as refused:
                message = getattr(refused, "message", None) or " ".join(refused.messages)
                return render(request, "messaging/link.html", {"refused": message}, status=410)
            return render(
                request,
                "messaging/link.html",
                {
                    "done": used.action,
                    "made_up": used.made_up,
                    "when": services.when(link.session),
                },
            )
        return render(
            request,
            "messaging/link.html",
            {"link": link, "when": services.when(link.session), "token": token},
        )


@clinic_member_required
@permission_required("messaging.view_message", raise_exception=True)
def outbox(request):
    """Every message to the clinic's patients, newest first, with its status and error."""
    rows = Message.objects.for_user(request.user).select_related("patient")
    status = request.GET.get("status", "")
    if status in dict(Message.STATUS_CHOICES):
        rows = rows.filter(status=status)
    page = Paginator(rows.only(*OUTBOX_FIELDS), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "messaging/outbox.html",
        {
            "page": page,
            "status": status,
            "statuses": Message.STATUS_CHOICES,
            "zone": booking.zone(request.user.clinic),
        },
    )


OUTBOX_FIELDS = (
    *("kind", "channel", "to", "status", "error", "attempts", "created_at", "sent_at"),
    *("patient__first_name", "patient__last_name", "patient__id", "clinic_id", "subject"),
)


@require_POST
@clinic_member_required
@permission_required("messaging.change_message", raise_exception=True)
def outbox_retry(request, pk):
    message = get_object_or_404(Message.objects.for_user(request.user), pk=pk)
    try:
        services.retry(message=message)
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        messages.success(request, _("The message to %(to)s is queued again.") % {"to": message.to})
    return redirect("outbox")


@require_POST
@clinic_member_required
@permission_required("protocols.view_course", raise_exception=True)
def email_handout(request, pk):
    course = get_course_for_user(request.user, pk)
    try:
        message = services.email_handout(course=course, user=request.user)
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        messages.success(
            request,
            _("The handout is being prepared and will be emailed to %(to)s.") % {"to": message.to},
        )
    return redirect(course)
