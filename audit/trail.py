"""Entries written by hand: the writes that go around model signals, and document access.

django-auditlog writes an entry for every save and delete of the models registered in
``audit.registry``. The planner's bulk inserts and updates of sessions bypass those signals and
are written here with ``log_rows``; opening a handout, sheet or calendar file with
``record_access``. Every entry carries its author (``audit.context``) and the clinic and patient
it concerns.
"""

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model

from audit.context import author as current_author
from audit.models import AuditEntry


def _value(value) -> str:
    return "None" if value is None else str(value)


def _entry(instance, action, *, author, clinic_id, patient_id, changes=None, data=None):
    return AuditEntry(
        content_type=ContentType.objects.get_for_model(instance),
        object_pk=str(instance.pk),
        object_id=instance.pk,
        object_repr=str(instance),
        action=action,
        changes=changes,
        additional_data=data,
        clinic_id=clinic_id,
        patient_id=patient_id,
        **author,
    )


def log_rows(rows: Iterable[tuple[Model, int, dict]], *, clinic_id, patient_id) -> None:
    """Write one entry per (instance, action, {field: (old, new)}) in one insert.

    For the writes that go around model signals (bulk inserts and updates of sessions).
    """
    author = current_author()
    AuditEntry.objects.bulk_create(
        _entry(
            instance,
            action,
            author=author,
            clinic_id=clinic_id,
            patient_id=patient_id,
            changes={name: [_value(old), _value(new)] for name, (old, new) in changes.items()},
        )
        for instance, action, changes in rows
    )


def record_access(courses: Iterable, document: str) -> None:
    """Note that the signed-in user opened ``document`` of each course (handout, sheet, ...).

    The courses' patients must be loaded (they are, for every document).
    """
    author = current_author()
    AuditEntry.objects.bulk_create(
        _entry(
            course,
            AuditEntry.Action.ACCESS,
            author=author,
            clinic_id=course.patient.clinic_id,
            patient_id=course.patient_id,
            data={"document": document},
        )
        for course in courses
    )


def record_export(patients: Iterable, document: str, *, actor_name: str = "") -> None:
    """Note that each of ``patients``' records was exported as ``document`` (e.g. "fhir"), by
    the signed-in user or the command (``actor_name``, when no one is signed in)."""
    author = current_author() or {"actor_name": actor_name}
    AuditEntry.objects.bulk_create(
        _entry(
            patient,
            AuditEntry.Action.ACCESS,
            author=author,
            clinic_id=patient.clinic_id,
            patient_id=patient.pk,
            data={"document": document},
        )
        for patient in patients
    )
