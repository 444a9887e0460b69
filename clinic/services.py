"""Writes of the clinic's time: a therapist's absences.

Each function validates what it is given, raises ``ValidationError`` keyed by the field a person
would correct, with a message they understand, and writes inside ``transaction.atomic()``. The
therapist's row is locked first, so two writes of one therapist's absences (two tabs, or an admin
and the therapist) run one after the other and the overlap check sees the other's row.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from clinic.models import Absence, User

EARLIEST = date(1900, 1, 1)
LATEST = date(2199, 12, 31)

# Counters of the sessions booked with a therapist on some days, ``(therapist_id, start, end) ->
# int``: the app that books sessions registers one (``protocols.apps``). An absence over booked
# sessions is recorded only with an answer for each (``protocols.moving``), never here.
BOOKED_COUNTERS: list = []


def _check_not_booked(therapist_id: int, start: date, end: date) -> None:
    booked = sum(count(therapist_id, start, end) for count in BOOKED_COUNTERS)
    if booked:
        raise ValidationError(
            {
                "start": ngettext(
                    "%(count)d session is booked on these days: record the absence on the "
                    "calendar's absence page, which gives it to a colleague or a new time first.",
                    "%(count)d sessions are booked on these days: record the absence on the "
                    "calendar's absence page, which gives each to a colleague or a new time "
                    "first.",
                    booked,
                )
                % {"count": booked}
            }
        )


def check_absence(
    *,
    therapist_id: int,
    start: date,
    end: date,
    reason: str,
    exclude_pk=None,
    covered: bool = False,
) -> None:
    """The rules of an absence, with a message for each: the page's and the admin's.

    ``covered``: the sessions booked on its days get their answers in the same transaction."""
    errors = {}
    for name, day in (("start", start), ("end", end)):
        if not EARLIEST <= day <= LATEST:
            errors[name] = _("Enter a date from 1900 to 2199.")
    if reason not in dict(Absence.REASON_CHOICES):
        errors["reason"] = _("Choose a reason from the list.")
    if errors:
        raise ValidationError(errors)
    if end < start:
        raise ValidationError({"end": _("The last day cannot be before the first day.")})
    clash = (
        Absence.objects.filter(therapist_id=therapist_id, start__lte=end, end__gte=start)
        .exclude(pk=exclude_pk)
        .order_by("start")
        .first()
    )
    if clash is not None:
        raise ValidationError(
            {
                "start": _(
                    "These days overlap another absence (%(reason)s, %(start)s – %(end)s): "
                    "change that one or choose other days."
                )
                % {
                    "reason": clash.get_reason_display(),
                    "start": date_format(clash.start, "SHORT_DATE_FORMAT"),
                    "end": date_format(clash.end, "SHORT_DATE_FORMAT"),
                }
            }
        )
    if not covered:
        _check_not_booked(therapist_id, start, end)


def _lock(therapist_id: int) -> None:
    User.objects.select_for_update().filter(pk=therapist_id).values_list("pk").get()


def record_absence(
    *,
    therapist: User,
    start: date,
    end: date,
    reason: str = Absence.LEAVE,
    note: str = "",
    covered: bool = False,
) -> Absence:
    """Record days ``therapist`` does not work, from ``start`` to ``end`` inclusive.

    Refused over booked sessions unless ``covered`` (``protocols.moving`` answers them)."""
    with transaction.atomic():
        _lock(therapist.pk)
        check_absence(
            therapist_id=therapist.pk, start=start, end=end, reason=reason, covered=covered
        )
        return Absence.objects.create(
            therapist=therapist, start=start, end=end, reason=reason, note=note.strip()
        )


def change_absence(
    *, absence: Absence, start: date, end: date, reason: str, note: str = ""
) -> Absence:
    """Change the days, reason or note of ``absence`` (its therapist stays the same)."""
    with transaction.atomic():
        _lock(absence.therapist_id)
        check_absence(
            therapist_id=absence.therapist_id,
            start=start,
            end=end,
            reason=reason,
            exclude_pk=absence.pk,
        )
        absence.start, absence.end, absence.reason, absence.note = start, end, reason, note.strip()
        absence.save(update_fields=["start", "end", "reason", "note"])
        return absence


def delete_absence(*, absence: Absence) -> None:
    """Remove ``absence``: the therapist works those days after all."""
    with transaction.atomic():
        _lock(absence.therapist_id)
        Absence.objects.filter(pk=absence.pk).delete()
