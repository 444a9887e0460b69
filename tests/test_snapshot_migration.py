"""Migrations 0013 and 0015: course snapshots and template versions in format 1, then 2 (with
the booking buffer); documents unchanged."""

import io
import json
from importlib import import_module
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from pypdf import PdfReader

from documents.handouts import sheet_context
from documents.html import handout_html, sheets_html
from documents.pdf import render_pdf
from protocols.models import Course, ProtocolTemplate, TemplateVersion
from protocols.snapshot import FORMAT, template_snapshot

migration = import_module("protocols.migrations.0013_template_snapshot_format_1")
buffer_migration = import_module(
    "protocols.migrations.0015_snapshot_format_2_buffer_and_session_therapists"
)
# What the app stored for the demo's first course before this migration (its flat form).
OLD_SNAPSHOT = json.loads(
    (Path(__file__).parent / "data" / "course_snapshot_before_format_1.json").read_text("utf-8")
)

pytestmark = pytest.mark.django_db


def forwards():
    migration.forwards(apps, SimpleNamespace(connection=connection))
    buffer_migration.forwards(apps, SimpleNamespace(connection=connection))


def backwards():
    buffer_migration.backwards(apps, SimpleNamespace(connection=connection))
    migration.backwards(apps, SimpleNamespace(connection=connection))


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def demo_documents() -> dict[str, str]:
    """The text of every demo course's handout and sheet, in English and in Russian."""
    texts = {}
    for pk in Course.objects.order_by("pk").values_list("pk", flat=True):
        for language in ("en", "ru"):
            course = Course.objects.select_related("patient__clinic").get(pk=pk)
            course.patient.language = language
            sessions = [s for s in course.sessions.all() if s.status != "cancelled"]
            sheet = sheets_html([sheet_context(course, sessions)], language=language)
            texts[f"course {pk} {language} handout"] = pdf_text(render_pdf(handout_html(course)))
            texts[f"course {pk} {language} sheet"] = pdf_text(render_pdf(sheet))
    return texts


def test_the_old_flat_snapshot_becomes_the_template_as_the_app_stores_it_now(clinic_a):
    template = ProtocolTemplate.objects.get(clinic=clinic_a, slug=OLD_SNAPSHOT["slug"])

    format_1 = migration.course_snapshot_forwards(OLD_SNAPSHOT, template)
    converted = buffer_migration.snapshot_forwards(format_1, template.buffer_minutes)

    assert converted == template_snapshot(template)
    assert converted["buffer_minutes"] == 10
    assert converted["format"] == FORMAT
    assert converted["steps"][0]["body_area"] == {"en": "Lower back", "ru": "Поясница"}
    # And back: the flat form again, with the template's id that the old form carried.
    assert buffer_migration.snapshot_backwards(converted) == format_1
    assert migration.course_snapshot_backwards(format_1, OLD_SNAPSHOT["id"]) == OLD_SNAPSHOT


def test_a_snapshot_from_before_the_russian_texts_gets_empty_russian_ones(clinic_a):
    template = ProtocolTemplate.objects.get(clinic=clinic_a, slug=OLD_SNAPSHOT["slug"])
    english_only = {
        key: value
        for key, value in OLD_SNAPSHOT.items()
        if not key.endswith("_ru") and key not in ("steps", "handout_sections")
    }
    english_only["steps"] = [{"phase": "main", "technique": "rubbing", "body_area": "Knee"}]
    english_only["handout_sections"] = [{"title": "At home", "text": "Rest."}]
    del english_only["in_warm_water"]  # a value it lacks comes from its template
    template.in_warm_water = True
    template.save()

    converted = migration.course_snapshot_forwards(english_only, template)

    assert converted["name"] == {"en": OLD_SNAPSHOT["name"], "ru": ""}
    assert converted["steps"] == [
        {
            "phase": "main",
            "technique": "rubbing",
            "body_area": {"en": "Knee", "ru": ""},
            "instruction": {"en": "", "ru": ""},
            "repetitions": {"en": "", "ru": ""},
        }
    ]
    assert converted["in_warm_water"] is True
    assert converted["active"] is True


def test_every_demo_document_reads_the_same_after_the_migration():
    call_command("seed_demo", stdout=io.StringIO())
    stored = dict(Course.objects.values_list("pk", "template_snapshot"))
    versions = dict(TemplateVersion.objects.values_list("pk", "data"))
    documents = demo_documents()

    backwards()  # the demo as the app stored it before this migration
    old = Course.objects.get(pk=min(stored)).template_snapshot
    assert "format" not in old and old["name_ru"] and isinstance(old["name"], str)
    assert not any(
        "format" in data for data in TemplateVersion.objects.values_list("data", flat=True)
    )
    forwards()

    assert dict(Course.objects.values_list("pk", "template_snapshot")) == stored
    assert dict(TemplateVersion.objects.values_list("pk", "data")) == versions
    assert len(documents) == 4 * len(stored) >= 40
    assert demo_documents() == documents


def test_running_it_twice_changes_nothing():
    call_command("seed_demo", stdout=io.StringIO())
    stored = dict(Course.objects.values_list("pk", "template_snapshot"))
    buffer_migration.backwards(apps, SimpleNamespace(connection=connection))
    format_1 = dict(Course.objects.values_list("pk", "template_snapshot"))

    migration.forwards(apps, SimpleNamespace(connection=connection))  # 0013 a second time
    assert dict(Course.objects.values_list("pk", "template_snapshot")) == format_1
    for _twice in range(2):
        buffer_migration.forwards(apps, SimpleNamespace(connection=connection))

    assert dict(Course.objects.values_list("pk", "template_snapshot")) == stored
