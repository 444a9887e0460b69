"""The course calendar file (RFC 5545): one event per session, for the patient's phone calendar.

A booked session (``starts_at``/``ends_at``, R17) is an event from its start to its end: the
booking's whole slot, as the clinic holds it. Times are written in the clinic's time zone
(``Clinic.time_zone``): with a named zone the start and end carry ``TZID`` and the calendar the
matching ``VTIMEZONE``; with UTC they are written as UTC (``Z``). A session without a time ("time to
be agreed": planned before the appointment book, or by a therapist without weekly hours) is shown
as before the book, from ``DEFAULT_START`` on its date for its planned minutes, and its description
says the time is still to be agreed.

Every session is exported, whatever its status: sessions that will not take place (skipped, on
hold, cancelled) are sent with ``STATUS:CANCELLED``, so a calendar that imported an earlier file
removes them. ``UID`` is fixed per session and ``SEQUENCE`` is the session's revision, so a
re-import replaces moved events instead of duplicating them.

The texts are translated with ``gettext``: the caller activates the patient's language.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event
from icalendar.prop import vText

from protocols.booking import zone as clinic_zone
from protocols.models import Course, Session

PRODID = "-//Massage course planner//EN"
UID_DOMAIN = "massage-course-planner"
# A session without a time ("to be agreed") is shown from this local time on its date.
DEFAULT_START = time(9, 0)

# Sessions that still take place (or took place) are normal events; the rest are cancelled.
TAKING_PLACE = (Session.PLANNED, Session.DONE)


def session_uid(session: Session) -> str:
    """The event's UID: the same in every export of the course, different for every session."""
    return f"session-{session.pk}@{UID_DOMAIN}"


def course_calendar(course: Course) -> bytes:
    """The course's sessions as an iCalendar file (UTF-8 bytes, CRLF lines)."""
    sessions = sorted(course.sessions.all(), key=lambda session: session.number)
    clinic = course.patient.clinic
    zone = clinic_zone(clinic)
    stamp = timezone.now().astimezone(ZoneInfo("UTC"))
    total = max((session.number for session in sessions), default=0)
    location = ", ".join(part for part in (clinic.name, clinic.address) if part)
    calendar_name = course.name or _("Massage course")

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    # icalendar does not know NAME / X-WR-CALNAME as text and would write them unescaped.
    calendar.add("name", vText(calendar_name))
    calendar.add("x-wr-calname", vText(calendar_name))

    for session in sessions:
        event = Event()
        event.add("uid", session_uid(session))
        event.add("dtstamp", stamp)
        event.add("sequence", session.revision)
        if session.starts_at is not None:
            event.add("dtstart", session.starts_at.astimezone(zone))
            event.add("dtend", session.ends_at.astimezone(zone))
        else:
            event.add("dtstart", datetime.combine(session.date, DEFAULT_START, tzinfo=zone))
            event.add("duration", timedelta(minutes=session.planned_minutes))
        event.add("summary", _summary(session, total, course.name))
        if location:
            event.add("location", location)
        event.add("description", _description(session, clinic.phone))
        event.add("status", "CONFIRMED" if session.status in TAKING_PLACE else "CANCELLED")
        calendar.add_component(event)

    if sessions:
        days = [session.date for session in sessions]
        calendar.add_missing_timezones(
            first_date=min(days) - timedelta(days=1), last_date=max(days) + timedelta(days=2)
        )
    return calendar.to_ical()


def _summary(session: Session, total: int, name: str) -> str:
    if name:
        return _("Massage session %(number)d of %(total)d — %(name)s") % {
            "number": session.number,
            "total": total,
            "name": name,
        }
    return _("Massage session %(number)d of %(total)d") % {
        "number": session.number,
        "total": total,
    }


def _description(session: Session, phone: str) -> str:
    paragraphs = []
    if session.status == Session.SKIPPED:
        paragraphs.append(_("This session was skipped."))
    elif session.status == Session.ON_HOLD:
        paragraphs.append(_("This session is on hold: the clinic will give you a new date."))
    elif session.status == Session.CANCELLED:
        paragraphs.append(_("This session is cancelled."))
    elif session.status == Session.NO_SHOW:
        paragraphs.append(_("You did not come to this session; the clinic added one at the end."))
    elif session.status == Session.PATIENT_CANCELLED:
        paragraphs.append(_("You cancelled this session; the clinic added one at the end."))
    paragraphs.append(
        _("The massage is planned to last %(minutes)d minutes.")
        % {"minutes": session.planned_minutes}
    )
    if session.starts_at is None and session.status in TAKING_PLACE:
        paragraphs.append(_("The time is still to be agreed: the clinic will tell you."))
    if phone:
        advice = _(
            "If you have a fever, bleeding or a new swelling, do not come: "
            "call the clinic first on %(phone)s."
        ) % {"phone": phone}
    else:
        advice = _(
            "If you have a fever, bleeding or a new swelling, do not come: call the clinic first."
        )
    paragraphs.append(advice)
    return "\n\n".join(paragraphs)
