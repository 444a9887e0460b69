"""The therapist's workspace: planning a course, the course page, recording sessions."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.dateparse import parse_date
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

import planner
from audit.trail import record_access
from clinic.decorators import clinic_member_required
from documents import handouts, html, jobs, pdf
from patients.views import get_patient_for_user
from protocols.forms import CourseChangeForm, PlanCourseForm, RecordSessionForm, ResumeForm
from protocols.models import Course, DocumentJob, ProtocolTemplate, Session
from protocols.planning import next_course_window, plan_for_patient, reason_message
from protocols.services import (
    SEVERE_PAIN,
    CourseRefused,
    close_course,
    create_course,
    record_session,
    resume_course,
    suggested_resume_date,
)


def get_course_for_user(user, pk) -> Course:
    return get_object_or_404(
        Course.objects.for_user(user).select_related("patient__clinic", "therapist", "template"),
        pk=pk,
    )


def _query_date(request, key):
    """The date in the query string, or None when it is missing or not a real date."""
    try:
        return parse_date(request.GET.get(key, "") or "")
    except ValueError:  # well formed but impossible, e.g. 2026-02-30
        return None


def _plan_form(request, patient, data=None):
    templates = list(ProtocolTemplate.objects.for_user(request.user).active().order_by("name"))
    initial = {"start": _query_date(request, "start") or timezone.localdate()}
    return PlanCourseForm(data, patient=patient, templates=templates, initial=initial)


def _answer_context(answer) -> dict:
    if answer is None:
        return {}
    if isinstance(answer, planner.Refusal):
        return {
            "refusal": [(r.rule, reason_message(r)) for r in answer.reasons],
            "earliest_start": answer.earliest_start,
        }
    return {
        "plan": answer,
        "warnings": [(r.rule, reason_message(r)) for r in answer.warnings],
    }


@clinic_member_required
@permission_required("protocols.add_course", raise_exception=True)
def course_new(request, pk):
    patient = get_patient_for_user(request.user, pk)
    if patient.archived:
        messages.error(request, _("This patient is archived: restore the record before planning."))
        return redirect("patients:detail", pk=patient.pk)
    form = _plan_form(request, patient, request.POST if request.method == "POST" else None)
    answer = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            course = create_course(
                patient=patient,
                template=data["template"],
                start=data["start"],
                sessions=data["sessions"],
                cadence_days=data["cadence_days"],
                therapist=request.user,
                created_by=request.user,
                request_token=data["token"],
            )
        except CourseRefused as refused:
            answer = refused.refusal
            form.add_error(None, _("The course cannot be planned as asked; see why below."))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            count = course.sessions.count()
            messages.success(
                request,
                ngettext(
                    "Course planned: %(count)d session from %(date)s.",
                    "Course planned: %(count)d sessions from %(date)s.",
                    count,
                )
                % {"count": count, "date": date_format(course.sessions.first().date)},
            )
            return redirect("protocols:course", pk=course.pk)
    return render(
        request,
        "protocols/course_new.html",
        {"patient": patient, "form": form, **_answer_context(answer)},
    )


@require_GET
@clinic_member_required
@permission_required("protocols.view_course", raise_exception=True)
def course_preview(request, pk):
    """The live preview (htmx): the dated sessions, the warnings, or every reason to refuse."""
    patient = get_patient_for_user(request.user, pk)
    prefetch_related_objects([patient], "conditions")  # read once, by the form and the planner
    form = _plan_form(request, patient, request.GET)
    answer = None
    if form.is_valid():
        data = form.cleaned_data
        answer = plan_for_patient(
            patient=patient,
            template=data["template"],
            start=data["start"],
            sessions=data["sessions"],
            cadence_days=data["cadence_days"],
        )
    return render(
        request,
        "protocols/_preview.html",
        {"patient": patient, "form": form, **_answer_context(answer)},
    )


@clinic_member_required
@permission_required("protocols.view_course", raise_exception=True)
def course_detail(request, pk):
    course = get_course_for_user(request.user, pk)
    prefetch_related_objects(
        [course], Prefetch("sessions", queryset=Session.objects.order_by("number"))
    )
    sessions = list(course.sessions.all())
    counts = {status: 0 for status, _label in Session.STATUS_CHOICES}
    for session in sessions:
        counts[session.status] += 1
    resume_form = None
    if course.status == Course.ON_HOLD:
        resume_form = ResumeForm(
            initial={"start": suggested_resume_date(course), "version": course.version}
        )
    return render(
        request,
        "protocols/course_detail.html",
        {
            "course": course,
            "patient": course.patient,
            "sessions": sessions,
            "counts": counts,
            "warnings": [(w["rule"], reason_message(w)) for w in course.warnings],
            "resume_form": resume_form,
            "today": timezone.localdate(),
            "next_window": next_course_window([course]),
        },
    )


@clinic_member_required
@permission_required("protocols.change_session", raise_exception=True)
def session_record(request, pk):
    session = get_object_or_404(
        Session.objects.for_user(request.user).select_related("course__patient"), pk=pk
    )
    course = session.course
    if request.method == "POST":
        form = RecordSessionForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                outcome = record_session(
                    session=session,
                    user=request.user,
                    done=data["outcome"] == RecordSessionForm.DONE,
                    actual_minutes=data["actual_minutes"],
                    pain_before=data["pain_before"],
                    pain_after=data["pain_after"],
                    skip_reason=form.skip_reason_text(),
                    note=data["note"],
                    expected_version=data["version"],
                )
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    form.add_error(None, error)
                else:
                    for message in error.messages:
                        messages.warning(request, message)
                    return redirect(_back(request, course))
            else:
                _recorded_messages(request, outcome)
                return redirect(_back(request, course))
    else:
        form = RecordSessionForm(
            initial={"actual_minutes": session.planned_minutes, "version": course.version}
        )
    return render(
        request,
        "protocols/session_record.html",
        {
            "session": session,
            "course": course,
            "patient": course.patient,
            "form": form,
            "severe_pain": SEVERE_PAIN,
            "next": request.GET.get("next", ""),
        },
    )


def _back(request, course):
    target = request.POST.get("next") or ""
    if target == "day":
        return "home"
    return course.get_absolute_url()


def _recorded_messages(request, outcome):
    session = outcome.session
    if outcome.skipped_for_pain:
        messages.warning(
            request,
            _(
                "Pain %(pain)d of 10 before session %(number)d: massage is not performed on such "
                "a day (R10). The session is recorded as skipped."
            )
            % {"pain": session.pain_before, "number": session.number},
        )
    elif session.status == Session.DONE:
        messages.success(request, _("Session %(number)d recorded.") % {"number": session.number})
    else:
        messages.success(
            request, _("Session %(number)d recorded as skipped.") % {"number": session.number}
        )
    if outcome.made_up:
        messages.info(
            request, _("The remaining sessions moved on by one, keeping the cadence and days.")
        )
    for reason in outcome.not_made_up:
        messages.warning(request, _("The skipped session was not made up: %s") % reason)


@require_POST
@clinic_member_required
@permission_required("protocols.change_course", raise_exception=True)
def course_close(request, pk, action):
    course = get_course_for_user(request.user, pk)
    status = {"complete": Course.COMPLETED, "cancel": Course.CANCELLED}[action]
    form = CourseChangeForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.non_field_errors()))
        return redirect(course)
    try:
        close_course(course=course, status=status, expected_version=form.cleaned_data["version"])
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        if status == Course.COMPLETED:
            messages.success(request, _("Course completed."))
        else:
            messages.success(request, _("Course cancelled; its remaining sessions are cancelled."))
    return redirect(course)


@require_POST
@clinic_member_required
@permission_required("protocols.change_course", raise_exception=True)
def course_resume(request, pk):
    course = get_course_for_user(request.user, pk)
    form = ResumeForm(request.POST)
    if not form.is_valid():
        if form.non_field_errors():
            messages.error(request, " ".join(form.non_field_errors()))
        else:
            for error in form.errors.get("start", [_("Enter the date to resume from.")]):
                messages.error(request, error)
        return redirect(course)
    try:
        resume_course(
            course=course,
            start=form.cleaned_data["start"],
            expected_version=form.cleaned_data["version"],
        )
    except CourseRefused as refused:
        for reason in refused.refusal.reasons:
            messages.error(request, f"{reason.rule}: {reason_message(reason)}")
        if refused.refusal.earliest_start:
            messages.info(
                request,
                _("The earliest date that would work is %(date)s.")
                % {"date": refused.refusal.earliest_start.isoformat()},
            )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("The course is resumed; its remaining sessions are re-planned.")
        )
    return redirect(course)


def due_patients(user, today):
    """Patients due for a course within two weeks or overdue (R5), with none running.

    One query whatever the number of patients. The date that counts is the first session of the
    patient's latest completed course, which each course keeps (``Course.starts_on``): one step
    in the courses' (patient, status, start) index per patient, however long their history.
    "None running" is an EXISTS on the index of running courses.
    """
    from dateutil.relativedelta import relativedelta
    from django.db.models import Exists, OuterRef, Subquery

    from patients.models import Patient

    latest_start = (
        Course.objects.filter(
            patient=OuterRef("pk"), status=Course.COMPLETED, starts_on__isnull=False
        )
        .order_by("-starts_on")
        .values("starts_on")[:1]
    )
    running = Course.objects.filter(patient=OuterRef("pk"), status__in=Course.RUNNING)
    threshold = today + relativedelta(days=14) - relativedelta(months=6)
    return (
        Patient.objects.for_user(user)
        .filter(archived=False)
        .annotate(last_first=Subquery(latest_start))
        .filter(~Exists(running), last_first__lte=threshold)
        .order_by("last_first", "last_name", "pk")
    )


# --- Documents ------------------------------------------------------------------------------


def _pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _document_failed(request, failed: pdf.RenderFailed) -> HttpResponse:
    """The page shown instead of a PDF that could not be rendered within its limits."""
    return render(
        request, "protocols/document_failed.html", {"message": failed.message}, status=503
    )


def _serve_document(request, render, *, courses, document: str, filename: str) -> HttpResponse:
    """Render a PDF within its limits and note who opened it, or say why it could not be made."""
    try:
        content = render()
    except pdf.RenderFailed as failed:
        return _document_failed(request, failed)
    record_access(courses, document)
    return _pdf_response(content, filename)


def _course_for_documents(user, pk) -> Course:
    course = get_course_for_user(user, pk)
    prefetch_related_objects([course], *handouts.document_prefetches())
    return course


@require_GET
@clinic_member_required
@permission_required("protocols.view_course", raise_exception=True)
def course_handout(request, pk):
    """The patient's handout, A4, in the patient's language."""
    course = _course_for_documents(request.user, pk)
    return _serve_document(
        request,
        lambda: pdf.render_document(html.handout_html(course)),
        courses=[course],
        document="handout",
        filename=f"handout-{course.pk}.pdf",
    )


@require_GET
@clinic_member_required
@permission_required("protocols.view_course", raise_exception=True)
def course_sheet(request, pk):
    """The therapist's sheet for the whole course, in the therapist's language."""
    course = _course_for_documents(request.user, pk)
    sessions = [s for s in course.sessions.all() if s.status != Session.CANCELLED]
    page = html.sheets_html(
        [handouts.sheet_context(course, sessions)], language=translation.get_language()
    )
    return _serve_document(
        request,
        lambda: pdf.render_document(page),
        courses=[course],
        document="sheet",
        filename=f"sheet-{course.pk}.pdf",
    )


@require_GET
@clinic_member_required
@permission_required("protocols.view_course", raise_exception=True)
def day_sheets(request):
    """Every session sheet of one day in one PDF, in session order."""
    day = _query_date(request, "date") if request.GET.get("date") else timezone.localdate()
    if day is None:
        return HttpResponseBadRequest(_("Give the day as YYYY-MM-DD."))
    sessions = list(
        Session.objects.for_user(request.user)
        .filter(date=day)
        .exclude(status__in=(Session.CANCELLED, Session.ON_HOLD))
        .select_related("course__patient__clinic", "course__therapist")
        .order_by("course__patient__last_name", "course__patient__first_name", "number")
    )
    if len(sessions) >= settings.PDF_BACKGROUND_FROM:
        job = DocumentJob.objects.create(
            clinic=request.user.clinic,
            created_by=request.user,
            day=day,
            language=translation.get_language(),
            session_ids=[s.pk for s in sessions],
            total=len(sessions),
        )
        jobs.start(job)
        return redirect("protocols:document_job", pk=job.pk)
    if not sessions:
        messages.info(request, _("No sessions on %(date)s.") % {"date": date_format(day)})
        return redirect("home")
    prefetch_related_objects(sessions, *handouts.document_prefetches("course__"))
    return _serve_document(
        request,
        lambda: html.day_sheets_pdf(sessions, language=translation.get_language()),
        courses=_courses_of(sessions),
        document="day sheets",
        filename=f"sessions-{day.isoformat()}.pdf",
    )


def _courses_of(sessions) -> list[Course]:
    return list({session.course_id: session.course for session in sessions}.values())


@require_GET
@clinic_member_required
@permission_required("protocols.view_course", raise_exception=True)
def course_calendar_file(request, pk):
    """The course as an RFC 5545 calendar file, for the patient's phone."""
    from documents.calendar import course_calendar

    course = _course_for_documents(request.user, pk)
    with translation.override(course.patient.language):
        body = course_calendar(course)
    record_access([course], "calendar")
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="course-{course.pk}.ics"'
    response["Cache-Control"] = "private, no-store"
    return response


def _job_for_user(user, pk) -> DocumentJob:
    return get_object_or_404(DocumentJob.objects.for_user(user), pk=pk, created_by=user)


@require_GET
@clinic_member_required
@permission_required("protocols.view_course", raise_exception=True)
def document_job(request, pk):
    """A large document being rendered: a progress bar that polls until it is ready."""
    job = _job_for_user(request.user, pk)
    template = "protocols/_job_progress.html" if request.htmx else "protocols/document_job.html"
    return render(request, template, {"job": job})


@require_GET
@clinic_member_required
@permission_required("protocols.view_course", raise_exception=True)
def document_job_pdf(request, pk):
    job = _job_for_user(request.user, pk)
    if job.status != DocumentJob.DONE:
        return redirect("protocols:document_job", pk=job.pk)
    sessions = (
        Session.objects.for_user(request.user)
        .filter(pk__in=job.session_ids)
        .select_related("course__patient")
    )
    record_access(_courses_of(sessions), "day sheets")
    return _pdf_response(bytes(job.pdf), f"sessions-{job.day.isoformat()}.pdf")
