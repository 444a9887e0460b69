"""Each course keeps the date of its first session not cancelled (``starts_on``).

The day page lists the patients due for their next course (R5), counted from the first session
of their latest completed course. Working that out from the sessions of every course of every
patient grew with the clinic's history; with the date on the course it is one index step per
patient. The existing courses get it from their sessions here.
"""

from django.db import migrations, models
from django.db.models import OuterRef, Q, Subquery


def fill_starts_on(apps, schema_editor):
    Course = apps.get_model("protocols", "Course")
    Session = apps.get_model("protocols", "Session")
    first = (
        Session.objects.filter(course=OuterRef("pk"))
        .exclude(status="cancelled")
        .order_by("date")
        .values("date")[:1]
    )
    Course.objects.using(schema_editor.connection.alias).update(starts_on=Subquery(first))


class Migration(migrations.Migration):

    dependencies = [
        ("protocols", "0011_course_snapshot_last_column"),
    ]

    operations = [
        migrations.AddField(
            model_name="course",
            name="starts_on",
            field=models.DateField(
                blank=True,
                editable=False,
                help_text=(
                    "The date of the first session not cancelled, kept up to date with the "
                    "sessions: when the next course is due (R5) is counted from it."
                ),
                null=True,
                verbose_name="first session",
            ),
        ),
        migrations.RunPython(fill_starts_on, migrations.RunPython.noop, elidable=False),
        migrations.RemoveIndex(model_name="course", name="course_patient_status"),
        migrations.AddIndex(
            model_name="course",
            index=models.Index(
                fields=["patient", "status", "starts_on"], name="course_patient_start"
            ),
        ),
        migrations.AddIndex(
            model_name="course",
            index=models.Index(
                condition=Q(status__in=["planned", "active", "on_hold"]),
                fields=["patient"],
                name="course_running",
            ),
        ),
    ]
