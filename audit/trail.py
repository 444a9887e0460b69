"""Entries written by hand: the writes that go around model signals, and document access.

django-auditlog writes an entry for every save and delete of the models registered in
``audit.registry``. The planner's bulk inserts and updates of sessions bypass those signals and
are written here with ``log_rows``; opening a handout, sheet or calendar file with
``record_access``; viewing a patient's record (pages, searches, the admin) with ``record_view``;
failed sign-ins with ``record_failed_sign_in``. Every entry carries its author
(``audit.context``) and the clinic and patient it concerns.
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


def record_view(viewed, page: str, *, clinic_id, patient_id=None, **data) -> None:
    """Note that the signed-in user viewed ``page`` of a patient's record: one insert, nothing
    read (content types are cached). ``viewed`` is the record, or its model for a list (a
    search); ``data`` says more, e.g. how many patients a search found, never their names."""
    if isinstance(viewed, type):
        model, pk, text = viewed, None, ""
    else:
        model, pk, text = type(viewed), viewed.pk, str(viewed)
    AuditEntry(
        content_type=ContentType.objects.get_for_model(model),
        object_pk="" if pk is None else str(pk),
        object_id=pk,
        object_repr=text,
        action=AuditEntry.Action.ACCESS,
        additional_data={"page": page, **data},
        clinic_id=clinic_id,
        patient_id=patient_id,
        **current_author(),
    ).save(force_insert=True)


SIGN_IN_FAILED = "sign-in failed"


def record_failed_sign_in(user_model, *, username: str, user=None) -> None:
    """A failed sign-in: the username as typed (already cut to length) and, from the request,
    the address. A known user's entry belongs to their clinic (its admins read it); an unknown
    username's to none (superusers read it)."""
    AuditEntry.objects.create(
        content_type=ContentType.objects.get_for_model(user_model),
        object_pk=str(user.pk) if user is not None else "",
        object_id=user.pk if user is not None else None,
        object_repr=username,
        action=AuditEntry.Action.ACCESS,
        additional_data={"event": SIGN_IN_FAILED, "username": username},
        clinic_id=user.clinic_id if user is not None else None,
        **current_author(),
    )


PASSWORD_RESET_ASKED = "password reset asked"


def record_anonymous_event(user_model, event: str) -> None:
    """Something a visitor who is not signed in asked for (a password reset), with the address
    from the request and nothing of what was typed."""
    AuditEntry.objects.create(
        content_type=ContentType.objects.get_for_model(user_model),
        object_pk="",
        object_repr="",
        action=AuditEntry.Action.ACCESS,
        additional_data={"event": event},
        **current_author(),
    )


def anonymous_events_from(address: str, since, event: str) -> int:
    """How many ``event`` entries without an author came from ``address`` since ``since``
    (through a small partial index: only entries without an author)."""
    return AuditEntry.objects.filter(
        actor__isnull=True,
        remote_addr=address,
        timestamp__gte=since,
        additional_data__event=event,
    ).count()


def failed_sign_ins_from(address: str, since) -> int:
    """How many sign-ins failed from ``address`` since ``since``."""
    return anonymous_events_from(address, since, SIGN_IN_FAILED)


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
