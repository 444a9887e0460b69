"""Writes that span several rows: planning and saving a course with its sessions."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from patients.models import Patient
from protocols import planner
from protocols.models import Course, Session
from protocols.planning import (
    build_request,
    reason_as_dict,
    reason_message,
    rules_from_template,
    template_snapshot,
)


class CourseRefused(ValidationError):
    """The planner refused the course; ``refusal`` holds every reason and the earliest start."""

    def __init__(self, refusal: planner.Refusal):
        self.refusal = refusal
        messages = [f"{reason.rule}: {reason_message(reason)}" for reason in refusal.reasons]
        if refusal.earliest_start:
            messages.append(
                _("The earliest start that would work is %(date)s.")
                % {"date": refusal.earliest_start.isoformat()}
            )
        super().__init__(messages)


def create_course(
    *,
    patient: Patient,
    template,
    start: date,
    sessions: int | None = None,
    cadence_days: int | None = None,
    therapist=None,
    created_by=None,
) -> Course:
    """Plan a course and save it with all its sessions, or raise ``CourseRefused``.

    The patient's row is locked for the duration, so two simultaneous plannings for one patient
    are checked one after the other (R4 sees the first course when checking the second).
    """
    if patient.archived:
        raise ValidationError(_("This patient is archived: restore the record before planning."))
    if template.clinic_id != patient.clinic_id:
        raise ValidationError(_("Choose a protocol template of the patient's clinic."))
    if not template.active:
        raise ValidationError(_("This template is no longer in use; choose an active one."))
    if therapist is not None and therapist.clinic_id != patient.clinic_id:
        raise ValidationError(_("Choose a therapist of the patient's clinic."))
    with transaction.atomic():
        patient = Patient.objects.select_for_update().select_related("clinic").get(pk=patient.pk)
        request = build_request(
            patient=patient,
            rules=rules_from_template(template),
            start=start,
            sessions=sessions,
            cadence_days=cadence_days,
        )
        answer = planner.plan(request)
        if isinstance(answer, planner.Refusal):
            raise CourseRefused(answer)
        course = Course.objects.create(
            patient=patient,
            template=template,
            template_snapshot=template_snapshot(template),
            cadence_days=request.cadence_days or template.cadence_days,
            therapist=therapist,
            created_by=created_by,
            warnings=[reason_as_dict(reason) for reason in answer.warnings],
        )
        Session.objects.bulk_create(
            Session(course=course, number=s.number, date=s.day, planned_minutes=s.minutes)
            for s in answer.sessions
        )
    return course
