"""Writes on a patient's clinical facts that reach beyond one row."""

from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from patients.models import Condition, ContraindicationKind, Exacerbation, PatientContraindication
from protocols.services import hold_affected_courses


def save_period(period: Exacerbation | PatientContraindication) -> list:
    """Save an exacerbation or a contraindication period; hold the courses it reaches.

    An exacerbation puts the affected remaining sessions on hold (R6; for inflammatory arthritis
    until a month after it ends, R7); so does a blocking contraindication (R9). Returns the courses
    put on hold.
    """
    with transaction.atomic():
        period.save()
        since = date_format(period.start, "SHORT_DATE_FORMAT")
        if isinstance(period, Exacerbation):
            inflammatory = period.condition.kind == Condition.INFLAMMATORY_ARTHRITIS
            reason = _("%(rule)s: exacerbation (%(condition)s) since %(date)s") % {
                "rule": "R7" if inflammatory else "R6",
                "condition": period.condition.get_kind_display(),
                "date": since,
            }
            months_after = 1 if inflammatory else 0
        elif period.kind.severity == ContraindicationKind.BLOCKS:
            reason = _("R9: %(name)s since %(date)s") % {"name": period.kind.name, "date": since}
            months_after = 0
        else:
            return []
        return hold_affected_courses(
            patient=period.patient,
            start=period.start,
            end=period.end,
            reason=reason,
            months_after_end=months_after,
        )
