"""Our records as FHIR R4 resources (plain dicts, JSON as FHIR defines it).

Every resource has a stable id made of its kind and our primary key (``patient-12``,
``procedure-345``, ``observation-345-before``), so a second export of the same record updates it
on the receiving server instead of duplicating it: a patient's Bundle is a *transaction* of PUTs,
and the NDJSON files of a clinic's export carry the same ids. The README's "FHIR export" section
maps each field to its element; the tests validate every resource with ``fhir.resources`` (R4B).

Texts (condition names, statuses) are in the clinic's language, which each resource states.
"""

from collections.abc import Iterable, Iterator
from datetime import timedelta

from django.db.models import Prefetch, QuerySet
from django.utils import translation

from clinic.models import User
from patients.models import Condition, Patient
from protocols.models import Course, Session

NPRS_LOINC = "72514-3"
NPRS_DISPLAY = "Pain severity - 0-10 verbal numeric rating [Score] - Reported"
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
# Our own code systems and extension: URNs, as the app has no public base URL of its own.
SYSTEM = "urn:massage-course-planner"
CONDITION_SYSTEM = f"{SYSTEM}:condition"
STAGE_SYSTEM = f"{SYSTEM}:kosinskaya-stage"
KL_SYSTEM = f"{SYSTEM}:kellgren-lawrence-grade"
PATIENT_ID_SYSTEM = f"{SYSTEM}:patient"
TEMPLATE_SYSTEM = f"{SYSTEM}:template"
SESSION_MINUTES = f"{SYSTEM}:fhir:session-minutes"
MASSAGE = {"system": f"{SYSTEM}:procedure", "code": "massage", "display": "Massage"}
# SNOMED CT concepts for the two conditions that have an exact one; the others carry our code.
SNOMED_CONDITIONS = {
    Condition.KNEE_ARTHROSIS: ("239873007", "Osteoarthritis of knee"),
    Condition.SCIATICA: ("23056005", "Sciatica"),
}

RESOURCE_TYPES = [
    "Patient",
    "Practitioner",
    "Condition",
    "CarePlan",
    "Appointment",
    "Procedure",
    "Observation",
]

CAREPLAN_STATUS = {
    Course.PLANNED: "active",
    Course.ACTIVE: "active",
    Course.ON_HOLD: "on-hold",
    Course.COMPLETED: "completed",
    Course.CANCELLED: "revoked",
}
APPOINTMENT_STATUS = {
    Session.PLANNED: "booked",
    Session.DONE: "fulfilled",
    Session.SKIPPED: "cancelled",  # the patient came; the session was not performed (R10)
    Session.NO_SHOW: "noshow",
    Session.PATIENT_CANCELLED: "cancelled",
    Session.CANCELLED: "cancelled",
    Session.ON_HOLD: "pending",
}


def ref(kind: str, key) -> dict:
    return {"reference": f"{kind}/{kind.lower()}-{key}"}


def practitioner_ref(user) -> dict:
    return {**ref("Practitioner", user.pk), "display": _person(user)}


def _person(user) -> str:
    return user.get_full_name() or user.get_username()


def _instant(moment) -> str:
    return moment.isoformat(timespec="seconds")


def patient_resource(patient: Patient, language: str) -> dict:
    resource = {
        "resourceType": "Patient",
        "id": f"patient-{patient.pk}",
        "language": language,
        "identifier": [{"system": PATIENT_ID_SYSTEM, "value": str(patient.pk)}],
        "active": not patient.archived,
        "name": [{"family": patient.last_name, "given": [patient.first_name]}],
        "communication": [
            {
                "language": {
                    "coding": [{"system": "urn:ietf:bcp:47", "code": patient.language}],
                    "text": patient.get_language_display(),
                },
                "preferred": True,
            }
        ],
    }
    telecom = []
    if patient.phone:
        telecom.append({"system": "phone", "value": patient.phone})
    if patient.email:
        telecom.append({"system": "email", "value": patient.email})
    if telecom:
        resource["telecom"] = telecom
    if patient.birth_date:
        resource["birthDate"] = patient.birth_date.isoformat()
    return resource


def practitioner_resource(user: User, language: str) -> dict:
    resource = {
        "resourceType": "Practitioner",
        "id": f"practitioner-{user.pk}",
        "language": language,
        "active": user.is_active,
        "name": [{"text": _person(user)}],
    }
    name = {}
    if user.last_name:
        name["family"] = user.last_name
    if user.first_name:
        name["given"] = [user.first_name]
    if name:
        resource["name"] = [name]
    if user.email:
        resource["telecom"] = [{"system": "email", "value": user.email}]
    return resource


def condition_resource(condition: Condition, language: str) -> dict:
    coding = [
        {
            "system": CONDITION_SYSTEM,
            "code": condition.kind,
            "display": str(condition.get_kind_display()),
        }
    ]
    if condition.kind in SNOMED_CONDITIONS:
        code, display = SNOMED_CONDITIONS[condition.kind]
        coding.insert(0, {"system": SNOMED, "code": code, "display": display})
    resource = {
        "resourceType": "Condition",
        "id": f"condition-{condition.pk}",
        "language": language,
        "clinicalStatus": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                    "code": "active",
                }
            ]
        },
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/condition-category",
                        "code": "problem-list-item",
                    }
                ]
            }
        ],
        "code": {"coding": coding, "text": str(condition)},
        "subject": ref("Patient", condition.patient_id),
        "recordedDate": condition.created_at.date().isoformat(),
    }
    stages = []
    if condition.stage is not None:
        stages.append(
            {
                "summary": {
                    "coding": [{"system": STAGE_SYSTEM, "code": str(condition.stage)}],
                    "text": str(condition.get_stage_display()),
                },
                "type": {"text": "Kosinskaya stage"},
            }
        )
    if condition.kl_grade is not None:
        stages.append(
            {
                "summary": {
                    "coding": [{"system": KL_SYSTEM, "code": str(condition.kl_grade)}],
                    "text": f"Kellgren–Lawrence grade {condition.kl_grade}",
                },
                "type": {"text": "Kellgren–Lawrence grade"},
            }
        )
    if stages:
        resource["stage"] = stages
    site = " ".join(
        str(part)
        for part in (
            condition.get_side_display() if condition.side else "",
            condition.get_joint_display() if condition.joint else "",
        )
        if part
    )
    if site:
        resource["bodySite"] = [{"text": site}]
    if condition.surgery_date:  # after joint replacement: the condition begins with the surgery
        resource["onsetDateTime"] = condition.surgery_date.isoformat()
    if condition.note:
        resource["note"] = [{"text": condition.note}]
    return resource


def _sessions(course: Course) -> list[Session]:
    return sorted(course.sessions.all(), key=lambda s: s.number)


def careplan_resource(course: Course, conditions: list[Condition], language: str) -> dict:
    snapshot = course.snapshot
    sessions = [s for s in _sessions(course) if s.status != Session.CANCELLED]
    template = {
        "resourceType": "PlanDefinition",
        "id": "template",
        "identifier": [{"system": TEMPLATE_SYSTEM, "value": snapshot.slug}],
        "title": snapshot.text("name"),
        "status": "active",
        "type": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/plan-definition-type",
                    "code": "clinical-protocol",
                }
            ]
        },
    }
    if snapshot.text("description"):
        template["description"] = snapshot.text("description")
    resource = {
        "resourceType": "CarePlan",
        "id": f"careplan-{course.pk}",
        "language": language,
        "contained": [template],
        "instantiatesCanonical": ["#template"],
        "status": CAREPLAN_STATUS[course.status],
        "intent": "plan",
        "title": snapshot.text("name"),
        "subject": ref("Patient", course.patient_id),
        "created": _instant(course.created_at),
    }
    if sessions:
        resource["period"] = {
            "start": sessions[0].date.isoformat(),
            "end": sessions[-1].date.isoformat(),
        }
    if course.therapist is not None:
        resource["author"] = practitioner_ref(course.therapist)
    addressed = [c for c in conditions if c.kind in snapshot.conditions]
    if addressed:
        resource["addresses"] = [ref("Condition", c.pk) for c in addressed]
    activities = [
        {"reference": ref("Appointment", s.pk)} for s in course.sessions.all() if _books(s)
    ]
    if activities:
        resource["activity"] = activities
    if course.hold_reason:
        resource["note"] = [{"text": course.hold_reason}]
    return resource


def _books(session: Session) -> bool:
    """Sessions exported as an Appointment: those with a time, and untimed ones still to come
    or cancelled (FHIR allows no start only for proposed and cancelled appointments)."""
    return session.starts_at is not None or session.status in (
        Session.PLANNED,
        Session.ON_HOLD,
        Session.CANCELLED,
        Session.PATIENT_CANCELLED,
    )


def _therapist(session: Session, course: Course):
    return session.therapist if session.therapist_id else course.therapist


def appointment_resource(session: Session, course: Course, language: str) -> dict:
    status = APPOINTMENT_STATUS[session.status]
    participants = [
        {"actor": ref("Patient", course.patient_id), "status": "accepted", "required": "required"}
    ]
    therapist = _therapist(session, course)
    if therapist is not None:
        participants.append({"actor": practitioner_ref(therapist), "status": "accepted"})
    if session.room is not None:
        participants.append({"actor": {"display": session.room.name}, "status": "accepted"})
    resource = {
        "resourceType": "Appointment",
        "id": f"appointment-{session.pk}",
        "language": language,
        "status": status,
        "serviceType": [{"coding": [MASSAGE], "text": course.snapshot.text("name")}],
        "description": f"{course.snapshot.text('name')} #{session.number}",
        "participant": participants,
    }
    if session.starts_at is not None:
        resource["start"] = _instant(session.starts_at)
        resource["end"] = _instant(session.ends_at)
        length = session.ends_at - session.starts_at
        resource["minutesDuration"] = round(length.total_seconds() / 60)
    else:
        if status not in ("cancelled",):
            resource["status"] = "proposed"
        day = session.date.isoformat()
        resource["requestedPeriod"] = [{"start": day, "end": day}]
    if status == "cancelled":
        reason = session.skip_reason or str(session.get_status_display())
        resource["cancelationReason"] = {"text": reason}
    return resource


def _performed(session: Session) -> dict:
    minutes = session.actual_minutes or session.planned_minutes
    if session.starts_at is not None:
        end = session.starts_at + timedelta(minutes=minutes)
        return {"performedPeriod": {"start": _instant(session.starts_at), "end": _instant(end)}}
    return {"performedDateTime": session.date.isoformat()}


def procedure_resource(session: Session, course: Course, language: str) -> dict:
    """A session given (status completed, with its minutes) or skipped on the day (not-done)."""
    resource = {
        "resourceType": "Procedure",
        "id": f"procedure-{session.pk}",
        "language": language,
        "basedOn": [ref("CarePlan", course.pk)],
        "status": "completed" if session.status == Session.DONE else "not-done",
        "code": {"coding": [MASSAGE], "text": f"{course.snapshot.text('name')} #{session.number}"},
        "subject": ref("Patient", course.patient_id),
        **_performed(session),
    }
    if session.status == Session.DONE:
        resource["extension"] = [
            {
                "url": SESSION_MINUTES,
                "valueDuration": {
                    "value": session.actual_minutes,
                    "unit": "min",
                    "system": UCUM,
                    "code": "min",
                },
            }
        ]
    elif session.skip_reason:  # FHIR allows no empty text
        resource["statusReason"] = {"text": session.skip_reason}
    therapist = _therapist(session, course)
    if therapist is not None:
        resource["performer"] = [{"actor": practitioner_ref(therapist)}]
    if session.note:
        resource["note"] = [{"text": session.note}]
    return resource


def pain_observations(session: Session, course: Course, language: str) -> Iterator[dict]:
    """NPRS before and after a session given, each part of the session's Procedure."""
    minutes = session.actual_minutes or session.planned_minutes
    for moment, score in (("before", session.pain_before), ("after", session.pain_after)):
        if score is None:
            continue
        if session.starts_at is not None:
            at = session.starts_at + timedelta(minutes=minutes if moment == "after" else 0)
            effective = _instant(at)
        else:
            effective = session.date.isoformat()
        yield {
            "resourceType": "Observation",
            "id": f"observation-{session.pk}-{moment}",
            "language": language,
            "status": "final",
            "category": [
                {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                            "code": "survey",
                        }
                    ]
                }
            ],
            "code": {
                "coding": [{"system": LOINC, "code": NPRS_LOINC, "display": NPRS_DISPLAY}],
                "text": NPRS_DISPLAY,
            },
            "subject": ref("Patient", course.patient_id),
            "partOf": [ref("Procedure", session.pk)],
            "effectiveDateTime": effective,
            "valueInteger": score,
            "note": [{"text": f"{moment} the session"}],
        }


# --- Reading the records --------------------------------------------------------------------


def patients_for_export(patients: QuerySet) -> QuerySet:
    """``patients`` with everything the export writes, in a fixed number of queries a batch."""
    sessions = Session.objects.select_related("therapist", "room").order_by("number")
    courses = Course.objects.select_related("therapist").prefetch_related(
        Prefetch("sessions", queryset=sessions)
    )
    return patients.select_related("clinic").prefetch_related(
        Prefetch("conditions", queryset=Condition.objects.order_by("pk")),
        Prefetch("courses", queryset=courses.order_by("created_at", "pk")),
    )


def patient_resources(patient: Patient) -> Iterator[dict]:
    """Every resource of one patient (Practitioners aside), in RESOURCE_TYPES' order."""
    language = patient.clinic.default_language
    with translation.override(language):
        conditions = list(patient.conditions.all())
        yield patient_resource(patient, language)
        for condition in conditions:
            yield condition_resource(condition, language)
        courses = list(patient.courses.all())
        for course in courses:
            yield careplan_resource(course, conditions, language)
        for course in courses:
            for session in _sessions(course):
                if _books(session):
                    yield appointment_resource(session, course, language)
        for course in courses:
            for session in _sessions(course):
                if session.status in (Session.DONE, Session.SKIPPED):
                    yield procedure_resource(session, course, language)
        for course in courses:
            for session in _sessions(course):
                if session.status == Session.DONE:
                    yield from pain_observations(session, course, language)


def practitioners_of(patients: Iterable[Patient]) -> dict[int, User]:
    """The therapists named by the patients' courses and sessions (prefetched)."""
    found = {}
    for patient in patients:
        for course in patient.courses.all():
            if course.therapist is not None:
                found[course.therapist.pk] = course.therapist
            for session in course.sessions.all():
                if session.therapist is not None:
                    found[session.therapist.pk] = session.therapist
    return found


def patient_bundle(patient: Patient, timestamp) -> dict:
    """One patient's record as a transaction Bundle of PUTs (a second export updates)."""
    language = patient.clinic.default_language
    resources = list(patient_resources(patient))
    practitioners = [
        practitioner_resource(user, language)
        for user in sorted(practitioners_of([patient]).values(), key=lambda u: u.pk)
    ]
    resources[1:1] = practitioners  # after the Patient, in RESOURCE_TYPES' order
    return {
        "resourceType": "Bundle",
        "id": f"patient-{patient.pk}-record",
        "type": "transaction",
        "timestamp": _instant(timestamp),
        "entry": [
            {
                "resource": resource,
                "request": {"method": "PUT", "url": f"{resource['resourceType']}/{resource['id']}"},
            }
            for resource in resources
        ],
    }
