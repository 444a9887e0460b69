"""The FHIR R4 export: every resource of the demo clinic validated with fhir.resources (R4B
models), stable ids, only the clinic's own records, and every export on the audit trail."""

import importlib
import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle

from audit.models import AuditEntry
from clinic.models import Clinic, User
from interop import fhir
from patients.models import Condition, Patient
from protocols.models import Course, Session
from tests.factories import (
    ConditionFactory,
    CourseFactory,
    PatientFactory,
    SessionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def model(kind: str):
    return getattr(importlib.import_module(f"fhir.resources.R4B.{kind.lower()}"), kind)


@pytest.fixture
def demo():
    call_command("seed_demo", stdout=StringIO())
    return Clinic.objects.get(name="Demo Massage Clinic")


def export(clinic, directory, *extra) -> dict[str, list[dict]]:
    call_command(
        "export_fhir",
        "--clinic",
        str(clinic.pk),
        "--output",
        str(directory),
        *extra,
        stdout=StringIO(),
        stderr=StringIO(),
    )
    return {
        kind: [json.loads(line) for line in (directory / f"{kind}.ndjson").read_text().splitlines()]
        for kind in fhir.RESOURCE_TYPES
    }


def references(value):
    """Every ``reference`` inside a resource."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "reference" and isinstance(item, str):
                yield item
            else:
                yield from references(item)
    elif isinstance(value, list):
        for item in value:
            yield from references(item)


def test_every_resource_of_the_demo_clinic_is_valid_fhir(demo, tmp_path):
    files = export(demo, tmp_path)
    for kind, resources in files.items():
        assert resources, f"no {kind} in the demo"
        for resource in resources:
            assert resource["resourceType"] == kind
            model(kind).model_validate(resource)  # raises on anything R4 does not allow
    patients = Patient.objects.filter(clinic=demo)
    assert len(files["Patient"]) == patients.count()
    assert len(files["Condition"]) == Condition.objects.filter(patient__clinic=demo).count()
    assert len(files["CarePlan"]) == Course.objects.filter(patient__clinic=demo).count()
    done = Session.objects.filter(course__patient__clinic=demo, status=Session.DONE)
    skipped = Session.objects.filter(course__patient__clinic=demo, status=Session.SKIPPED)
    assert len(files["Procedure"]) == done.count() + skipped.count()
    scores = done.exclude(pain_before=None).count() + done.exclude(pain_after=None).count()
    assert len(files["Observation"]) == scores
    # Every reference points to a resource of the export (the room is named, not referenced).
    ids = {f"{kind}/{r['id']}" for kind, resources in files.items() for r in resources}
    for resources in files.values():
        for resource in resources:
            for target in references(resource):
                assert target.startswith("#") or target in ids, (resource["id"], target)


def test_pain_is_loinc_72514_3_and_part_of_its_session(demo, tmp_path):
    files = export(demo, tmp_path)
    procedures = {p["id"]: p for p in files["Procedure"]}
    session = Session.objects.filter(
        course__patient__clinic=demo, status=Session.DONE, pain_before__isnull=False
    ).first()
    before = next(o for o in files["Observation"] if o["id"] == f"observation-{session.pk}-before")
    assert before["code"]["coding"] == [
        {
            "system": "http://loinc.org",
            "code": "72514-3",
            "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
        }
    ]
    assert before["valueInteger"] == session.pain_before
    assert before["partOf"] == [{"reference": f"Procedure/procedure-{session.pk}"}]
    procedure = procedures[f"procedure-{session.pk}"]
    assert procedure["status"] == "completed"
    assert procedure["extension"][0]["valueDuration"]["value"] == session.actual_minutes
    assert procedure["basedOn"] == [{"reference": f"CarePlan/careplan-{session.course_id}"}]


def test_a_course_is_a_careplan_with_its_template_and_its_appointments(demo, tmp_path):
    files = export(demo, tmp_path)
    course = Course.objects.filter(patient__clinic=demo, therapist__isnull=False).first()
    plan = next(p for p in files["CarePlan"] if p["id"] == f"careplan-{course.pk}")
    assert plan["instantiatesCanonical"] == ["#template"]
    assert plan["contained"][0]["resourceType"] == "PlanDefinition"
    assert plan["contained"][0]["title"] == course.snapshot.text("name", "en")
    assert plan["author"]["reference"] == f"Practitioner/practitioner-{course.therapist_id}"
    timed = course.sessions.filter(starts_at__isnull=False).first()
    appointment = next(a for a in files["Appointment"] if a["id"] == f"appointment-{timed.pk}")
    assert appointment["start"] == timed.starts_at.isoformat(timespec="seconds")
    actors = [p["actor"] for p in appointment["participant"]]
    assert {"display": timed.room.name} in actors
    assert any(
        a.get("reference") == f"Practitioner/practitioner-{timed.therapist_id}" for a in actors
    )
    assert {"reference": f"Appointment/appointment-{timed.pk}"} in [
        a["reference"] for a in plan["activity"]
    ]


def test_the_conditions_carry_stage_and_surgery_date(demo, tmp_path):
    files = export(demo, tmp_path)
    by_id = {c["id"]: c for c in files["Condition"]}
    staged = Condition.objects.filter(patient__clinic=demo, stage__isnull=False).first()
    resource = by_id[f"condition-{staged.pk}"]
    assert resource["stage"][0]["summary"]["coding"][0]["code"] == str(staged.stage)
    assert resource["code"]["coding"][0] == {
        "system": "http://snomed.info/sct",
        "code": "239873007",
        "display": "Osteoarthritis of knee",
    }
    replaced = Condition.objects.filter(
        patient__clinic=demo, kind=Condition.ENDOPROSTHETICS
    ).first()
    assert by_id[f"condition-{replaced.pk}"]["onsetDateTime"] == replaced.surgery_date.isoformat()


def test_a_second_export_has_the_same_ids(demo, tmp_path):
    first = export(demo, tmp_path / "one")
    second = export(demo, tmp_path / "two")
    for kind in fhir.RESOURCE_TYPES:
        ids = [r["id"] for r in first[kind]]
        assert ids == [r["id"] for r in second[kind]], kind
        assert len(set(ids)) == len(ids), kind  # and no two resources share one


def test_only_the_clinics_own_records_go_out(demo, tmp_path, clinic_b, therapist_b):
    stranger = PatientFactory(clinic=clinic_b, last_name="Stranger")
    files = export(demo, tmp_path)
    assert f"patient-{stranger.pk}" not in {p["id"] for p in files["Patient"]}
    assert "Stranger" not in "".join(p.read_text() for p in tmp_path.iterdir())
    practitioners = {p["id"] for p in files["Practitioner"]}
    assert f"practitioner-{therapist_b.pk}" not in practitioners
    assert practitioners <= {f"practitioner-{u.pk}" for u in User.objects.filter(clinic=demo)}


def test_every_export_is_on_the_audit_trail(demo, tmp_path):
    def exports():
        return AuditEntry.objects.filter(
            action=AuditEntry.Action.ACCESS, additional_data__document="fhir"
        )

    export(demo, tmp_path)
    patients = set(Patient.objects.filter(clinic=demo).values_list("pk", flat=True))
    assert set(exports().values_list("patient_id", flat=True)) == patients
    assert set(exports().values_list("actor_name", flat=True)) == {"manage.py export_fhir"}
    patient = Patient.objects.filter(clinic=demo).first()
    out = StringIO()
    call_command("export_fhir", "--patient", str(patient.pk), stdout=out)
    Bundle.model_validate_json(out.getvalue())
    assert exports().filter(patient_id=patient.pk).count() == 2


def test_since_exports_only_the_patients_changed_since(demo, tmp_path):
    long_ago = timezone.now() - timedelta(days=400)
    Patient.objects.filter(clinic=demo).update(created_at=long_ago)
    AuditEntry.objects.filter(clinic=demo).update(timestamp=long_ago)
    changed = Patient.objects.filter(clinic=demo).order_by("pk").first()
    changed.phone = "+7 900 555 0000"
    changed.save()  # its audit entry is today's
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    files = export(demo, tmp_path, "--since", yesterday)
    assert [p["id"] for p in files["Patient"]] == [f"patient-{changed.pk}"]
    assert all(
        c["subject"]["reference"] == f"Patient/patient-{changed.pk}" for c in files["Condition"]
    )


def test_the_command_says_what_is_wrong(demo, tmp_path):
    with pytest.raises(CommandError, match="No patient"):
        call_command("export_fhir", "--patient", "999999", stdout=StringIO())
    with pytest.raises(CommandError, match="--output"):
        call_command("export_fhir", "--clinic", str(demo.pk), stdout=StringIO())
    with pytest.raises(CommandError, match="--since takes a date"):
        call_command(
            "export_fhir", "--clinic", str(demo.pk), "--output", str(tmp_path), "--since", "May"
        )


# --- The patient's Bundle in the workspace -------------------------------------------------


def test_a_patients_bundle_is_a_transaction_that_updates(client, demo):
    therapist = User.objects.get(username="demo-therapist")
    client.force_login(therapist)
    patient = Patient.objects.filter(clinic=demo, courses__sessions__status="done").first()
    url = reverse("interop:patient_fhir", args=[patient.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    bundle = Bundle.model_validate_json(response.content)
    assert bundle.type == "transaction"
    kinds = {entry.resource.get_resource_type() for entry in bundle.entry}
    assert {"Patient", "Practitioner", "Condition", "CarePlan", "Procedure", "Observation"} <= kinds
    for entry in bundle.entry:
        assert entry.request.method == "PUT"
        assert entry.request.url == f"{entry.resource.get_resource_type()}/{entry.resource.id}"
    again = Bundle.model_validate_json(client.get(url).content)
    assert [e.request.url for e in again.entry] == [e.request.url for e in bundle.entry]
    entry = AuditEntry.objects.filter(
        patient_id=patient.pk, action=AuditEntry.Action.ACCESS
    ).first()
    assert entry.actor_id == therapist.pk
    assert client.get(reverse("audit:patient", args=[patient.pk])).status_code == 403
    admin = User.objects.get(username="demo-admin")
    client.force_login(admin)
    trail = client.get(reverse("audit:patient", args=[patient.pk]))
    assert "Exported the record (FHIR)" in trail.content.decode()


def test_who_may_export_a_patient(client, demo, therapist_b):
    patient = Patient.objects.filter(clinic=demo).first()
    url = reverse("interop:patient_fhir", args=[patient.pk])
    assert client.get(url)["Location"].startswith(reverse("login"))
    client.force_login(User.objects.get(username="demo-reception"))
    assert client.get(url).status_code == 403  # the front desk reads no clinical record
    client.force_login(therapist_b)
    assert client.get(url).status_code == 404  # another clinic's patient
    client.force_login(User.objects.get(username="demo-admin"))
    assert client.get(url).status_code == 200
    before = AuditEntry.objects.count()
    client.force_login(therapist_b)
    client.get(url)
    assert AuditEntry.objects.count() == before  # a refused export is not an export


def test_records_with_empty_texts_still_export_valid_fhir(clinic_a, tmp_path):
    # FHIR allows no empty string: a skip without its reason, a therapist known by username only.
    nameless = UserFactory(username="t-nameless", first_name="", last_name="", clinic=clinic_a)
    patient = PatientFactory(clinic=clinic_a, email="", phone="", birth_date=None)
    ConditionFactory(patient=patient, note="")
    course = CourseFactory(patient=patient, sessions=0, therapist=nameless)
    SessionFactory(course=course, number=1, status=Session.SKIPPED, skip_reason="")
    SessionFactory(course=course, number=2, status=Session.DONE, actual_minutes=7, pain_after=3)
    files = export(clinic_a, tmp_path)
    for kind, resources in files.items():
        for resource in resources:
            model(kind).model_validate(resource)
    (skipped,) = [p for p in files["Procedure"] if p["status"] == "not-done"]
    assert "statusReason" not in skipped
    (practitioner,) = [p for p in files["Practitioner"] if p["id"] == f"practitioner-{nameless.pk}"]
    assert practitioner["name"] == [{"text": "t-nameless"}]
    assert [o["valueInteger"] for o in files["Observation"]] == [3]
