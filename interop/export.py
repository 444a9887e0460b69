"""The two exports: one patient's Bundle, and a clinic's NDJSON files (FHIR Bulk Data style).

Both are access events on the audit trail: one entry per patient whose record went out.
"""

import json
from datetime import date, datetime, time
from pathlib import Path

from django.db.models import Q
from django.utils import timezone

from audit.models import AuditEntry
from audit.trail import record_export
from clinic.selectors import bookable_staff
from interop import fhir
from patients.models import Patient

BATCH = 200  # patients read (with their courses and sessions) at a time
COMMAND = "manage.py export_fhir"


def export_patient(patient: Patient, *, actor_name: str = "") -> dict:
    """``patient``'s Bundle (re-read with everything it holds), noted on the audit trail."""
    patient = fhir.patients_for_export(Patient.objects.filter(pk=patient.pk)).get()
    bundle = fhir.patient_bundle(patient, timezone.now())
    record_export([patient], "fhir", actor_name=actor_name)
    return bundle


def to_json(resource: dict) -> str:
    return json.dumps(resource, ensure_ascii=False, separators=(",", ":"))


def changed_since(clinic, since: date) -> Q:
    """Patients whose record changed on or after ``since``: created then, or with an entry of
    the audit trail since (every write of a clinical record has one)."""
    start = timezone.make_aware(datetime.combine(since, time.min))
    touched = (
        AuditEntry.objects.filter(clinic=clinic, timestamp__gte=start, patient_id__isnull=False)
        .exclude(action=AuditEntry.Action.ACCESS)
        .values("patient_id")
    )
    return Q(created_at__gte=start) | Q(pk__in=touched)


def export_clinic(clinic, directory: Path, *, since: date | None = None) -> dict[str, int]:
    """Write ``<Type>.ndjson`` for each of fhir.RESOURCE_TYPES into ``directory``: one resource
    a line, the clinic's own records only. Returns how many resources of each type."""
    directory.mkdir(parents=True, exist_ok=True)
    patients = Patient.objects.filter(clinic=clinic)
    if since is not None:
        patients = patients.filter(changed_since(clinic, since))
    patients = fhir.patients_for_export(patients.order_by("pk"))
    counts = dict.fromkeys(fhir.RESOURCE_TYPES, 0)
    files = {kind: open(directory / f"{kind}.ndjson", "w", encoding="utf-8") for kind in counts}  # noqa: SIM115
    practitioners = {}
    if since is None:
        practitioners = {user.pk: user for user in bookable_staff(clinic.pk)}
    exported = []
    try:
        for patient in patients.iterator(chunk_size=BATCH):
            for resource in fhir.patient_resources(patient):
                files[resource["resourceType"]].write(to_json(resource) + "\n")
                counts[resource["resourceType"]] += 1
            practitioners |= fhir.practitioners_of([patient])
            exported.append(patient)
            if len(exported) >= BATCH:
                record_export(exported, "fhir", actor_name=COMMAND)
                exported = []
        for user in sorted(practitioners.values(), key=lambda u: u.pk):
            if user.clinic_id != clinic.pk:
                continue
            resource = fhir.practitioner_resource(user, clinic.default_language)
            files["Practitioner"].write(to_json(resource) + "\n")
            counts["Practitioner"] += 1
        record_export(exported, "fhir", actor_name=COMMAND)
    finally:
        for handle in files.values():
            handle.close()
    return counts
