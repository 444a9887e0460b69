from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_not_required, permission_required
from django.db import connection
from django.db.models import Case, F, Q, When
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from core.texts import localized
from front.decorators import clinic_member_required
from front.templatetags.appointments import appointment_time
from front.templatetags.links import id_urls
from patients.models import Patient
from protocols.models import SNAPSHOT_NAMES, Course, Session, snapshot_names
from protocols.planning import reason_message
from protocols.selectors import due_patients


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


@dataclass(frozen=True, slots=True)
class DayRow:
    """A session as its row on the day page shows it.

    The day lists every session of the clinic for two days; reading them as plain rows instead
    of four model instances each (session, course, patient, therapist) keeps the page fast on a
    busy day.
    """

    pk: int
    number: int
    date: date
    time: str  # "10:30–11:00 · Room 2", or "time to be agreed"
    planned_minutes: int
    status: str
    status_label: str
    course_id: int
    course_name: str
    patient_id: int
    patient_name: str
    therapist: str
    mine: bool
    patient_url: str
    course_url: str
    record_url: str


def day_rows(user, days) -> list[DayRow]:
    """The sessions of ``days`` not cancelled: the user's own first, then by patient."""
    labels = {value: str(label) for value, label in Session.STATUS_CHOICES}
    names = snapshot_names("course__")
    rows = (
        Session.objects.for_user(user)
        .filter(date__in=days)
        .exclude(status=Session.CANCELLED)
        .annotate(mine=Case(When(course__therapist=user, then=0), default=1), **names)
        .order_by(
            "date",
            "mine",
            F("starts_at").asc(nulls_last=True),
            "course__patient__last_name",
            "number",
        )
        .values_list(
            *("pk", "number", "date", "planned_minutes", "status", "course_id"),
            *("course__patient_id", "course__patient__last_name", "course__patient__first_name"),
            *("course__therapist__first_name", "course__therapist__last_name"),
            *("course__therapist__username", "mine", "starts_at", "ends_at", "room__name"),
            "course__patient__clinic__time_zone",
            *names,
            named=True,
        )
    )
    patient_url = id_urls("patients:detail")
    course_url = id_urls("protocols:course")
    record_url = id_urls("protocols:session_record")
    result = []
    for row in rows:
        snapshot = {name: getattr(row, f"snapshot_{name}") for name in SNAPSHOT_NAMES}
        therapist_names = (row.course__therapist__first_name, row.course__therapist__last_name)
        therapist = " ".join(n for n in therapist_names if n) or row.course__therapist__username
        result.append(
            DayRow(
                pk=row.pk,
                number=row.number,
                date=row.date,
                time=appointment_time(
                    row.course__patient__clinic__time_zone,
                    row.starts_at,
                    row.ends_at,
                    row.room__name,
                ),
                planned_minutes=row.planned_minutes,
                status=row.status,
                status_label=labels.get(row.status, row.status),
                course_id=row.course_id,
                course_name=localized(snapshot, "name"),
                patient_id=row.course__patient_id,
                patient_name=Patient.display_name(
                    row.course__patient__last_name, row.course__patient__first_name
                ),
                therapist=therapist or "—",
                mine=row.mine == 0,
                patient_url=patient_url(row.course__patient_id),
                course_url=course_url(row.course_id),
                record_url=record_url(row.pk),
            )
        )
    return result


@clinic_member_required
@permission_required("protocols.view_course", raise_exception=True)
def day(request):
    """The therapist's day: today's and tomorrow's sessions, who is due, holds and warnings."""
    today = timezone.localdate()
    tomorrow = today + timedelta(days=1)
    user = request.user
    days = {today: [], tomorrow: []}
    for row in day_rows(user, (today, tomorrow)):
        days[row.date].append(row)
    # Only the running courses the page lists (on hold, or with warnings), not every running one.
    running = (
        Course.objects.for_user(user)
        .filter(status__in=Course.RUNNING)
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
    due = list(due_patients(user, today).only("first_name", "last_name")[:50])
    patient_url, plan_url = id_urls("patients:detail"), id_urls("protocols:course_new")
    for patient in due:
        patient.detail_url, patient.plan_url = patient_url(patient.pk), plan_url(patient.pk)
    return render(
        request,
        "clinic/day.html",
        {
            "today": today,
            "tomorrow": tomorrow,
            "days": [(today, _("Today"), days[today]), (tomorrow, _("Tomorrow"), days[tomorrow])],
            "due": due,
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
