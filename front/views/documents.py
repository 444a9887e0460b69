"""The documents: handout, sheets, a day's sheets (in the background when large), calendar file."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.db.models import prefetch_related_objects
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from audit.trail import record_access
from clinic.middleware import not_activity
from documents import handouts, html, jobs, pdf
from documents.cache import (
    TooManyRenders,
    cached_pdf,
    check_can_render,
    handout_key,
    render_slot,
)
from documents.calendar import course_calendar
from front.decorators import clinic_member_required
from front.views.courses import query_date
from protocols.models import Course, DocumentJob, Session
from protocols.selectors import get_course_for_user


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


def _too_many(request, refused: TooManyRenders) -> HttpResponse:
    """The page shown while the user already has as many documents rendering as they may."""
    return render(
        request, "protocols/document_failed.html", {"message": refused.message}, status=429
    )


def _serve_document(
    request, render, *, courses, document: str, filename: str, cache_as=None
) -> HttpResponse:
    """Render a PDF within its limits and note who opened it, or say why it could not be made.

    ``cache_as``: (key, html) to serve the PDF of that HTML from the document cache.
    """

    def rendered():
        with render_slot(request.user):
            return render()

    try:
        content = cached_pdf(*cache_as, rendered) if cache_as is not None else rendered()
    except pdf.RenderFailed as failed:
        return _document_failed(request, failed)
    except TooManyRenders as refused:
        return _too_many(request, refused)
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
    page = html.handout_html(course)
    return _serve_document(
        request,
        lambda: pdf.render_document(page),
        courses=[course],
        document="handout",
        filename=f"handout-{course.pk}.pdf",
        cache_as=(handout_key(course), page),
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
    day = query_date(request, "date") if request.GET.get("date") else timezone.localdate()
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
        try:
            check_can_render(request.user)
        except TooManyRenders as refused:
            return _too_many(request, refused)
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
    if jobs.abandoned(job):  # no worker took it: stop the polling and say so
        jobs.give_up(job)
        job.refresh_from_db()
    if request.htmx:  # the progress bar polling: not the user at work
        not_activity(request)
    template = "protocols/_job_progress.html" if request.htmx else "protocols/document_job.html"
    context = {"job": job, "retention_hours": settings.PDF_RETENTION_HOURS}
    return render(request, template, context)


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
