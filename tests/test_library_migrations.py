"""The data migration that shortens the library's handout texts (0009)."""

from importlib import import_module

import pytest
from django.apps import apps

from protocols import default_library
from protocols.exchange import template_data
from protocols.models import ProtocolTemplate

shorter = import_module("protocols.migrations.0009_shorter_handout_texts")


def old_and_new(field, language, new_text):
    return next(
        old
        for f, code, old, new in shorter.CHANGES
        if (f, code, new) == (field, language, new_text)
    )


def library_sections(slug):
    template = next(t for t in default_library.TEMPLATES if t["slug"] == slug)
    return template["handout_sections"]


def test_the_frozen_new_texts_are_the_library_texts_of_today():
    # If the library changes again, a new migration carries that change; this one stays as is.
    library = {
        (field, code, section[field][code])
        for template in default_library.TEMPLATES
        for section in template["handout_sections"]
        for field in ("title", "text")
        for code in ("en", "ru")
    }
    assert {(f, code, new) for f, code, _old, new in shorter.CHANGES} <= library


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
    assert latest.data == template_data(template)  # the app's next save sees no false change


@pytest.mark.django_db
def test_a_template_with_nothing_to_update_gets_no_new_version(clinic_a):
    counts = {t.pk: t.versions.count() for t in ProtocolTemplate.objects.all()}

    shorter.shorten_handout_texts(apps, None)

    assert {t.pk: t.versions.count() for t in ProtocolTemplate.objects.all()} == counts
