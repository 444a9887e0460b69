"""Move the course's template snapshot to the last column of its table.

The snapshot is a whole template in both languages (about 20 KB). SQLite stores a row's columns
in order, and a value that large spills onto overflow pages, so with the snapshot second every
lookup of a course's patient, status or therapist had to walk through it: joining today's sessions
to their courses read about 80 KB per course. As the last column it is read only when asked for.
PostgreSQL keeps large values out of line anyway; there the migration only copies the column once.

Nothing changes in the model: the field keeps its name, type, texts and values.
"""

from django.db import migrations, models
from django.db.models import F


def copy_forward(apps, schema_editor):
    Course = apps.get_model("protocols", "Course")
    Course.objects.using(schema_editor.connection.alias).update(snapshot_moving=F("template_snapshot"))


def copy_back(apps, schema_editor):
    Course = apps.get_model("protocols", "Course")
    Course.objects.using(schema_editor.connection.alias).update(template_snapshot=F("snapshot_moving"))


class Migration(migrations.Migration):

    dependencies = [
        ("protocols", "0010_session_course_date_index"),
    ]

    operations = [
        # Nullable first, so that undoing the removal below can add the old column back.
        migrations.AlterField(
            model_name="course",
            name="template_snapshot",
            field=models.JSONField(null=True, verbose_name="template as planned"),
        ),
        migrations.AddField(
            model_name="course",
            name="snapshot_moving",
            field=models.JSONField(null=True),
        ),
        migrations.RunPython(copy_forward, copy_back, elidable=False),
        migrations.RemoveField(model_name="course", name="template_snapshot"),
        migrations.RenameField(
            model_name="course", old_name="snapshot_moving", new_name="template_snapshot"
        ),
        migrations.AlterField(
            model_name="course",
            name="template_snapshot",
            field=models.JSONField(
                help_text="The template exactly as it was when the course was planned.",
                verbose_name="template as planned",
            ),
        ),
    ]
