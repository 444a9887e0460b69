"""The therapist's workspace: planning a course, the course page, recording sessions."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, prefetch_related_objects
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

import planner
from audit.trail import record_view
from core.fields import clock_text
from front.decorators import clinic_member_required
from front.forms.courses import (
    STALE_FORM,
    CourseChangeForm,
    PlanCourseForm,
    RecordSessionForm,
    ResumeForm,
)
from front.views.moves import returned_message
from patients.selectors import get_patient_for_user
from protocols import booking
from protocols.models import Course, ProtocolTemplate, Session
from protocols.moving import record_attendance
from protocols.planning import next_course_window, plan_for_patient, reason_message, staff_line
from protocols.selectors import get_course_for_user
from protocols.services import (
    SEVERE_PAIN,
    CourseRefused,
    close_course,
    create_course,
    give_times,
    record_session,
    resume_course,
    suggested_resume_date,
)


def query_date(request, key):
    """The date in the query string, or None when it is missing or not a real date."""
    try:
        return parse_date(request.GET.get(key, "") or "")
    except ValueError:  # well formed but impossible, e.g. 2026-02-30
        return None


def _plan_form(request, patient, data=None):
    templates = list(ProtocolTemplate.objects.for_user(request.user).active().order_by("name"))
    initial = {"start": query_date(request, "start") or timezone.localdate()}
    if data is None:  # the form opens at the patient's usual time with this therapist
        initial["preferred_time"] = booking.default_time(patient, request.user)
    return PlanCourseForm(
        data, patient=patient, templates=templates, user=request.user, initial=initial
    )


def _answer_context(answer) -> dict:
    if answer is None:
        return {}
    if isinstance(answer, planner.Refusal):
        return {
            "refusal": [(r.rule, reason_message(r)) for r in answer.reasons],
            "earliest_start": answer.earliest_start,
        }
    moved = {}  # session number → why it is not at the preferred time or on its due day
    for note in answer.notes:
        moved.setdefault(note.params.get("number"), []).append(reason_message(note))
    return {
        "plan": answer,
        "warnings": [(r.rule, staff_line(r)) for r in answer.warnings],
        "rows": [
            {
                "session": s,
                "time": clock_text(s.start) if s.start is not None else "",
                "ends": clock_text(s.end) if s.end is not None else "",
                "moved": moved.get(s.number, []),
            }
            for s in answer.sessions
        ],
        "timed": any(s.start is not None for s in answer.sessions),
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
                therapist=form.chosen_therapist(),
                created_by=request.user,
                request_token=data["token"],
                preferred_time=data["preferred_time"],
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
            therapist=form.chosen_therapist(),
            preferred_time=data["preferred_time"],
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
    record_view(course, "course", clinic_id=course.patient.clinic_id, patient_id=course.patient_id)
    timed = Session.objects.select_related("room", "therapist").order_by("number")
    prefetch_related_objects([course], Prefetch("sessions", queryset=timed))
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
            "remaining": counts[Session.PLANNED] + counts[Session.ON_HOLD],
            "warnings": [(w["rule"], staff_line(w)) for w in course.warnings],
            "resume_form": resume_form,
            "today": timezone.localdate(),
            "next_window": next_course_window([course]),
            "untimed": any(s.status == Session.PLANNED and s.starts_at is None for s in sessions),
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
        if form.is_valid() and form.cleaned_data["outcome"] == RecordSessionForm.NO_SHOW:
            return _record_no_show(request, session, form)
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
        record_view(
            session,
            "record form",
            clinic_id=course.patient.clinic_id,
            patient_id=course.patient_id,
        )
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


def _record_no_show(request, session, form):
    """The record form's "did not attend": the same as the calendar's no-show."""
    course = session.course
    try:
        outcome = record_attendance(
            session=session,
            user=request.user,
            status=Session.NO_SHOW,
            reason=form.cleaned_data["note"],
            expected_version=form.cleaned_data["version"],
        )
    except ValidationError as error:
        for message in error.messages:
            messages.warning(request, message)
        return redirect(_back(request, course))
    messages.success(
        request,
        _("Recorded: %(patient)s did not come to session %(number)d.")
        % {"patient": course.patient.full_name, "number": session.number},
    )
    if outcome.made_up:
        messages.info(request, _("The course adds one session at its end."))
    returned_message(request, outcome)
    return redirect(_back(request, course))


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
        messages.success(
            request,
            _("Session %(number)d of %(patient)s recorded as done.")
            % {"number": session.number, "patient": session.course.patient.full_name},
        )
    else:
        messages.success(
            request,
            _("Session %(number)d of %(patient)s recorded as skipped.")
            % {"number": session.number, "patient": session.course.patient.full_name},
        )
    if outcome.made_up:
        messages.info(
            request, _("The remaining sessions moved on by one, keeping the cadence and days.")
        )
    returned_message(request, outcome)
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


def _refusal_messages(request, refusal) -> None:
    """Every rule that refuses a change, and the earliest date that would work."""
    for reason in refusal.reasons:
        messages.error(request, f"{reason.rule}: {reason_message(reason)}")
    if refusal.earliest_start:
        messages.info(
            request,
            _("The earliest date that would work is %(date)s.")
            % {"date": date_format(refusal.earliest_start)},
        )


@require_POST
@clinic_member_required
@permission_required("protocols.change_course", raise_exception=True)
def course_times(request, pk):
    """Give the course's remaining sessions without a time their times (one click)."""
    course = get_course_for_user(request.user, pk)
    form = CourseChangeForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.non_field_errors()) or str(STALE_FORM))
        return redirect(course)
    try:
        count = give_times(course=course, expected_version=form.cleaned_data["version"])
    except CourseRefused as refused:
        _refusal_messages(request, refused.refusal)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            ngettext(
                "%(count)d session now has its time.",
                "%(count)d sessions now have their times.",
                count,
            )
            % {"count": count},
        )
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
        _refusal_messages(request, refused.refusal)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("The course is resumed; its remaining sessions are re-planned.")
        )
    return redirect(course)
