"""The audit trail: who changed a clinical record or template, when, what; who opened a document."""

import pytest
from django.urls import reverse

from audit.context import acting_as
from audit.models import AuditEntry
from protocols.models import Course, Session
from tests.factories import UserFactory
from tests.workspace import classic, knee_patient, running_course, today

ACCESS, CREATE, UPDATE, DELETE = (
    AuditEntry.Action.ACCESS,
    AuditEntry.Action.CREATE,
    AuditEntry.Action.UPDATE,
    AuditEntry.Action.DELETE,
)


@pytest.fixture
def patient(clinic_a):
    return knee_patient(clinic_a, first_name="Olga", last_name="Petrova")


def entries_for(obj, action=None):
    found = AuditEntry.objects.filter(object_id=obj.pk, content_type__model=obj._meta.model_name)
    return found.filter(action=action) if action is not None else found


def trail_page(client, patient):
    return client.get(reverse("audit:patient", args=[patient.pk]))


@pytest.mark.django_db
def test_editing_a_patient_records_who_and_what_changed(client, patient, therapist_a, admin_a):
    old_phone = patient.phone
    client.force_login(therapist_a)
    client.post(
        reverse("patients:edit", args=[patient.pk]),
        {"first_name": "Olga", "last_name": "Petrova", "phone": "+7 900 111", "language": "ru"},
    )

    entry = entries_for(patient, UPDATE).get()
    assert entry.actor == therapist_a
    assert entry.patient_id == patient.pk and entry.clinic_id == patient.clinic_id
    assert entry.changes_dict["phone"] == [old_phone, "+7 900 111"]
    assert entry.remote_addr == "127.0.0.1"

    client.force_login(admin_a)
    page = trail_page(client, patient).content.decode()
    assert "+7 900 111" in page
    assert therapist_a.get_full_name() in page
    assert "Russian" in page  # a choice is shown by its label, not its code


@pytest.mark.django_db
def test_planning_recording_and_holding_leave_an_entry_for_every_session(
    client, patient, therapist_a
):
    client.force_login(therapist_a)
    client.post(
        reverse("protocols:course_new", args=[patient.pk]),
        {
            "template": classic(patient.clinic).pk,
            "start": today().isoformat(),
            "sessions": "15",
            "cadence_days": "2",
            "token": "5f0c6c52-3c5a-4d1e-9f57-7f6c2a3c1b11",
        },
    )
    course = Course.objects.get(patient=patient)
    assert entries_for(course, CREATE).get().actor == therapist_a
    created = AuditEntry.objects.filter(content_type__model="session", action=CREATE)
    assert created.count() == 15
    assert set(created.values_list("actor", flat=True)) == {therapist_a.pk}

    first = course.sessions.get(number=1)
    client.post(
        reverse("protocols:session_record", args=[first.pk]),
        {
            "outcome": "done",
            "actual_minutes": "7",
            "pain_before": "3",
            "pain_after": "1",
            "version": course.version,
        },
    )
    recorded = entries_for(first, UPDATE).get()
    assert recorded.changes_dict["status"] == ["planned", "done"]
    assert recorded.changes_dict["pain_before"] == ["None", "3"]

    client.post(
        reverse("patients:period_new", args=[patient.pk, "exacerbations"]),
        {"condition": patient.conditions.get().pk, "start": today().isoformat()},
    )
    held = AuditEntry.objects.filter(
        content_type__model="session", action=UPDATE, changes__status=["planned", "on_hold"]
    )
    assert held.count() == course.sessions.filter(status=Session.ON_HOLD).count() > 0
    assert entries_for(patient.exacerbations.get(), CREATE).exists()


@pytest.mark.django_db
def test_a_made_up_session_shows_what_moved(client, patient, therapist_a):
    course = running_course(patient, therapist_a)
    client.force_login(therapist_a)
    second = course.sessions.get(number=2)
    old_minutes = second.planned_minutes

    client.post(
        reverse("protocols:session_record", args=[course.sessions.get(number=1).pk]),
        {"outcome": "skipped", "skip_reason": "discomfort", "version": course.version},
    )

    second.refresh_from_db()
    moved = entries_for(second, UPDATE).get()
    # The ramp does not advance past a skipped session: session 2 now lasts what 1 would have.
    assert moved.changes_dict["planned_minutes"] == [str(old_minutes), str(second.planned_minutes)]
    assert second.planned_minutes < old_minutes
    assert moved.actor == therapist_a
    added = course.sessions.get(number=16)
    assert entries_for(added, CREATE).exists()


@pytest.mark.django_db
def test_opening_each_document_is_an_access_event(client, patient, therapist_a, admin_a):
    course = running_course(patient, therapist_a, start=today())
    client.force_login(therapist_a)
    for name in ("course_handout", "course_sheet", "course_calendar"):
        assert client.get(reverse(f"protocols:{name}", args=[course.pk])).status_code == 200
    day = course.sessions.get(number=1).date
    assert client.get(reverse("protocols:day_sheets"), {"date": day.isoformat()}).status_code == 200

    documents = [
        entry.additional_data["document"]
        for entry in entries_for(course, ACCESS).order_by("timestamp", "pk")
    ]
    assert documents == ["handout", "sheet", "calendar", "day sheets"]
    assert set(entries_for(course, ACCESS).values_list("actor", flat=True)) == {therapist_a.pk}

    client.force_login(admin_a)
    page = trail_page(client, patient).content.decode()
    for text in (
        "Opened the handout",
        "Opened the session sheet",
        "Downloaded the calendar file",
        "Opened the day&#x27;s session sheets",
    ):
        assert text in page


@pytest.mark.django_db
def test_deleting_a_condition_keeps_its_history(client, patient, therapist_a, admin_a):
    condition = patient.conditions.get()
    pk = condition.pk
    with acting_as(admin_a):  # as the admin's patient page does when a condition is removed
        condition.delete()
    condition.pk = pk
    client.force_login(admin_a)

    deleted = entries_for(condition, DELETE).get()
    assert deleted.actor == admin_a and deleted.patient_id == patient.pk
    assert "Deleted" in trail_page(client, patient).content.decode()


@pytest.mark.django_db
def test_a_template_change_in_the_admin_is_in_the_clinic_trail(client, clinic_a, admin_a):
    template = classic(clinic_a)
    template.name = "Classic knee course, revised"
    with acting_as(admin_a, "10.0.0.7"):
        template.save()

    entry = entries_for(template, UPDATE).get()
    assert (entry.actor, entry.remote_addr, entry.clinic_id) == (admin_a, "10.0.0.7", clinic_a.id)
    assert entry.changes_dict["name"][1] == "Classic knee course, revised"


# --- Who may read it, and that nobody may change it --------------------------------------------


@pytest.mark.django_db
def test_only_the_clinics_admins_read_a_patients_trail(
    client, patient, therapist_a, admin_a, therapist_b, clinic_b
):
    url = reverse("audit:patient", args=[patient.pk])
    assert client.get(url).status_code == 302  # signed out: to sign in

    client.force_login(therapist_a)
    assert client.get(url).status_code == 403
    assert (
        "Audit trail"
        not in client.get(reverse("patients:detail", args=[patient.pk])).content.decode()
    )

    client.force_login(UserFactory(clinic=clinic_b, role="Clinic admin"))
    assert client.get(url).status_code == 404

    client.force_login(admin_a)
    assert client.get(url).status_code == 200
    assert (
        "Audit trail" in client.get(reverse("patients:detail", args=[patient.pk])).content.decode()
    )


@pytest.mark.django_db
def test_the_admin_trail_is_read_only_and_per_clinic(
    client, patient, therapist_a, admin_a, clinic_b
):
    running_course(patient, therapist_a)
    other = knee_patient(clinic_b, first_name="Foreign", last_name="Record")
    mine = entries_for(patient, CREATE).get()
    theirs = entries_for(other, CREATE).get()
    changelist = reverse("admin:audit_auditentry_changelist")

    client.force_login(therapist_a)
    assert client.get(changelist).status_code == 403

    client.force_login(admin_a)
    listing = client.get(changelist).content.decode()
    assert "Petrova Olga" in listing and "Record Foreign" not in listing
    assert client.get(reverse("admin:audit_auditentry_change", args=[theirs.pk])).status_code == 404

    change = reverse("admin:audit_auditentry_change", args=[mine.pk])
    assert client.get(change).status_code == 200
    assert client.post(change, {"object_repr": "forged"}).status_code == 403
    delete = reverse("admin:audit_auditentry_delete", args=[mine.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    mine.refresh_from_db()
    assert mine.object_repr == "Petrova Olga"
    assert client.get(reverse("admin:audit_auditentry_add")).status_code == 403


@pytest.mark.django_db
def test_the_trail_pages_newest_first(client, patient, admin_a):
    with acting_as(admin_a):
        for number in range(60):
            patient.phone = f"+7 900 {number:03d}"
            patient.save()
    client.force_login(admin_a)

    first = trail_page(client, patient).content.decode()
    assert "+7 900 059" in first and "Page 1 of 2" in first
    assert "+7 900 000" not in first
    second = client.get(reverse("audit:patient", args=[patient.pk]), {"page": 2}).content.decode()
    assert "+7 900 000" in second


@pytest.mark.django_db
def test_a_restore_of_old_rows_does_not_write_entries(patient):
    from django.core import serializers

    data = serializers.serialize("json", [patient])
    before = AuditEntry.objects.count()
    for obj in serializers.deserialize("json", data):
        obj.save()
    assert AuditEntry.objects.count() == before


def views_of(patient=None, **data):
    found = AuditEntry.objects.filter(action=ACCESS, additional_data__page__isnull=False)
    if patient is not None:
        found = found.filter(patient_id=patient.pk)
    return found.filter(**{f"additional_data__{key}": value for key, value in data.items()})


@pytest.mark.django_db
def test_every_view_of_a_record_in_the_workspace_is_an_access_event(
    client, patient, therapist_a, reception_a
):
    course = running_course(patient, therapist_a)
    session = course.sessions.order_by("number").first()
    client.force_login(therapist_a)

    client.get(reverse("patients:detail", args=[patient.pk]))
    client.get(reverse("protocols:course", args=[course.pk]))
    client.get(reverse("protocols:session_record", args=[session.pk]))

    pages = [e.additional_data["page"] for e in views_of(patient).order_by("pk")]
    assert pages == ["patient", "course", "record form"]
    for entry in views_of(patient):
        assert entry.actor == therapist_a and entry.remote_addr == "127.0.0.1"
        assert entry.clinic_id == patient.clinic_id and entry.timestamp is not None

    client.force_login(reception_a)  # the front desk's contact card is a view too
    client.get(reverse("patients:detail", args=[patient.pk]))
    assert views_of(patient, page="contact card").get().actor == reception_a


@pytest.mark.django_db
def test_a_search_records_how_many_it_found_and_not_whom(client, patient, therapist_a):
    client.force_login(therapist_a)

    client.get(reverse("patients:list"))  # the list without a search: no event
    client.get(reverse("patients:list"), {"q": "Petr"})
    client.get(reverse("patients:list"), {"q": "Nobody"})

    searches = list(views_of(page="search").order_by("pk"))
    assert [e.additional_data["found"] for e in searches] == [1, 0]
    assert all(e.patient_id is None and e.object_repr == "" for e in searches)
    assert "Petr" not in str([e.additional_data for e in searches])
    assert "Olga" not in str([e.additional_data for e in searches])


@pytest.mark.django_db
def test_a_view_costs_one_insert_and_no_read(client, patient, therapist_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(therapist_a)
    url = reverse("patients:detail", args=[patient.pk])
    client.get(url)  # content types are cached from here on
    with CaptureQueriesContext(connection) as queries:
        client.get(url)

    audit = [q["sql"] for q in queries if "audit_auditentry" in q["sql"]]
    assert len(audit) == 1 and audit[0].startswith("INSERT")
    assert not [q for q in queries if q["sql"].startswith('SELECT "django_content_type"')]


@pytest.mark.django_db
def test_opening_a_record_in_the_admin_is_an_access_event(client, patient, therapist_a, admin_a):
    course = running_course(patient, therapist_a)
    client.force_login(admin_a)

    assert (
        client.get(reverse("admin:patients_patient_change", args=[patient.pk])).status_code == 200
    )
    assert client.get(reverse("admin:protocols_course_change", args=[course.pk])).status_code == 200

    entries = list(views_of(patient, page="admin").order_by("pk"))
    assert [e.content_type.model for e in entries] == ["patient", "course"]
    assert all(e.actor == admin_a for e in entries)

    trail = trail_page(client, patient).content.decode()
    assert "Viewed the record in the admin" in trail


@pytest.mark.django_db
def test_a_courses_sessions_are_one_entry_of_the_trail_with_readable_values(
    client, patient, therapist_a, admin_a
):
    with acting_as(therapist_a):
        course = running_course(patient, therapist_a)
    client.force_login(admin_a)

    page = trail_page(client, patient).content.decode()

    count = course.sessions.count()
    assert f"{count} sessions created" in page
    assert page.count("<strong>Created</strong>") == 3  # the patient, the condition, the course
    assert ".None" not in page  # no related manager's name ("protocols.Course.None")
    first = course.sessions.get(number=1)
    assert first.date.isoformat() not in page  # "Session #1 1 Dec 2026", not its ISO date


@pytest.mark.django_db
def test_the_trail_counts_sessions_in_russian_plural_forms(client, patient, therapist_a, admin_a):
    with acting_as(therapist_a):
        running_course(patient, therapist_a)
    admin_a.language = "ru"
    admin_a.save()
    client.force_login(admin_a)

    assert "15 сеансов создано" in trail_page(client, patient).content.decode()
