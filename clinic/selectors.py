"""Named read queries of the clinic's staff and time: who a course may be booked with, a member
of staff's own hours and absences."""

from django.shortcuts import get_object_or_404

from clinic.models import Absence, User, WorkingHours
from clinic.roles import GIVES_SESSIONS


def bookable_staff(clinic_id):
    """The clinic's active staff who give sessions (therapists and clinic admins), whom a course
    or a session may be booked with; not the front desk."""
    # Django's permission lookup as a subquery: the user's own permissions or their groups'.
    givers = User.objects.with_perm(GIVES_SESSIONS, backend="clinic.backends.StaffBackend")
    return givers.filter(clinic_id=clinic_id)


def own_absences(user):
    """The user's absences, earliest first."""
    return Absence.objects.filter(therapist=user).order_by("start", "pk")


def get_own_absence(user, pk) -> Absence:
    """The absence ``pk`` if it is the user's own; 404 otherwise (a colleague's, another clinic's).

    A clinic admin edits colleagues' absences on the staff page of the admin, not here."""
    return get_object_or_404(own_absences(user), pk=pk)


def own_weekly_hours(user):
    """The user's working intervals, Monday first, each day's in time order."""
    return WorkingHours.objects.filter(therapist=user).order_by("weekday", "start")
