"""How pages write an appointment: "10:30–11:00 · Room 2", or "time to be agreed"."""

from zoneinfo import ZoneInfo

from django import template
from django.utils.translation import gettext as _

from core.fields import clock_text

register = template.Library()


def _clock(moment, zone: ZoneInfo) -> str:
    local = moment.astimezone(zone)
    return clock_text(local.hour * 60 + local.minute)


def appointment_time(time_zone: str, starts_at, ends_at, room_name=None) -> str:
    """The booking's time in the clinic's zone (``time_zone``), and its room."""
    if starts_at is None:
        return _("time to be agreed")
    zone = ZoneInfo(time_zone)
    text = f"{_clock(starts_at, zone)}–{_clock(ends_at, zone)}"
    return f"{text} · {room_name}" if room_name else text


@register.simple_tag
def appointment(session, clinic) -> str:
    """The session's time in the clinic's zone and its room (the room must be loaded)."""
    room = session.room.name if session.room_id else None
    return appointment_time(clinic.time_zone, session.starts_at, session.ends_at, room)
