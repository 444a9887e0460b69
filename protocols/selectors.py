"""Named read queries of courses and sessions."""

from datetime import date

from django.db.models import Exists, OuterRef, Subquery
from django.shortcuts import get_object_or_404

import planner
from patients.models import Patient
from protocols.models import Course


def get_course_for_user(user, pk) -> Course:
    """The course ``pk`` if the user's clinic holds it; 404 otherwise (another clinic's too)."""
    return get_object_or_404(
        Course.objects.for_user(user).select_related("patient__clinic", "therapist", "template"),
        pk=pk,
    )


def due_patients(user, today: date):
    """Patients due for a course within ``planner.DUE_SOON_DAYS`` or overdue (R5), none running.

    Most overdue first. A patient is due when the planner's due date of their latest completed
    course (``planner.next_course_due`` of its first session, kept as ``Course.starts_on``) is on
    or before the horizon, that is when that first session is on or before
    ``planner.latest_first_session_due_by(horizon)``: one query whatever the number of patients,
    one step in the courses' (patient, status, start) index per patient. "None running" is an
    EXISTS on the index of running courses. Each patient has ``last_first`` (that first session).
    """
    horizon = planner.due_soon_horizon(today)
    latest_start = (
        Course.objects.filter(
            patient=OuterRef("pk"), status=Course.COMPLETED, starts_on__isnull=False
        )
        .order_by("-starts_on")
        .values("starts_on")[:1]
    )
    running = Course.objects.filter(patient=OuterRef("pk"), status__in=Course.RUNNING)
    return (
        Patient.objects.for_user(user)
        .filter(archived=False)
        .annotate(last_first=Subquery(latest_start))
        .filter(~Exists(running), last_first__lte=planner.latest_first_session_due_by(horizon))
        .order_by("last_first", "last_name", "pk")
    )
