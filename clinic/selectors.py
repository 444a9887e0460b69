"""Named read queries of the clinic's time: a member of staff's own hours and absences."""

from django.shortcuts import get_object_or_404

from clinic.models import Absence, WorkingHours


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
