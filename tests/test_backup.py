"""Backing up a clinic and restoring it into an empty database: backup_clinic, restore_clinic.

The "empty database" here is this test database after the backup with every clinic's rows
deleted: what ``migrate`` leaves (the default library, the role groups, permissions) and nothing
else. On PostgreSQL the id sequences are then set back to the first id the backup holds, as they
would stand in a newly migrated database, so that a restore that forgot to move them on makes
the next new record collide. (A second database would be the literal thing, at the price of
migrating it for every run; the rows and sequences it would hold are the same.)
"""

import json
from datetime import date, timedelta

import pytest
from auditlog.context import disable_auditlog
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import connection

from audit.models import AuditEntry
from clinic.models import (
    CLINIC_ADMIN,
    THERAPIST,
    Absence,
    Clinic,
    ClosedDate,
    Room,
    User,
    WorkingHours,
)
from ops import backup
from patients.models import ContraindicationKind, Patient, PatientContraindication
from protocols.exchange import record_version
from protocols.models import Course, Session, TemplateVersion
from protocols.services import create_course, record_session
from tests.factories import (
    ClinicFactory,
    ExacerbationFactory,
    PatientContraindicationFactory,
    UserFactory,
)
from tests.workspace import classic, knee_patient, running_course, today

PASSWORD = "correct horse battery staple"


def test_every_model_is_backed_up_or_excluded_with_a_reason():
    backed_up = {part.model_class for part in backup.PARTS}
    excluded = {apps.get_model(label) for label in backup.EXCLUDED}

    missing = {m._meta.label for m in apps.get_models()} - {
        m._meta.label for m in backed_up | excluded
    }

    assert not missing, f"Add these models to PARTS or EXCLUDED in ops/backup.py: {missing}"
    assert not backed_up & excluded
    assert all(reason.strip() for reason in backup.EXCLUDED.values())


@pytest.mark.django_db
def test_every_backed_up_model_leads_to_its_clinic():
    for part in backup.PARTS:
        assert part.rows(0).count() == 0  # the lookup to the clinic is a real path


def build_clinic(name, prefix):
    """A clinic in use: staff, patients with their facts, edited templates, courses in progress."""
    clinic = ClinicFactory(name=name, working_weekdays=[0, 1, 2, 3, 4])
    ClosedDate.objects.create(clinic=clinic, date=date(2026, 12, 31), reason="New Year's Eve")
    admin = UserFactory(username=f"{prefix}-admin", clinic=clinic, role=CLINIC_ADMIN)
    therapist = UserFactory(
        username=f"{prefix}-olga", first_name="Olga", clinic=clinic, language="ru"
    )
    therapist.user_permissions.add(Permission.objects.get(codename="view_documentjob"))
    Room.objects.create(clinic=clinic, name="Room 1", order=1)
    for weekday in range(5):
        WorkingHours.objects.create(therapist=therapist, weekday=weekday, start=540, end=780)
        WorkingHours.objects.create(therapist=therapist, weekday=weekday, start=840, end=1080)
    Absence.objects.create(therapist=therapist, start=date(2026, 8, 1), end=date(2026, 8, 14))
    varicose = ContraindicationKind.objects.create(
        clinic=clinic, code="varicose", name="Varicose veins", name_ru="Варикоз", severity="warns"
    )
    maria = knee_patient(clinic, first_name="Maria", last_name="Ivanova", notes="Warfarin 5 mg")
    pyotr = knee_patient(clinic, first_name="Pyotr", last_name="Sokolov", language="ru")
    knee_patient(clinic, first_name="Vera", last_name="Archived", archived=True)
    ExacerbationFactory(
        condition=pyotr.conditions.get(), start=date(2025, 3, 1), end=date(2025, 3, 20)
    )
    PatientContraindicationFactory(patient=maria, kind=varicose, start=date(2025, 1, 1), end=None)
    # A kind of the installed default library, which every database has: found by its code.
    PatientContraindication.objects.create(
        patient=pyotr,
        kind=ContraindicationKind.objects.get(clinic=None, code="fever"),
        start=date(2025, 2, 1),
        end=date(2025, 2, 3),
    )
    template = classic(clinic)
    template.target_minutes = 18
    template.save()
    record_version(template, author=admin, note="Longer sessions")
    course = running_course(maria, therapist=therapist, start=today())
    first, second = course.sessions.order_by("number")[:2]
    record_session(
        session=first, user=therapist, done=True, actual_minutes=8, pain_before=5, pain_after=3
    )
    record_session(session=second, user=therapist, done=False, skip_reason="Patient unwell")
    running_course(pyotr, therapist=admin, start=today() + timedelta(days=3))
    LogEntry.objects.create(
        user=admin,
        content_type=ContentType.objects.get_for_model(Patient),
        object_id=str(maria.pk),
        object_repr=str(maria),
        action_flag=CHANGE,
        change_message="Changed phone.",
    )
    return clinic


def snapshot(clinic_pk):
    """Every row of the clinic, field by field, and each user's roles and own permissions."""
    rows = {part.label: list(part.rows(clinic_pk).values()) for part in backup.PARTS}
    rows["roles"] = {
        user.username: (
            sorted(user.groups.values_list("name", flat=True)),
            sorted(user.user_permissions.values_list("codename", flat=True)),
        )
        for user in User.objects.filter(clinic_id=clinic_pk)
    }
    return rows


def empty_the_database(first_ids):
    """Delete every clinic's rows, and superusers: what is left is what ``migrate`` installs."""
    with disable_auditlog():  # wiping the database is not a change to put in the audit trail
        for clinic in Clinic.objects.all():
            for part in reversed(backup.PARTS):
                part.rows(clinic.pk).delete()
        AuditEntry.objects.all().delete()  # the library's entries (no clinic)
        User.objects.all().delete()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for label, first_id in first_ids.items():
                table = apps.get_model(label)._meta.db_table
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s, false)", [table, first_id]
                )


@pytest.fixture
def backed_up(db, tmp_path):
    """Clinic A backed up to a file (clinic B beside it), then the database emptied."""
    clinic_a = build_clinic("Riverside Massage", "a")
    build_clinic("Clinic B", "b")
    root = User.objects.create_superuser("root", password=PASSWORD)
    template = classic(clinic_a)
    template.target_minutes = 20
    template.save()
    record_version(template, author=root, note="Edited by the superuser")
    expected = snapshot(clinic_a.pk)
    path = tmp_path / "riverside.json"
    call_command("backup_clinic", clinic=clinic_a.pk, output=str(path))
    document = json.loads(path.read_text())
    first_ids = {}
    for obj in document["objects"]:
        first_ids[obj["model"]] = min(first_ids.get(obj["model"], obj["pk"]), obj["pk"])
    empty_the_database(first_ids)
    library = {part.label: part.model_class._base_manager.count() for part in backup.PARTS}
    return {"clinic": clinic_a.pk, "path": path, "expected": expected, "library": library}


def restore(path, capsys):
    call_command("restore_clinic", str(path))
    return capsys.readouterr()


def test_a_restored_clinic_has_every_row_of_the_backup_and_nothing_else(backed_up, capsys):
    expected = backed_up["expected"]
    assert Clinic.objects.count() == 0 and Patient.objects.count() == 0

    output = restore(backed_up["path"], capsys)

    # The superuser's name on a template version: not a user of this database, so cleared.
    for version in expected["protocols.templateversion"]:
        if version["note"] == "Edited by the superuser":
            version["author_id"] = None
    assert "“root”" in output.err and "cleared" in output.err
    actual = snapshot(backed_up["clinic"])
    for label in expected:
        assert actual[label] == expected[label], label
    # Every table holds the library plus clinic A's rows, and nothing of clinic B.
    for part in backup.PARTS:
        in_table = part.model_class._base_manager.count()
        assert in_table == backed_up["library"][part.label] + len(expected[part.label]), part.label
    assert "Riverside Massage" in output.out


def test_what_staff_see_after_a_restore_is_what_they_had(backed_up, capsys, client):
    restore(backed_up["path"], capsys)

    clinic = Clinic.objects.get()
    assert (clinic.name, clinic.working_weekdays) == ("Riverside Massage", [0, 1, 2, 3, 4])
    assert sorted(Patient.objects.values_list("last_name", flat=True)) == [
        "Archived",
        "Ivanova",
        "Sokolov",
    ]
    maria = Patient.objects.get(last_name="Ivanova")
    assert maria.notes == "Warfarin 5 mg"
    assert maria.contraindications.get().kind.name_ru == "Варикоз"
    assert Patient.objects.get(last_name="Sokolov").contraindications.get().kind.code == "fever"
    course = maria.courses.get()
    assert course.snapshot.target_minutes == 18  # the snapshot reads as stored (format 1)
    assert course.therapist.username == "a-olga"
    first, second = course.sessions.order_by("number")[:2]
    assert (first.status, first.actual_minutes, first.pain_before, first.pain_after) == (
        Session.DONE,
        8,
        5,
        3,
    )
    assert first.date == today()
    assert (second.status, second.skip_reason) == (Session.SKIPPED, "Patient unwell")
    versions = TemplateVersion.objects.filter(template__clinic=clinic).order_by("number")
    assert versions.last().data["target_minutes"] == 20
    assert versions.get(note="Longer sessions").author.username == "a-admin"
    olga = User.objects.get(username="a-olga")
    assert olga.check_password(PASSWORD)
    assert olga.is_therapist and not olga.is_clinic_admin
    assert olga.has_perm("protocols.view_documentjob")
    assert User.objects.get(username="a-admin").is_clinic_admin

    # The admin signs in: Olga's pages would be in Russian, which would stay switched on in
    # this test thread for the tests after it.
    signed_in = client.post(
        "/accounts/login/", {"username": "a-admin", "password": PASSWORD}, follow=True
    )
    page = client.get(f"/patients/{maria.pk}/").content.decode()

    assert signed_in.status_code == 200 and signed_in.redirect_chain[-1][0] == "/"
    assert "Ivanova" in page


def test_new_records_after_a_restore_are_saved(backed_up, capsys):
    restore(backed_up["path"], capsys)
    clinic = Clinic.objects.get()

    patient = knee_patient(clinic, first_name="New", last_name="Patient")
    course = create_course(patient=patient, template=classic(clinic), start=today())
    user = UserFactory(username="new-therapist", clinic=clinic)
    ClosedDate.objects.create(clinic=clinic, date=date(2027, 1, 1))

    assert Patient.objects.count() == 4
    assert course.sessions.count() == classic(clinic).default_sessions
    assert user.has_role(THERAPIST)


def test_restoring_a_second_time_is_refused_and_changes_nothing(backed_up, capsys):
    restore(backed_up["path"], capsys)
    counts = {part.label: part.model_class._base_manager.count() for part in backup.PARTS}

    with pytest.raises(CommandError) as refused:
        call_command("restore_clinic", str(backed_up["path"]))

    assert refused.value.returncode == 2
    err = capsys.readouterr().err
    assert "already has clinic" in err and "Riverside Massage" in err
    assert "a-admin, a-olga" in err
    assert counts == {part.label: part.model_class._base_manager.count() for part in backup.PARTS}


def cut_short(text):
    return text[: len(text) // 2]


def other_schema(text):
    document = json.loads(text)
    document["schema"]["patients"] = "0099_from_the_future"
    return json.dumps(document)


def row_lost(text):
    document = json.loads(text)
    document["objects"] = [o for o in document["objects"] if o["model"] != "patients.condition"]
    return json.dumps(document)


def bad_last_row(text):
    document = json.loads(text)
    last = document["objects"][-1]
    assert last["model"] == backup.PARTS[-1].label  # written after every other row
    last["fields"]["timestamp"] = "the day before yesterday"
    return json.dumps(document)


def bad_clinic_reference(text):
    document = json.loads(text)
    for obj in document["objects"]:
        if obj["model"] == "protocols.session":
            obj["fields"]["course"] = 10**9  # no such course: the database refuses it
    return json.dumps(document)


def bad_library(text):
    document = json.loads(text)
    document["library"]["patients.contraindicationkind"] = "fever"
    return json.dumps(document)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (cut_short, "not complete JSON"),
        (lambda text: "[1, 2, 3]", "not a clinic backup"),
        (other_schema, "0099_from_the_future"),
        (row_lost, "patients.condition"),
        (bad_last_row, "could not be restored"),
        (bad_clinic_reference, "could not be restored"),
        (bad_library, "could not be restored"),
    ],
)
def test_a_damaged_file_is_refused_and_nothing_is_written(backed_up, capsys, damage, message):
    damaged = backed_up["path"].with_name("damaged.json")
    damaged.write_text(damage(backed_up["path"].read_text()))

    with pytest.raises(CommandError) as refused:
        call_command("restore_clinic", str(damaged))

    assert refused.value.returncode == 2
    assert message in capsys.readouterr().err
    assert Clinic.objects.count() == 0
    assert User.objects.count() == 0
    assert Patient.objects.count() == 0
    assert Course.objects.count() == 0


def test_a_library_kind_missing_here_is_named_and_nothing_is_written(backed_up, capsys):
    with disable_auditlog():  # the database stays empty of clinic rows, audit entries included
        ContraindicationKind.objects.filter(clinic=None, code="fever").delete()

    with pytest.raises(CommandError) as refused:
        call_command("restore_clinic", str(backed_up["path"]))

    assert refused.value.returncode == 2
    assert "no patients.contraindicationkind “fever”" in capsys.readouterr().err
    assert Clinic.objects.count() == 0 and Patient.objects.count() == 0


@pytest.mark.django_db
def test_an_unknown_clinic_cannot_be_backed_up():
    with pytest.raises(CommandError) as refused:
        call_command("backup_clinic", clinic=999_999)

    assert refused.value.returncode == 2
