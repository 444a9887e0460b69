"""The appointment book's data: template snapshots gain the booking buffer (format 2), and every
existing session names its therapist.

- Course snapshots and template versions of format 1 become format 2 with ``"buffer_minutes"``:
  the template's value when the course's template still exists (10, the default, for every
  template until now), else 10. Backwards removes it and gives format 1 again.
- Every session gets the course's therapist (``Session.therapist``, null before): a session
  may later be given by a stand-in. Sessions keep their dates and get no time: they show as
  "time to be agreed" until the course page gives the remaining sessions times.

The conversion is frozen here: it must not follow later changes to ``protocols.snapshot``.
"""

from django.db import migrations
from django.db.models import OuterRef, Subquery

DEFAULT_BUFFER = 10


def snapshot_forwards(data: dict, buffer_minutes: int | None) -> dict:
    if data.get("format") != 1:
        return data
    buffer = DEFAULT_BUFFER if buffer_minutes is None else buffer_minutes
    return {**data, "format": 2, "buffer_minutes": buffer}


def snapshot_backwards(data: dict) -> dict:
    if data.get("format") != 2:
        return data
    return {**{k: v for k, v in data.items() if k != "buffer_minutes"}, "format": 1}


def forwards(apps, schema_editor):
    alias = schema_editor.connection.alias
    course_model = apps.get_model("protocols", "Course")
    version_model = apps.get_model("protocols", "TemplateVersion")
    session_model = apps.get_model("protocols", "Session")
    courses = course_model.objects.using(alias).select_related("template").order_by("pk")
    for course in courses.iterator(chunk_size=500):
        buffer = course.template.buffer_minutes if course.template_id else None
        course.template_snapshot = snapshot_forwards(course.template_snapshot, buffer)
        course.save(update_fields=["template_snapshot"])
    versions = version_model.objects.using(alias).select_related("template").order_by("pk")
    for version in versions.iterator(chunk_size=500):
        version.data = snapshot_forwards(version.data, version.template.buffer_minutes)
        version.save(update_fields=["data"])
    therapist = course_model.objects.filter(pk=OuterRef("course_id")).values("therapist_id")[:1]
    session_model.objects.using(alias).filter(therapist__isnull=True).update(
        therapist_id=Subquery(therapist)
    )


def backwards(apps, schema_editor):
    alias = schema_editor.connection.alias
    for model_name, field in (("Course", "template_snapshot"), ("TemplateVersion", "data")):
        model = apps.get_model("protocols", model_name)
        for row in model.objects.using(alias).order_by("pk").iterator(chunk_size=500):
            setattr(row, field, snapshot_backwards(getattr(row, field)))
            row.save(update_fields=[field])


class Migration(migrations.Migration):
    dependencies = [
        ("protocols", "0014_session_appointment_and_template_buffer"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
