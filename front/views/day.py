from django.conf import settings
from django.contrib.auth.decorators import login_not_required, permission_required
from django.db import connection
from django.db.models import Q
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from front.decorators import clinic_member_required
from front.templatetags.links import id_urls
from front.views import calendar
from protocols.models import Course, snapshot_names
from protocols.planning import staff_line
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


@clinic_member_required
@permission_required("protocols.view_calendar", raise_exception=True)
def day(request):
    """The clinic's day as a time grid (``?date=``, default today in the clinic's zone): a column
    per therapist working that day, mine first; beside it who is due (R5), the courses on hold,
    the open warnings (R10) and the day's no-shows and patients' cancellations. The front desk
    (no ``protocols.view_course``) sees no warning, hold or course link."""
    user = request.user
    clinic = user.clinic
    today = calendar.clinic_today(clinic)
    shown = calendar.asked_day(request, clinic)
    maker = calendar.Blocks(request, clinic)
    holidays = calendar.holidays_between(clinic, shown, shown)
    blocks = [
        maker.block(row) for row in calendar.grid_rows(user, clinical=maker.clinical, date=shown)
    ]
    columns = calendar.therapist_columns(
        clinic, shown, user, blocks, holidays=holidays, today=today
    )
    grid = calendar.build_grid(
        columns,
        blocks,
        key=lambda b: b.therapist_id,
        clinic=clinic,
        today=today,
        droppable=True,
        clinical=maker.clinical,
    )
    missed = [b for b in blocks if b.status in calendar.MISSED]
    on_hold, warned = [], []
    if maker.clinical:
        # Only the running courses the page lists (on hold, or with warnings), not every one.
        running = (
            Course.objects.for_user(user)
            .filter(status__in=Course.RUNNING)
            .filter(Q(status=Course.ON_HOLD) | ~Q(warnings=[]))
            .select_related("patient")
            .defer("template_snapshot")
            .annotate(**snapshot_names())
            .order_by("patient__last_name", "pk")
        )
        for course in running:
            course.keep_names(course)
        on_hold = [c for c in running if c.status == Course.ON_HOLD]
        warned = [c for c in running if c.warnings]
        for course in warned:
            course.warning_texts = [staff_line(w) for w in course.warnings]
    due = list(due_patients(user, today).only("first_name", "last_name")[:50])
    patient_url, plan_url = id_urls("patients:detail"), id_urls("protocols:course_new")
    may_plan = user.has_perm("protocols.add_course")
    for patient in due:
        patient.detail_url = patient_url(patient.pk)
        patient.plan_url = plan_url(patient.pk) if may_plan else ""
    return render(
        request,
        "clinic/day.html",
        {
            "grid": grid,
            "day": shown,
            "today": today,
            "closed": calendar.closed_text(clinic, shown, holidays),
            "links": calendar.day_links(request.path, shown, 1),
            "view": "day",
            "print_heading": calendar.day_heading(shown),
            "clinical": maker.clinical,
            "due": due,
            "on_hold": on_hold,
            "warned": warned,
            "missed": missed,
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
