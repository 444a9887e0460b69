"""Each session keeps its patient's clinic (``Session.clinic``), for the reports' and the
calendar's reads of a clinic's sessions in a period from one index.

The column is filled from the course's patient. On PostgreSQL triggers then hold it there: a
session whose clinic is not its patient's is refused, and so are a patient with sessions moving
to another clinic and a course with sessions moving to another clinic's patient; the session's
trigger takes a share lock on its course and patient rows, so a move running at the same moment
waits for it and then sees its session. ``tests/test_session_clinic.py`` checks each.

SQLite gets the equivalent checks in code instead (``booking.save_bookings``, through which the
services create every session, and ``Patient.clean``): a SQLite trigger naming other tables
would make every later migration that copies one of these tables (SQLite's way of altering
one) fail when it renames the copy.
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

# In SQL string literals: no quote marks.
SESSION_MESSAGE = "a session belongs to the clinic of its patient"
PATIENT_MESSAGE = "a patient with sessions stays in the same clinic"
COURSE_MESSAGE = "a course with sessions stays with patients of the same clinic"

POSTGRESQL = [
    f"""
    CREATE FUNCTION session_clinic_is_patients() RETURNS trigger AS $$
    DECLARE
        patients_clinic bigint;
    BEGIN
        -- Shared locks: a patient's or a course's move waits for this session's transaction,
        -- then finds its session; a move already made is read here once it has committed.
        SELECT patients_patient.clinic_id INTO patients_clinic FROM protocols_course
        INNER JOIN patients_patient ON patients_patient.id = protocols_course.patient_id
        WHERE protocols_course.id = NEW.course_id
        FOR SHARE OF protocols_course, patients_patient;
        IF NEW.clinic_id IS DISTINCT FROM patients_clinic THEN
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

def _run(schema_editor, statements):
    for statement in statements:
        schema_editor.execute(statement)


def add_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        _run(schema_editor, POSTGRESQL)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        _run(schema_editor, POSTGRESQL_UNDO)


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
