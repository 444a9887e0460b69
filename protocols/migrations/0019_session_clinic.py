"""Each session keeps its patient's clinic (``Session.clinic``), for the reports' and the
calendar's reads of a clinic's sessions in a period from one index.

The column is filled from the course's patient, then held to it by the database on both
engines: a session whose clinic is not its patient's is refused, and so are a patient with
sessions moving to another clinic and a course with sessions moving to another clinic's patient.
The triggers are created after the column's last change, as SQLite copies a table to alter it
and drops its triggers; ``tests/test_session_clinic.py`` checks they are there.
"""

import django.db.models.deletion
from django.db import migrations, models

FILL = """
UPDATE protocols_session SET clinic_id = (
    SELECT patients_patient.clinic_id FROM protocols_course
    INNER JOIN patients_patient ON patients_patient.id = protocols_course.patient_id
    WHERE protocols_course.id = protocols_session.course_id
)
"""

# The clinic of a session's course's patient.
PATIENTS_CLINIC = """(
    SELECT patients_patient.clinic_id FROM protocols_course
    INNER JOIN patients_patient ON patients_patient.id = protocols_course.patient_id
    WHERE protocols_course.id = NEW.course_id
)"""
# In SQL string literals: no quote marks.
SESSION_MESSAGE = "a session belongs to the clinic of its patient"
PATIENT_MESSAGE = "a patient with sessions stays in the same clinic"
COURSE_MESSAGE = "a course with sessions stays with patients of the same clinic"

POSTGRESQL = [
    f"""
    CREATE FUNCTION session_clinic_is_patients() RETURNS trigger AS $$
    BEGIN
        IF NEW.clinic_id IS DISTINCT FROM {PATIENTS_CLINIC} THEN
            RAISE EXCEPTION '{SESSION_MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    END $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER session_clinic_is_patients
    BEFORE INSERT OR UPDATE OF clinic_id, course_id ON protocols_session
    FOR EACH ROW EXECUTE FUNCTION session_clinic_is_patients()
    """,
    f"""
    CREATE FUNCTION patient_with_sessions_keeps_clinic() RETURNS trigger AS $$
    BEGIN
        IF EXISTS (
            SELECT 1 FROM protocols_session
            INNER JOIN protocols_course ON protocols_course.id = protocols_session.course_id
            WHERE protocols_course.patient_id = NEW.id
        ) THEN
            RAISE EXCEPTION '{PATIENT_MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    END $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER patient_with_sessions_keeps_clinic
    BEFORE UPDATE OF clinic_id ON patients_patient
    FOR EACH ROW WHEN (OLD.clinic_id IS DISTINCT FROM NEW.clinic_id)
    EXECUTE FUNCTION patient_with_sessions_keeps_clinic()
    """,
    f"""
    CREATE FUNCTION course_with_sessions_keeps_clinic() RETURNS trigger AS $$
    BEGIN
        IF (SELECT clinic_id FROM patients_patient WHERE id = OLD.patient_id)
                IS DISTINCT FROM (SELECT clinic_id FROM patients_patient WHERE id = NEW.patient_id)
            AND EXISTS (SELECT 1 FROM protocols_session WHERE course_id = NEW.id) THEN
            RAISE EXCEPTION '{COURSE_MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    END $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER course_with_sessions_keeps_clinic
    BEFORE UPDATE OF patient_id ON protocols_course
    FOR EACH ROW WHEN (OLD.patient_id IS DISTINCT FROM NEW.patient_id)
    EXECUTE FUNCTION course_with_sessions_keeps_clinic()
    """,
]
POSTGRESQL_UNDO = [
    "DROP TRIGGER IF EXISTS course_with_sessions_keeps_clinic ON protocols_course",
    "DROP FUNCTION IF EXISTS course_with_sessions_keeps_clinic()",
    "DROP TRIGGER IF EXISTS patient_with_sessions_keeps_clinic ON patients_patient",
    "DROP FUNCTION IF EXISTS patient_with_sessions_keeps_clinic()",
    "DROP TRIGGER IF EXISTS session_clinic_is_patients ON protocols_session",
    "DROP FUNCTION IF EXISTS session_clinic_is_patients()",
]

SQLITE = [
    f"""
    CREATE TRIGGER session_clinic_is_patients_insert BEFORE INSERT ON protocols_session
    WHEN NEW.clinic_id IS NOT {PATIENTS_CLINIC}
    BEGIN SELECT RAISE(ABORT, '{SESSION_MESSAGE}'); END
    """,
    f"""
    CREATE TRIGGER session_clinic_is_patients_update
    BEFORE UPDATE OF clinic_id, course_id ON protocols_session
    WHEN NEW.clinic_id IS NOT {PATIENTS_CLINIC}
    BEGIN SELECT RAISE(ABORT, '{SESSION_MESSAGE}'); END
    """,
    f"""
    CREATE TRIGGER patient_with_sessions_keeps_clinic
    BEFORE UPDATE OF clinic_id ON patients_patient
    WHEN OLD.clinic_id IS NOT NEW.clinic_id AND EXISTS (
        SELECT 1 FROM protocols_session
        INNER JOIN protocols_course ON protocols_course.id = protocols_session.course_id
        WHERE protocols_course.patient_id = NEW.id
    )
    BEGIN SELECT RAISE(ABORT, '{PATIENT_MESSAGE}'); END
    """,
    f"""
    CREATE TRIGGER course_with_sessions_keeps_clinic
    BEFORE UPDATE OF patient_id ON protocols_course
    WHEN (SELECT clinic_id FROM patients_patient WHERE id = OLD.patient_id)
            IS NOT (SELECT clinic_id FROM patients_patient WHERE id = NEW.patient_id)
        AND EXISTS (SELECT 1 FROM protocols_session WHERE course_id = NEW.id)
    BEGIN SELECT RAISE(ABORT, '{COURSE_MESSAGE}'); END
    """,
]
SQLITE_UNDO = [
    "DROP TRIGGER IF EXISTS course_with_sessions_keeps_clinic",
    "DROP TRIGGER IF EXISTS patient_with_sessions_keeps_clinic",
    "DROP TRIGGER IF EXISTS session_clinic_is_patients_update",
    "DROP TRIGGER IF EXISTS session_clinic_is_patients_insert",
]


def _run(schema_editor, statements):
    for statement in statements:
        schema_editor.execute(statement)


def add_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    _run(schema_editor, {"postgresql": POSTGRESQL, "sqlite": SQLITE}.get(vendor, []))


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    _run(schema_editor, {"postgresql": POSTGRESQL_UNDO, "sqlite": SQLITE_UNDO}.get(vendor, []))


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0004_clinic_two_factor_required"),
        ("patients", "0004_staff_texts"),
        ("protocols", "0018_job_heartbeat_and_session_reminders"),
    ]

    operations = [
        migrations.AddField(
            model_name="session",
            name="clinic",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="clinic.clinic",
                verbose_name="clinic",
            ),
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop, elidable=False),
        migrations.AlterField(
            model_name="session",
            name="clinic",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="clinic.clinic",
                verbose_name="clinic",
            ),
        ),
        migrations.AddIndex(
            model_name="session",
            index=models.Index(
                fields=["clinic", "date", "status"], name="session_clinic_date_status"
            ),
        ),
        migrations.RunPython(add_triggers, drop_triggers, elidable=False),
    ]
