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

from clinic.models import Absence, User

EARLIEST = date(1900, 1, 1)
LATEST = date(2199, 12, 31)


def check_absence(
    *, therapist_id: int, start: date, end: date, reason: str, exclude_pk=None
) -> None:
    """The rules of an absence, with a message for each: the page's and the admin's."""
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


def _lock(therapist_id: int) -> None:
    User.objects.select_for_update().filter(pk=therapist_id).values_list("pk").get()


def record_absence(
    *, therapist: User, start: date, end: date, reason: str = Absence.LEAVE, note: str = ""
) -> Absence:
    """Record days ``therapist`` does not work, from ``start`` to ``end`` inclusive."""
    with transaction.atomic():
        _lock(therapist.pk)
        check_absence(therapist_id=therapist.pk, start=start, end=end, reason=reason)
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
