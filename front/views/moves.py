"""Moving sessions (R18), stand-ins, no-shows and patients' cancellations, absences that reach
booked sessions, clinic closures.

A move is asked for by a form on the move page, by one of its offered times, or by a drop on the
calendar's grid: all three post the same fields to ``session_move``. A refused move shows every
rule with its message and the nearest times that keep them; the front desk, which reads no
clinical record, is told only that the course's clinical rules do not allow the time.
"""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.dateparse import parse_date
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from clinic.roles import READS_CLINICAL_RECORDS
from core.fields import clock_text, parse_clock
from core.request import posted
from front.decorators import clinic_member_required
from front.forms.moves import (
    AttendanceForm,
    ClosureForm,
    CoverAbsenceForm,
    MoveForm,
    MoveRestForm,
    person,
    within_reach,
)
from planner import moves as rules
from protocols.models import Session
from protocols.moving import (
    CLINICAL_REFUSAL,
    Answer,
    CoverRefused,
    MoveRefused,
    absence_preview,
    close_clinic,
    closure_preview,
    free_colleagues,
    local_start,
    may_move,
    move_rest,
    move_session,
    offers_for,
    record_absence_with_cover,
    record_attendance,
)
from protocols.planning import reason_message
from protocols.services import CourseChanged, CourseRefused


def _session(request, pk) -> Session:
    session = get_object_or_404(
        Session.objects.for_user(request.user).select_related(
            "course__patient__clinic", "course__therapist", "therapist", "room"
        ),
        pk=pk,
    )
    if not may_move(request.user, session):
        raise PermissionDenied(_("Only the session's therapist or the front desk may move it."))
    return session


def _not_planned(request, session):
    """A session already given, recorded or on hold is not moved: back, saying why."""
    if session.status == Session.PLANNED:
        return None
    messages.info(
        request,
        _("Session %(number)d is %(status)s: only a planned session can be moved or recorded.")
        % {"number": session.number, "status": session.get_status_display()},
    )
    return redirect(_next(request, _default_next(request, session)))


def _next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target == "day":
        return "/"
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    ):
        return target
    return default


def _default_next(request, session) -> str:
    if request.user.has_perm("protocols.view_course"):
        return session.course.get_absolute_url()
    return "/"


def reasons_for(user, reasons) -> list[str]:
    """Each refusing rule and its message; for a user who reads no clinical record the clinical
    ones become one line that says to ask the therapist."""
    clinical_reader = user.has_perm(READS_CLINICAL_RECORDS)
    lines, hidden = [], False
    for reason in reasons:
        if not clinical_reader and reason.rule in rules.CLINICAL_RULES:
            hidden = True
            continue
        lines.append(f"{reason.rule}: {reason_message(reason)}")
    if hidden:
        lines.append(str(CLINICAL_REFUSAL))
    return lines


def _when(session) -> str:
    clinic = session.course.patient.clinic
    start = local_start(clinic, session)
    day = date_format(session.date, "SHORT_DATE_FORMAT")
    return day if start is None else f"{day} {clock_text(start)}"


def _offer_rows(verdicts) -> list[dict]:
    rows = [
        {
            "day": verdict.day,
            "iso": verdict.day.isoformat(),
            "time": clock_text(verdict.start),
            "ends": clock_text(verdict.end),
            "room": verdict.room,
        }
        for verdict in verdicts
    ]
    return sorted(rows, key=lambda row: (row["day"], row["time"]))


def _move_page(request, session, form, *, refusal=None, offers=None, status=200):
    if offers is None:
        try:
            offers = offers_for(session)
        except ValidationError as error:
            offers = []
            messages.warning(request, " ".join(error.messages))
    clinic = session.course.patient.clinic
    total = session.course.sessions.exclude(status=Session.CANCELLED).count()
    start = local_start(clinic, session)
    rest_form = MoveRestForm(
        initial={
            "date": session.date,
            "time": start,
            "version": session.course.version,
        }
    )
    return render(
        request,
        "calendar/move.html",
        {
            "session": session,
            "course": session.course,
            "patient": session.course.patient,
            "total": total,
            "start": clock_text(start) if start is not None else "",
            "form": form,
            "rest_form": rest_form,
            "refusal": refusal or [],
            "offers": _offer_rows(offers),
            "colleagues": free_colleagues(session) if start is not None else [],
            "next": _next(request, ""),
            "clinical_reader": request.user.has_perm(READS_CLINICAL_RECORDS),
        },
        status=status,
    )


@clinic_member_required
@permission_required("protocols.book_session", raise_exception=True)
def session_move(request, pk):
    """The move page (GET), and a move (POST: the page's form, an offer, a drop on the grid)."""
    session = _session(request, pk)
    if request.method == "GET" and (back := _not_planned(request, session)):
        return back
    clinic = session.course.patient.clinic
    data = posted(request)
    form = MoveForm(
        data,
        clinic=clinic,
        initial={
            "date": session.date,
            "time": local_start(clinic, session),
            "version": session.course.version,
        },
    )
    if data is None:
        return _move_page(request, session, form)
    if not form.is_valid():
        return _move_page(request, session, form, status=400)
    values = form.cleaned_data
    try:
        moved = move_session(
            session=session,
            day=values["date"],
            start=values["time"],
            therapist=values["therapist"],
            user=request.user,
            expected_version=values["version"],
        )
    except MoveRefused as refused:
        return _move_page(
            request,
            session,
            form,
            refusal=reasons_for(request.user, refused.reasons),
            offers=refused.offers,
            status=409,
        )
    except CourseChanged as changed:
        messages.error(request, " ".join(changed.messages))
        return redirect(request.path)
    except ValidationError as error:
        form.add_error(None, error)
        return _move_page(request, session, form, status=400)
    messages.success(
        request,
        _("Session %(number)d of %(patient)s is now on %(when)s with %(therapist)s.")
        % {
            "number": moved.number,
            "patient": moved.course.patient.full_name,
            "when": _when(moved),
            "therapist": person(moved.therapist),
        },
    )
    return redirect(_next(request, _default_next(request, session)))


@require_POST
@clinic_member_required
@permission_required("protocols.book_session", raise_exception=True)
def session_move_rest(request, pk):
    """Re-plan this session and the rest of its course from a chosen day and time."""
    session = _session(request, pk)
    form = MoveRestForm(request.POST)
    back = redirect(request.path.replace("/move-rest/", "/move/"))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return back
    values = form.cleaned_data
    try:
        count = move_rest(
            session=session,
            day=values["date"],
            start=values["time"],
            user=request.user,
            expected_version=values["version"],
        )
    except MoveRefused as refused:
        for line in reasons_for(request.user, refused.reasons):
            messages.error(request, line)
        return back
    except CourseRefused as refused:
        for line in reasons_for(request.user, refused.refusal.reasons):
            messages.error(request, line)
        if refused.refusal.earliest_start:
            messages.info(
                request,
                _("The earliest date that would work is %(date)s.")
                % {"date": date_format(refused.refusal.earliest_start)},
            )
        return back
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return back
    messages.success(
        request,
        ngettext(
            "%(count)d session re-planned from %(date)s.",
            "%(count)d sessions re-planned from %(date)s.",
            count,
        )
        % {"count": count, "date": date_format(values["date"])},
    )
    return redirect(_next(request, _default_next(request, session)))


@clinic_member_required
@permission_required("protocols.book_session", raise_exception=True)
def session_attendance(request, pk):
    """Record that the patient did not come, or cancelled (with what they said)."""
    session = _session(request, pk)
    if request.method == "GET" and (back := _not_planned(request, session)):
        return back
    data = posted(request)
    form = AttendanceForm(data, initial={"version": session.course.version})
    if data is not None and form.is_valid():
        values = form.cleaned_data
        try:
            outcome = record_attendance(
                session=session,
                user=request.user,
                status=values["status"],
                reason=values["reason"],
                expected_version=values["version"],
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    for item in errors:
                        form.add_error(field if field in form.fields else None, item)
            else:
                form.add_error(None, error)
        else:
            recorded = outcome.session
            if recorded.status == Session.NO_SHOW:
                text = _("Recorded: %(patient)s did not come to session %(number)d.")
            else:
                text = _("Recorded: %(patient)s cancelled session %(number)d.")
            messages.success(
                request,
                text % {"patient": session.course.patient.full_name, "number": recorded.number},
            )
            if outcome.made_up:
                messages.info(request, _("The course adds one session at its end."))
            returned_message(request, outcome)
            for line in reasons_for(request.user, outcome.not_made_up_reasons):
                messages.warning(request, _("No session could be added: %s") % line)
            return redirect(_next(request, _default_next(request, session)))
    return render(
        request,
        "calendar/attendance.html",
        {
            "session": session,
            "patient": session.course.patient,
            "when": _when(session),
            "form": form,
            "next": _next(request, ""),
        },
    )


def returned_message(request, outcome) -> None:
    if outcome.returned:
        messages.warning(
            request,
            ngettext(
                "%(count)d session a colleague was to give is with the course's therapist again "
                "after the re-plan: check it on the calendar.",
                "%(count)d sessions colleagues were to give are with the course's therapist "
                "again after the re-plan: check them on the calendar.",
                outcome.returned,
            )
            % {"count": outcome.returned},
        )


# --- Absences and closures over booked sessions ---------------------------------------------


def _answer(value: str) -> Answer | None:
    """A radio's value: ``give:<user id>``, ``move:<YYYY-MM-DD>:<HH:MM>``, ``replan``."""
    kind, _sep, rest = value.partition(":")
    try:
        if kind == "give":
            return Answer(therapist_id=int(rest))
        if kind == "move":
            day, _sep, time = rest.partition(":")
            parsed, start = parse_date(day), parse_clock(time)
            if parsed is None or not within_reach(parsed) or start >= 24 * 60:
                return None
            return Answer(day=parsed, start=start)
    except ValueError:
        return None
    if kind == "replan":
        return Answer(replan=True)
    return None


def _answers(request, affected) -> dict:
    """Each session's own choice, else the one chosen for all at once where it applies."""
    everyone = request.POST.get("all", "")
    answers = {}
    for item in affected:
        own = _answer(request.POST.get(f"session-{item.session.pk}", ""))
        if own is None and everyone:
            if everyone.startswith("give:"):
                pk = everyone.removeprefix("give:")
                if any(str(c.pk) == pk for c in item.colleagues):
                    own = _answer(everyone)
            elif everyone == "nearest" and item.nearest is not None:
                own = Answer(day=item.nearest.day, start=item.nearest.start)
            elif everyone == "replan":
                own = Answer(replan=True)
        if own is not None:
            answers[item.session.pk] = own
    return answers


def _affected_rows(affected, problems, user, chosen) -> list[dict]:
    rows = []
    for item in affected:
        session = item.session
        nearest = item.nearest
        found = problems.get(session.pk, [])
        texts = [
            line
            for problem in found
            for line in (
                reasons_for(user, [problem]) if hasattr(problem, "rule") else [str(problem)]
            )
        ]
        rows.append(
            {
                "session": session,
                "when": _when(session),
                "colleagues": [(f"give:{c.pk}", person(c)) for c in item.colleagues],
                "nearest": nearest
                and {
                    "value": f"move:{nearest.day.isoformat()}:{clock_text(nearest.start)}",
                    "day": nearest.day,
                    "time": clock_text(nearest.start),
                },
                "problems": texts,
                "chosen": chosen.get(f"session-{session.pk}", ""),
            }
        )
    return rows


def _common_colleagues(affected) -> list[tuple[int, str]]:
    """Colleagues free for every affected session (offered for all at once)."""
    if not affected:
        return []
    common = {c.pk: c for c in affected[0].colleagues}
    for item in affected[1:]:
        common = {pk: c for pk, c in common.items() if c in item.colleagues}
    return [(f"give:{pk}", person(c)) for pk, c in common.items()]


def _cover_page(request, form, *, preview, save, saved_message, closure=False):
    """The absence and closure pages: the form; once it is valid, the booked sessions it
    reaches (``preview()``) with what can be done for each; a POST with an answer for every one
    (``confirm``), or reaching none, saves (``save(answers)``) in one transaction. A GET only
    shows what the days reach."""
    context = {"form": form, "rows": [], "common": [], "checked": False, "closure": closure}
    if not (form.is_bound and form.is_valid()):
        return render(request, "calendar/absence_new.html", context)
    try:
        affected = preview()
    except ValidationError as error:
        form.add_error(None, error)
        return render(request, "calendar/absence_new.html", context)
    posting = request.method == "POST"
    confirmed = posting and request.POST.get("confirm") == "1"
    problems, chosen = {}, {}
    if posting and (confirmed or not affected):
        try:
            save(_answers(request, affected) if confirmed else {})
        except CoverRefused as refused:
            messages.error(request, refused.messages[0])
            problems, chosen = refused.problems, request.POST
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, saved_message(len(affected)))
            return redirect("home")
    context["rows"] = _affected_rows(affected, problems, request.user, chosen)
    context["common"] = [] if closure else _common_colleagues(affected)
    context["any_nearest"] = any(item.nearest is not None for item in affected)
    context["checked"] = True
    return render(request, "calendar/absence_new.html", context)


@clinic_member_required
@permission_required(["protocols.book_session", "clinic.add_absence"], raise_exception=True)
def absence_new(request):
    """Record an absence; when it reaches booked sessions, list them first with what can be
    done for each (a colleague free then, the nearest allowed time, re-planning the course),
    and save the absence only with an answer for every one."""
    data = posted(request)
    initial = {key: request.GET.get(key) for key in ("therapist", "start", "end", "reason", "note")}
    form = CoverAbsenceForm(
        data if data is not None else (initial if initial.get("start") else None),
        user=request.user,
    )
    values = form.cleaned_data if form.is_bound and form.is_valid() else {}
    absence = {key: values.get(key) for key in ("therapist", "start", "end", "reason")}

    def saved_message(count):
        return ngettext(
            "Absence recorded for %(name)s; %(count)d booked session has its answer.",
            "Absence recorded for %(name)s; %(count)d booked sessions have their answers.",
            count,
        ) % {"name": person(values["therapist"]), "count": count}

    return _cover_page(
        request,
        form,
        preview=lambda: absence_preview(**absence),
        save=lambda answers: record_absence_with_cover(
            **absence, note=values["note"], answers=answers, user=request.user
        ),
        saved_message=saved_message,
    )


@clinic_member_required
@permission_required(["clinic.add_closeddate", "protocols.book_session"], raise_exception=True)
def closure_new(request):
    """Close the clinic on a day; every session booked then is moved first, all or nothing."""
    clinic = request.user.clinic
    form = ClosureForm(posted(request))
    values = form.cleaned_data if form.is_bound and form.is_valid() else {}
    return _cover_page(
        request,
        form,
        preview=lambda: closure_preview(clinic=clinic, day=values["date"]),
        save=lambda answers: close_clinic(
            clinic=clinic,
            day=values["date"],
            reason=values["reason"],
            answers=answers,
            user=request.user,
        ),
        saved_message=lambda count: (
            _("The clinic is closed on %(date)s.") % {"date": date_format(values["date"])}
        ),
        closure=True,
    )
