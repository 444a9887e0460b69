"""A member of staff's own page: their weekly hours, and the absences they keep themselves.

Clinic admins edit everyone's hours and absences on the staff page of the admin; here each
therapist sees only their own, and another person's absence is not found. The page is for staff
who give sessions (``GIVES_SESSIONS``): the front desk has no hours or leave that the calendar
books around, and records colleagues' absences from the calendar instead.
"""

from functools import partial
from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clinic.models import WEEKDAY_CHOICES
from clinic.roles import GIVES_SESSIONS
from clinic.selectors import get_own_absence, own_absences, own_weekly_hours
from clinic.services import change_absence, delete_absence, record_absence
from core.fields import clock_text
from core.request import posted
from front.decorators import clinic_member_required
from front.forms.staff import AbsenceForm
from protocols.moving import booked_with


def _week(user) -> list[tuple[str, list[str]]]:
    """Each weekday with its intervals as text ("09:00–13:00"), an empty list for a day off."""
    by_day = {
        weekday: [f"{clock_text(h.start)}–{clock_text(h.end)}" for h in hours]
        for weekday, hours in groupby(own_weekly_hours(user), key=lambda h: h.weekday)
    }
    return [(name, by_day.get(weekday, [])) for weekday, name in WEEKDAY_CHOICES]


def _described(absence) -> str:
    """ "leave, 3 Mar 2026 – 7 Mar 2026", for the messages after a change."""
    first, last = (date_format(day, "SHORT_DATE_FORMAT") for day in (absence.start, absence.end))
    return f"{absence.get_reason_display()}, {first} – {last}"


def _save(form, write):
    """What ``write`` returns for a valid form, else None; a refusal goes onto the form, by the
    field it is about."""
    if not form.is_valid():
        return None
    try:
        return write(**form.cleaned_data)
    except ValidationError as refused:
        form.add_error(None, refused)
        return None


@clinic_member_required
@permission_required(
    [GIVES_SESSIONS, "clinic.view_workinghours", "clinic.view_absence"], raise_exception=True
)
def absences(request):
    """The weekly hours and the absences, with a form to add one."""
    if request.method == "POST" and not request.user.has_perm("clinic.add_absence"):
        raise PermissionDenied
    form = AbsenceForm(posted(request))
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        if booked_with(request.user.pk, values["start"], values["end"]):
            # Booked sessions first get a colleague or a new time, on the calendar's page.
            query = urlencode(
                {
                    "therapist": request.user.pk,
                    **{key: str(values[key]) for key in ("start", "end", "reason", "note")},
                }
            )
            return redirect(f"{reverse('calendar:absence_new')}?{query}")

    write = partial(record_absence, therapist=request.user)
    if request.method == "POST" and (absence := _save(form, write)):
        messages.success(
            request, _("Absence recorded: %(absence)s.") % {"absence": _described(absence)}
        )
        return redirect("staff:absences")
    return render(
        request,
        "staff/absences.html",
        {
            "form": form,
            "week": _week(request.user),
            "absences": own_absences(request.user),
            "today": timezone.localdate(),
        },
    )


@clinic_member_required
@permission_required([GIVES_SESSIONS, "clinic.change_absence"], raise_exception=True)
def absence_edit(request, pk):
    absence = get_own_absence(request.user, pk)
    form = AbsenceForm.for_absence(posted(request), absence)

    if request.method == "POST" and _save(form, partial(change_absence, absence=absence)):
        messages.success(
            request, _("Absence saved: %(absence)s.") % {"absence": _described(absence)}
        )
        return redirect("staff:absences")
    return render(request, "staff/absence_edit.html", {"form": form, "absence": absence})


@require_POST
@clinic_member_required
@permission_required([GIVES_SESSIONS, "clinic.delete_absence"], raise_exception=True)
def absence_delete(request, pk):
    absence = get_own_absence(request.user, pk)
    delete_absence(absence=absence)
    messages.success(request, _("Absence deleted: %(absence)s.") % {"absence": _described(absence)})
    return redirect("staff:absences")
