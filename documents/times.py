"""A session's appointment as people write it: "Mon 7 Dec, 10:30, room 2".

One function for every document (and for pages that want the same words). The day comes from
the locale's ``APPOINTMENT_DATE_FORMAT`` (``clinic/formats``), the time from its ``TIME_FORMAT``,
both in the clinic's time zone; a session without a time (planned before the appointment book,
or by a therapist without weekly hours) keeps its date and says "time to be agreed".
"""

from django.utils import translation
from django.utils.formats import date_format, get_format, time_format
from django.utils.translation import gettext as _

from protocols.booking import zone

DAY_FORMAT = "APPOINTMENT_DATE_FORMAT"
FALLBACK_DAY_FORMAT = "D j M"  # a language whose format module does not name the day's format


def _day_format() -> str:
    # Django returns the name itself for a format no module or setting defines.
    value = get_format(DAY_FORMAT)
    return FALLBACK_DAY_FORMAT if value == DAY_FORMAT else value


def _room_text(name: str) -> str:
    """A room named by a number reads "room 2"; one with a name ("Blue room") keeps it."""
    return _("room %(name)s") % {"name": name} if name.isdigit() else name


def appointment_label(session, clinic, *, language=None) -> str:
    """``session``'s day, time and room in ``clinic``'s zone, in ``language`` (default: the
    active one): "Mon 7 Dec, 10:30, room 2", "Пн, 7 дек, 10:30, кабинет 2", or
    "Mon 7 Dec, time to be agreed". Reads ``session.room`` (select it with the session)."""
    with translation.override(language or translation.get_language()):
        if session.starts_at is None:
            return ", ".join((date_format(session.date, _day_format()), _("time to be agreed")))
        local = session.starts_at.astimezone(zone(clinic))
        parts = [date_format(local.date(), _day_format()), time_format(local.time())]
        if session.room_id is not None:
            parts.append(_room_text(session.room.name))
        return ", ".join(parts)
