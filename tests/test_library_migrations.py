"""The default library's data file and the migrations that installed and changed it."""

import ast
import io
import json
from importlib import import_module
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

from protocols import exchange
from protocols.library import LIBRARY_FILE, install_default_library, read_library
from protocols.models import ProtocolTemplate
from protocols.snapshot import template_snapshot

shorter = import_module("protocols.migrations.0009_shorter_handout_texts")
buffer_format = import_module(
    "protocols.migrations.0015_snapshot_format_2_buffer_and_session_therapists"
)
snapshot_format = import_module("protocols.migrations.0013_template_snapshot_format_1")


def old_and_new(field, language, new_text):
    return next(
        old
        for f, code, old, new in shorter.CHANGES
        if (f, code, new) == (field, language, new_text)
    )


def shipped_templates() -> list[dict]:
    return json.loads(LIBRARY_FILE.read_text(encoding="utf-8"))["templates"]


def library_sections(slug):
    template = next(t for t in shipped_templates() if t["slug"] == slug)
    return template["handout_sections"]


# --- The data file ---------------------------------------------------------------------------


def test_the_shipped_library_passes_the_checks_of_an_admins_import():
    templates, kinds = read_library()  # raises ImportRejected, listing every problem

    assert [t["slug"] for t in templates] == [t["slug"] for t in shipped_templates()]
    assert {k["code"] for k in kinds} >= {"bleeding", "thrombosis", "fever", "anticoagulants"}
    assert all(t["name"]["en"] and t["name"]["ru"] for t in templates)


@pytest.mark.django_db
def test_the_admins_import_page_takes_the_shipped_file_and_finds_the_clinics_copy_unchanged(
    client, clinic_a, admin_a
):
    client.force_login(admin_a)
    upload = io.BytesIO(LIBRARY_FILE.read_bytes())
    upload.name = "default_library.json"

    response = client.post(
        "/admin/protocols/protocoltemplate/import/", {"file": upload}, follow=True
    )

    assert "0 new, 0 updated, 5 unchanged" in response.content.decode()
    assert "Contraindication kinds: 0 new, 0 updated." in response.content.decode()


@pytest.mark.django_db
def test_the_migrations_installed_exactly_the_shipped_library():
    # Their frozen copies, replayed on an empty database, end where the file is today: a change
    # to the file without a migration that carries it fails here.
    result = install_default_library()

    assert result.created == result.updated == []
    assert result.kinds_created == result.kinds_updated == []
    assert sorted(result.unchanged) == sorted(t["slug"] for t in shipped_templates())


def project_migrations() -> list[Path]:
    root = Path(settings.BASE_DIR)
    return sorted(
        path
        for app in ("audit", "clinic", "patients", "protocols")
        for path in (root / app / "migrations").glob("0*.py")
    )


@pytest.mark.parametrize("path", project_migrations(), ids=lambda path: path.name)
def test_a_migration_imports_no_app_code_that_may_change_later(path):
    imported = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module)
    outside = {
        name
        for name in imported
        if name.split(".")[0] not in {"django", "json", "pathlib", "datetime"}
    }
    # A model field's class is part of the schema: makemigrations writes its import itself.
    assert outside <= {"core.fields", "clinic.models"}


def test_each_library_migration_reads_only_its_own_frozen_data():
    for name in ("0002_default_library", "0007_russian_library_and_first_versions"):
        migration = import_module(f"protocols.migrations.{name}")
        assert migration.DATA.parent == Path(migration.__file__).parent / "data"
        assert migration.DATA.name == f"{name[:4]}_default_library.json"
        exchange.read_document(json.loads(migration.DATA.read_text(encoding="utf-8")), None)


# --- 0009: shorter handout texts -------------------------------------------------------------


def test_the_frozen_new_texts_are_the_library_texts_of_today():
    # If the library changes again, a new migration carries that change; this one stays as is.
    library = {
        (field, code, section[field][code])
        for template in shipped_templates()
        for section in template["handout_sections"]
        for field in ("title", "text")
        for code in ("en", "ru")
    }
    assert {(f, code, new) for f, code, _old, new in shorter.CHANGES} <= library


def test_0009_changes_the_library_that_0007_installed_into_the_shipped_one():
    installed = json.loads(
        import_module(
            "protocols.migrations.0007_russian_library_and_first_versions"
        ).DATA.read_text(encoding="utf-8")
    )
    old_texts = {
        (field, code, section[field][code])
        for template in installed["templates"]
        for section in template["handout_sections"]
        for field in ("title", "text")
        for code in ("en", "ru")
    }
    assert {(f, code, old) for f, code, old, _new in shorter.CHANGES} <= old_texts


@pytest.mark.django_db
def test_untouched_texts_get_the_shorter_wording_and_edited_ones_stay(clinic_a):
    template = ProtocolTemplate.objects.get(clinic=clinic_a, slug="knee-arthrosis-classic")
    session, honey, *_rest = template.handout_sections.order_by("order")
    new_session = library_sections("knee-arthrosis-classic")[0]
    new_honey = library_sections("knee-arthrosis-classic")[1]
    # A clinic that installed the old library and then edited only the honey rub's English text.
    session.title = old_and_new("title", "en", new_session["title"]["en"])
    session.text = old_and_new("text", "en", new_session["text"]["en"])
    session.text_ru = old_and_new("text", "ru", new_session["text"]["ru"])
    session.save()
    honey.text = "Our own honey rub advice."
    honey.text_ru = old_and_new("text", "ru", new_honey["text"]["ru"])
    honey.save()
    versions = template.versions.count()

    shorter.shorten_handout_texts(apps, None)

    session.refresh_from_db()
    honey.refresh_from_db()
    assert session.title == "During the session"
    assert session.text == new_session["text"]["en"]
    assert "first sessions are short" not in session.text
    assert session.text_ru == new_session["text"]["ru"]
    assert honey.text == "Our own honey rub advice."
    assert honey.text_ru == new_honey["text"]["ru"]
    assert template.versions.count() == versions + 1
    latest = template.versions.order_by("-number").first()
    assert latest.note == "Shorter handout texts (library update)"
    assert latest.data["handout_sections"][1]["text"]["en"] == "Our own honey rub advice."
    assert latest.data["handout_sections"][0]["text"]["ru"] == new_session["text"]["ru"]
    # The version 0009 wrote is the one the app writes today once 0013 has numbered its format
    # and 0015 added the booking buffer: the app's next save sees no false change.
    numbered = snapshot_format.version_forwards(latest.data)
    with_buffer = buffer_format.snapshot_forwards(numbered, template.buffer_minutes)
    assert with_buffer == template_snapshot(template)


@pytest.mark.django_db
def test_a_template_with_nothing_to_update_gets_no_new_version(clinic_a):
    counts = {t.pk: t.versions.count() for t in ProtocolTemplate.objects.all()}

    shorter.shorten_handout_texts(apps, None)

    assert {t.pk: t.versions.count() for t in ProtocolTemplate.objects.all()} == counts
