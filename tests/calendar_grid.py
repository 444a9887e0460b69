"""Set-up for the calendar's grid tests: bookings written directly at a given time.

A booking here is a session of a course made by ``CourseFactory`` (15 sessions from the day, every
other working day), its first session given a therapist, a time and a room, so a test sets any
day it likes without the planner; ``protocols.services.create_course`` books real courses.
"""

import re
from datetime import timedelta

from clinic.models import WorkingHours
from protocols import booking
from protocols.models import Session
from tests.factories import MONDAY, CourseFactory, PatientFactory

# Blood thinners since 1 December 2025, as a course stores the planner's R10 warning.
THINNERS = {
    "rule": "R10",
    "template": "Precaution: %(name)s is recorded from %(start)s and applies to planned "
    "sessions %(sessions)s.",
    "params": {
        "name": "Blood thinners (anticoagulants)",
        "name_ru": "Приём антикоагулянтов (препаратов, разжижающих кровь)",
        "code": "anticoagulants",
        "start": "2025-12-01",
        "sessions": "1–15",
    },
}


def hours(therapist, start=540, end=1080, weekdays=range(7)):
    WorkingHours.objects.bulk_create(
        WorkingHours(therapist=therapist, weekday=w, start=start, end=end) for w in weekdays
    )


def book(
    therapist,
    *,
    day=MONDAY,
    at=600,
    minutes=30,
    patient=None,
    room=None,
    status=Session.PLANNED,
    course_therapist=None,
    warnings=(),
    sessions=15,
):
    """The first session of a new course of ``patient`` (or a new patient), on ``day`` from
    ``at`` (minutes since midnight) for ``minutes``, given by ``therapist``."""
    clinic = therapist.clinic
    patient = patient or PatientFactory(clinic=clinic)
    course = CourseFactory(
        patient=patient,
        therapist=course_therapist or therapist,
        start=day,
        sessions=sessions,
        warnings=list(warnings),
    )
    session = course.sessions.get(number=1)
    session.date = day  # a day the clinic is closed too
    session.therapist = therapist
    session.starts_at = booking.aware(clinic, day, at)
    session.ends_at = session.starts_at + timedelta(minutes=minutes)
    session.room = room
    session.status = status
    session.save()
    return session


def block_html(page: str, session) -> str:
    """The HTML of the session's block on a grid page."""
    start = page.index(f'id="session-{session.pk}"')
    return page[start : page.index("</article>", start)]


def free_cells(page: str) -> list[tuple[str, str, str]]:
    """(date, time, therapist) of every drop target of a grid page."""
    return re.findall(
        r'data-drop data-date="([^"]+)" data-time="([^"]+)" data-therapist="([^"]+)"', page
    )
