from datetime import timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_not_required, permission_required
from django.db import connection
from django.db.models import Case, Q, When
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from clinic.decorators import clinic_member_required
from protocols.models import Course, Session, snapshot_names
from protocols.planning import reason_message
from protocols.views import due_patients


@login_not_required
@never_cache
@require_GET
def healthz(request):
    """For load balancers and monitoring: 200 when the app can reach its database."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok"})


@clinic_member_required
@permission_required("protocols.view_course", raise_exception=True)
def day(request):
    """The therapist's day: today's and tomorrow's sessions, who is due, holds and warnings."""
    today = timezone.localdate()
    tomorrow = today + timedelta(days=1)
    user = request.user
    sessions = (
        Session.objects.for_user(user)
        .filter(date__in=(today, tomorrow))
        .exclude(status=Session.CANCELLED)
        .select_related("course__patient", "course__therapist")
        # Only what the rows show: each column left out is one less value to convert, per row.
        .only(
            *("course_id", "number", "date", "planned_minutes", "status"),
            *("course__patient_id", "course__therapist_id", "course__status"),
            *("course__patient__first_name", "course__patient__last_name"),
            *("course__therapist__first_name", "course__therapist__last_name"),
            "course__therapist__username",
        )
        .annotate(
            mine=Case(When(course__therapist=user, then=0), default=1),
            **snapshot_names("course__"),
        )
        .order_by("date", "mine", "course__patient__last_name", "number")
    )
    days = {today: [], tomorrow: []}
    for session in sessions:
        session.course.keep_names(session)
        days[session.date].append(session)
    # Only the running courses the page lists (on hold, or with warnings), not every running one.
    running = (
        Course.objects.for_user(user)
        .filter(status__in=(Course.PLANNED, Course.ACTIVE, Course.ON_HOLD))
        .filter(Q(status=Course.ON_HOLD) | ~Q(warnings=[]))
        .select_related("patient", "therapist")
        .defer("template_snapshot")
        .annotate(**snapshot_names())
        .order_by("patient__last_name", "pk")
    )
    for course in running:
        course.keep_names(course)
    on_hold = [c for c in running if c.status == Course.ON_HOLD]
    warned = [c for c in running if c.warnings]
    for course in warned:
        course.warning_texts = [(w["rule"], reason_message(w)) for w in course.warnings]
    return render(
        request,
        "clinic/day.html",
        {
            "today": today,
            "tomorrow": tomorrow,
            "days": [(today, _("Today"), days[today]), (tomorrow, _("Tomorrow"), days[tomorrow])],
            "due": due_patients(user, today).only("first_name", "last_name")[:50],
            "on_hold": on_hold,
            "warned": warned,
        },
    )


@require_POST
def set_language(request):
    """Remember the signed-in user's language for every page."""
    language = request.POST.get("language", "")
    if language in dict(settings.LANGUAGES):
        request.user.language = language
        request.user.save(update_fields=["language"])
    next_url = request.POST.get("next", "/")
    if not next_url.startswith("/") or not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}
    ):
        next_url = "/"
    # A path, never a view name: redirect() would try to reverse "0" and fail.
    return HttpResponseRedirect(next_url)
