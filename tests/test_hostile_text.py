"""Hostile text in every field a user types: shown escaped and intact in pages, PDFs and .ics.

Markup (``<script>``, ``<b>``), quotes and ampersands, a 5,000-character word, a 300-word
paragraph, right-to-left Arabic and Hebrew, and emoji with zero-width joiners.

What the PDFs can show, and what pypdf can read back: the bundled DejaVu Sans has Latin,
Cyrillic, Hebrew and Arabic glyphs but no emoji, so emoji print as empty boxes (WeasyPrint logs
".notdef glyph"); that is accepted, the text around them must be intact. Where a line holds an
emoji, pypdf reads that stretch as two bytes a character (a NUL before each ASCII letter), so NULs
are dropped before comparing. Arabic is printed shaped (joined letter forms) and those glyphs carry
no mapping back to letters, so for Arabic only the text after it is checked. Hebrew is compared
letter by letter, in either reading order, as PDFs store bidirectional text variously.
"""

import io
import re
import unicodedata

import pytest
from django.urls import reverse
from django.utils.html import escape
from icalendar import Calendar
from pypdf import PdfReader

from patients.models import ContraindicationKind, PatientContraindication
from protocols.services import record_session
from tests.factories import ConditionFactory, ExacerbationFactory, PatientFactory
from tests.workspace import running_course, today

SCRIPT = "<script>alert(1)</script>"
MARKUP = "<b>html</b>"
QUOTES = "\"quotes' & ampersands"
ARABIC = "مرحبا"
HEBREW = "שלום"
EMOJI = "👩\u200d👩\u200d👧\u200d👦🙂"
LONG_WORD = "Z" + "x" * 4999
PARAGRAPH = " ".join(f"word{i}" for i in range(300))
SHORT = f"{SCRIPT} {MARKUP} {QUOTES} {ARABIC} {HEBREW} {EMOJI}"


def letters(text: str) -> str:
    """The text as pypdf extracts it, folded to compare: NFKC, no spaces or line breaks."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def pdf(response) -> str:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return text.replace("\x00", "")  # see the module's docstring


def assert_in_order(extracted: str, words: list[str]) -> None:
    """Every word is there, in order (a paragraph may break across pages, around the footer)."""
    position = 0
    for word in words:
        position = extracted.index(word, position) + len(word)


def assert_long_word_intact(extracted: str) -> None:
    """The 5,000-character word is all there, wrapped over lines that fit the page (it may
    cross a page break, so it is put together from the lines that hold only its letters)."""
    lines = [line for line in extracted.splitlines() if re.fullmatch(r"Z?x+", line)]
    assert max(len(line) for line in lines) < 150
    copies = "".join(lines).split("Z")[1:]
    assert copies and all(copy == LONG_WORD[1:] for copy in copies)


def assert_rtl_intact(extracted: str, word: str) -> None:
    folded = letters(extracted)
    assert letters(word) in folded or letters(word)[::-1] in folded


@pytest.fixture
def hostile(clinic_a, therapist_a):
    """A clinic, patient, course and records whose every typed text is hostile."""
    clinic_a.name = f"{SCRIPT} Clinic {HEBREW}"
    clinic_a.address = f"{MARKUP}, Apt 2; {QUOTES} {ARABIC} {EMOJI}"
    clinic_a.phone = "+7 <i>900</i> & 1"
    clinic_a.save()
    kind = ContraindicationKind.objects.create(
        clinic=clinic_a,
        code="hostile",
        severity=ContraindicationKind.WARNS,
        name=f"{SCRIPT} kind",
        patient_text=f"{QUOTES} {PARAGRAPH}",
    )
    patient = PatientFactory(
        clinic=clinic_a,
        first_name=SCRIPT,
        last_name=f"{QUOTES} {HEBREW}",
        phone="+1 <b>5</b> 🙂",
        notes=f"{SHORT}\n{LONG_WORD}\n{PARAGRAPH}",
    )
    condition = ConditionFactory(patient=patient, stage=2, side="left", note=SHORT[:300])
    ExacerbationFactory(
        condition=condition,
        start=today().replace(year=2020),
        end=today().replace(year=2020),
        note=SHORT[:300],
    )
    PatientContraindication.objects.create(
        patient=patient, kind=kind, start=today(), end=None, note=f"{MARKUP} {EMOJI}"
    )
    course = running_course(patient, therapist_a)
    snapshot = course.template_snapshot
    snapshot["name"]["en"] = f"{SCRIPT} {ARABIC}; course, one"
    snapshot["handout_sections"][0]["title"]["en"] = f"{MARKUP} {HEBREW}"
    snapshot["handout_sections"][0]["text"]["en"] = f"{SHORT}\n\n{LONG_WORD}\n\n{PARAGRAPH}"
    snapshot["steps"][0]["instruction"]["en"] = f"{SCRIPT} {LONG_WORD}"
    course.template_snapshot = snapshot
    course.save()
    first = course.sessions.order_by("number").first()
    record_session(
        session=first, user=therapist_a, done=True, actual_minutes=7, note=f"{SHORT} {LONG_WORD}"
    )
    return {"clinic": clinic_a, "patient": patient, "course": course, "kind": kind}


# --- Pages ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_pages_show_every_hostile_text_escaped_and_intact(client, therapist_a, admin_a, hostile):
    patient, course = hostile["patient"], hostile["course"]
    client.force_login(therapist_a)
    pages = {
        "patient": client.get(reverse("patients:detail", args=[patient.pk])),
        "list": client.get(reverse("patients:list")),
        "course": client.get(reverse("protocols:course", args=[course.pk])),
        "day": client.get(reverse("home")),
    }
    client.force_login(admin_a)
    pages["kind"] = client.get(f"/admin/patients/contraindicationkind/{hostile['kind'].pk}/change/")

    for name, response in pages.items():
        html = response.content.decode()
        assert response.status_code == 200, name
        assert SCRIPT not in html, f"raw <script> on the {name} page"
        assert escape(SCRIPT) in html, name
    detail = pages["patient"].content.decode()
    for text in (MARKUP, QUOTES, ARABIC, HEBREW, EMOJI, LONG_WORD, PARAGRAPH):
        assert escape(text) in detail
    assert MARKUP not in detail
    course_page = pages["course"].content.decode()
    assert escape(f"{SHORT} {LONG_WORD}") in course_page  # the session note


# --- PDFs -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_handout_prints_hostile_text_as_text_and_wraps_long_words(client, therapist_a, hostile):
    client.force_login(therapist_a)
    course = hostile["course"]

    text = pdf(client.get(reverse("protocols:course_handout", args=[course.pk])))

    flat = letters(text)
    for typed in (SCRIPT, MARKUP, QUOTES, "Apt2;"):
        assert letters(typed) in flat, typed
    assert_long_word_intact(text)
    assert_in_order(text, PARAGRAPH.split())
    assert_rtl_intact(text, HEBREW)
    # Arabic is printed shaped (joined letter forms) and pypdf cannot map those glyphs back to
    # letters, so only what follows it on the same line is checked: nothing after it is lost.
    assert letters("; course, one") in flat
    # Nothing runs off the edge of the page: every line fits.
    assert max(len(line) for line in text.splitlines()) < 150


@pytest.mark.django_db
def test_the_sheet_prints_hostile_text_as_text_and_wraps_long_words(client, therapist_a, hostile):
    client.force_login(therapist_a)
    course = hostile["course"]

    text = pdf(client.get(reverse("protocols:course_sheet", args=[course.pk])))

    flat = letters(text)
    for typed in (SCRIPT, QUOTES):
        assert letters(typed) in flat, typed
    assert_long_word_intact(text)
    assert_rtl_intact(text, HEBREW)
    assert max(len(line) for line in text.splitlines()) < 150


# --- The calendar file ------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_calendar_file_round_trips_hostile_text(client, therapist_a, hostile):
    client.force_login(therapist_a)
    course, clinic = hostile["course"], hostile["clinic"]

    response = client.get(reverse("protocols:course_calendar", args=[course.pk]))

    body = response.content.decode()
    assert "\r\n" in body and "; course\\, one" in body  # commas and semicolons escaped
    events = list(Calendar.from_ical(response.content).events)
    assert events
    for event in events:
        assert f"{SCRIPT} {ARABIC}; course, one" in str(event["SUMMARY"])
        assert str(event["LOCATION"]) == f"{clinic.name}, {clinic.address}"
        assert clinic.phone in str(event["DESCRIPTION"])
        assert "\n\n" in str(event["DESCRIPTION"])  # paragraphs survive as line breaks
