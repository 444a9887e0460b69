"""Who changed which clinical record or template, when, and what changed; who opened which document.

django-auditlog writes an entry for every save and delete of the registered models through their
signals. Writes that bypass signals (the planner's bulk inserts and updates of sessions) are
written here with ``log_rows``, and opening a handout, sheet or calendar file with
``record_access``. Every entry carries the person signed in (set per request by
``AuditContextMiddleware``, or by ``acting_as`` in commands), the address they came from, and the
clinic and patient it concerns.
"""

from collections.abc import Iterable
from contextlib import contextmanager
from contextvars import ContextVar

from auditlog.registry import auditlog
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model

from core.request import client_ip

# The request being answered (or a stand-in for commands): its user is read only when an entry is
# written, so requests that write nothing never touch the session for it.
_current = ContextVar("audit_request", default=None)


class _Actor:
    def __init__(self, user, address=None):
        self.user, self.address = user, address


class AuditContextMiddleware:
    """Makes the signed-in user and their address the author of every entry a request writes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current.set(request)
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)


@contextmanager
def acting_as(user, address=None):
    """Attribute the entries written inside the block to ``user`` (commands, scripts)."""
    token = _current.set(_Actor(user, address))
    try:
        yield
    finally:
        _current.reset(token)


def _author() -> dict:
    current = _current.get()
    if current is None:
        return {}
    if isinstance(current, _Actor):
        user, address = current.user, current.address
    else:
        user = getattr(current, "user", None)
        address = client_ip(current)
    values = {"remote_addr": address}
    if user is not None and user.is_authenticated:
        values.update(
            actor=user,
            actor_email=user.email or None,
            actor_name=user.get_full_name() or user.get_username(),
        )
    return values


# --- What each model's entries are about ----------------------------------------------------


def _patient_scope(patient_id):
    from patients.models import Patient

    clinic_id = Patient.objects.filter(pk=patient_id).values_list("clinic_id", flat=True).first()
    return clinic_id, patient_id


def _scope(instance) -> tuple[int | None, int | None]:
    """(clinic id, patient id) of the record an entry is about."""
    from patients.models import Patient
    from protocols.models import Course, Session

    if isinstance(instance, Patient):
        return instance.clinic_id, instance.pk
    if isinstance(instance, Session):
        instance = instance.course
    if isinstance(instance, Course) or hasattr(instance, "patient_id"):
        patient = instance._state.fields_cache.get("patient")
        if patient is not None:
            return patient.clinic_id, patient.pk
        return _patient_scope(instance.patient_id)
    if hasattr(instance, "template"):  # a template's step or handout section
        return instance.template.clinic_id, None
    return getattr(instance, "clinic_id", None), None


def entry_defaults(instance) -> dict:
    clinic_id, patient_id = _scope(instance)
    return {"clinic_id": clinic_id, "patient_id": patient_id, **_author()}


# --- Registration ---------------------------------------------------------------------------

# Bookkeeping columns that say nothing a reader of the trail needs.
_NOT_TRACKED = ["created_at", "updated_at", "request_token", "revision", "version"]


def register_models() -> None:
    from patients.models import (
        Condition,
        ContraindicationKind,
        Exacerbation,
        Patient,
        PatientContraindication,
    )
    from protocols.models import Course, HandoutSection, ProtocolStep, ProtocolTemplate, Session

    for model in (Patient, Condition, Exacerbation, PatientContraindication, Session):
        auditlog.register(model, exclude_fields=_NOT_TRACKED)
    # The snapshot is written once, with the course, and its content is the template version's.
    auditlog.register(Course, exclude_fields=[*_NOT_TRACKED, "template_snapshot", "warnings"])
    for model in (ProtocolTemplate, ProtocolStep, HandoutSection, ContraindicationKind):
        auditlog.register(model, exclude_fields=_NOT_TRACKED)


# --- Entries written by hand ----------------------------------------------------------------


def _value(value) -> str:
    return "None" if value is None else str(value)


def _entry(instance, action, *, author, clinic_id, patient_id, changes=None, data=None):
    from audit.models import AuditEntry

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
    from audit.models import AuditEntry

    author = _author()
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
    from audit.models import AuditEntry

    author = _author()
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
