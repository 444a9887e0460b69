"""Handouts, session sheets, the day's sheets and calendar files, read back as a user would."""

import io
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext
from icalendar import Calendar
from pypdf import PdfReader

from documents.html import handout_html
from documents.pdf import (
    RefusedURL,
    StaticOnlyFetcher,
    render_pdf,
    static_path_for,
)
from documents.times import appointment_label
from patients.models import Condition, ContraindicationKind, PatientContraindication
from protocols.models import Course, ProtocolTemplate, Session
from protocols.services import create_course
from tests.factories import ConditionFactory, PatientFactory
from tests.workspace import (
    give_hours,
    give_rooms,
    knee_patient,
    next_working_day,
    running_course,
    today,
)


def pdf_text(response) -> tuple[str, int]:
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.django_db
def test_the_handout_lists_the_patient_every_session_and_the_warnings(signed_in, course):
    text, pages = pdf_text(signed_in.get(reverse("protocols:course_handout", args=[course.pk])))
    text = flat(text)

    assert "Maria Ivanova" in text
    for session in course.sessions.all():  # the therapist has no weekly hours
        assert f"{session.date:%a} {session.date.day} {session.date:%b}, time to be agreed" in text
    minutes = [s.planned_minutes for s in course.sessions.order_by("number")]
    assert minutes[:3] == [7, 8, 9]
    # "Please note" in the patient's words: no rule wording, session numbers or ISO dates.
    assert "Medicines that thin the blood make bruises appear more easily." in text
    assert "applies to planned sessions" not in text and "is recorded from" not in text
    assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", text)
    assert "fever" in text and "bleeding" in text and "new swelling" in text
    assert "exercise therapy" in text
    assert "Your next course is due by" in text
    assert "Page 1 of 2" in text
    assert pages == 2
    assert course.therapist.get_full_name() in text
    assert course.patient.clinic.address in text


# Every library template a 20-session course can be planned from, with a patient it suits.
TWENTY_SESSION_TEMPLATES = [
    ("knee-arthrosis-classic", {"kind": Condition.KNEE_ARTHROSIS, "stage": 1}),
    ("knee-arthrosis-knee-sparing", {"kind": Condition.KNEE_ARTHROSIS, "stage": 3}),
    ("after-endoprosthetics", {"kind": Condition.ENDOPROSTHETICS, "joint": "knee"}),
    ("sciatica-leg", {"kind": Condition.SCIATICA}),
]


@pytest.mark.django_db
@pytest.mark.parametrize("booked", [True, False], ids=["booked", "time-to-be-agreed"])
@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("slug, condition", TWENTY_SESSION_TEMPLATES)
def test_a_twenty_session_course_with_a_warning_fits_on_two_pages(
    signed_in, clinic_a, therapist_a, slug, condition, language, booked
):
    if booked:  # the longest labels: "Wed 16 Dec, 10:30, Room 1", "Wed 16 Dec, time to be agreed"
        give_hours(therapist_a)
        give_rooms(clinic_a, "Room 1")
    patient = PatientFactory(clinic=clinic_a, language=language)
    if condition["kind"] == Condition.ENDOPROSTHETICS:
        condition = {**condition, "surgery_date": today() - timedelta(days=60)}
    ConditionFactory(patient=patient, side="left", **condition)
    thinners = ContraindicationKind.objects.get(clinic=clinic_a, code="anticoagulants")
    PatientContraindication.objects.create(patient=patient, kind=thinners, start=today())
    template = ProtocolTemplate.objects.get(clinic=clinic_a, slug=slug)
    assert template.max_sessions >= 20
    course = create_course(
        patient=patient,
        template=template,
        start=today(),
        sessions=20,
        cadence_days=1,
        therapist=therapist_a,
    )

    response = signed_in.get(reverse("protocols:course_handout", args=[course.pk]))
    text, pages = pdf_text(response)

    assert course.sessions.count() == 20
    assert all((s.starts_at is not None) == booked for s in course.sessions.all())
    assert pages == 2
    with translation.override(language):
        footer = f"{gettext('Page')} 1 {gettext('of')} 2"
        warning = gettext("Please note")
    assert footer in flat(text)  # "Page 1 of 2", "Стр. 1 из 2"
    assert warning in flat(text)
    # The patient's own wording of the warning (the kind's text for the patient).
    advice = thinners.patient_text_ru if language == "ru" else thinners.patient_text
    assert flat(advice.split("\n\n")[0]) in flat(text)


@pytest.mark.django_db
def test_a_course_of_equal_sessions_is_not_said_to_start_short(signed_in, clinic_a, therapist_a):
    patient = knee_patient(clinic_a)
    weekly = ProtocolTemplate.objects.get(clinic=clinic_a, slug="swedish-weekly-60")
    course = create_course(patient=patient, template=weekly, start=today(), therapist=therapist_a)

    text, _pages = pdf_text(signed_in.get(reverse("protocols:course_handout", args=[course.pk])))

    assert "Each session lasts about 60 minutes." in flat(text)
    assert "start short" not in flat(text)


@pytest.mark.django_db
def test_only_the_library_templates_above_allow_twenty_sessions(clinic_a):
    twenty = ProtocolTemplate.objects.filter(clinic=clinic_a, max_sessions__gte=20)

    assert sorted(twenty.values_list("slug", flat=True)) == sorted(
        slug for slug, _condition in TWENTY_SESSION_TEMPLATES
    )


@pytest.mark.django_db
def test_the_handout_speaks_the_patients_language(signed_in, course):
    course.patient.language = "ru"
    course.patient.save()

    text, _pages = pdf_text(signed_in.get(reverse("protocols:course_handout", args=[course.pk])))

    with translation.override("ru"):
        title = gettext("Your massage course")
    assert title != "Your massage course"
    assert title in flat(text)
    assert "Your sessions" not in text


@pytest.mark.django_db
def test_documents_show_the_course_as_planned_not_the_edited_template(signed_in, course):
    template = course.template
    template.name = "Renamed after planning"
    template.save()
    template.handout_sections.all().delete()

    handout, _ = pdf_text(signed_in.get(reverse("protocols:course_handout", args=[course.pk])))
    sheet, _ = pdf_text(signed_in.get(reverse("protocols:course_sheet", args=[course.pk])))

    assert "Renamed after planning" not in handout + sheet
    assert course.template_snapshot["name"]["en"] in flat(handout)
    first_section = course.template_snapshot["handout_sections"][0]["title"]["en"]
    assert first_section in flat(handout)


@pytest.mark.django_db
def test_the_sheet_has_the_procedure_minutes_and_pain_boxes(signed_in, course):
    text, _ = pdf_text(signed_in.get(reverse("protocols:course_sheet", args=[course.pk])))
    text = flat(text)

    # The warning in a line for the therapist, not the patient's paragraph of the handout.
    assert "Blood thinners since" in text and ": press lightly, watch for bruises" in text
    assert "Medicines that thin the blood" not in text
    assert "Introductory part" in text and "Main part" in text and "Concluding part" in text
    assert "Pain before" in text and "Pain after" in text
    assert f"15 / {course.sessions.count()}" in text


@pytest.mark.django_db
def test_the_sheet_of_a_knee_sparing_course_says_so(signed_in, clinic_a, therapist_a):
    patient = knee_patient(clinic_a)
    patient.conditions.update(stage=3)
    sparing = ProtocolTemplate.objects.get(clinic=clinic_a, slug="knee-arthrosis-knee-sparing")
    course = create_course(patient=patient, template=sparing, start=today(), therapist=therapist_a)

    text, _ = pdf_text(signed_in.get(reverse("protocols:course_sheet", args=[course.pk])))

    assert "Knee-sparing: do not massage the knee itself" in flat(text)
    assert "Stage 3 knee arthrosis: surgical consultation advised" in flat(text)


@pytest.mark.django_db
def test_the_day_pdf_holds_every_sheet_of_the_day_in_order(signed_in, clinic_a, therapist_a):
    day = next_working_day(today() + timedelta(days=1), clinic_a)
    for last_name in ["Zorina", "Abramova"]:
        running_course(knee_patient(clinic_a, last_name=last_name), therapist_a, start=day)

    response = signed_in.get(reverse("protocols:day_sheets"), {"date": day.isoformat()})
    text, pages = pdf_text(response)

    assert text.index("Abramova") < text.index("Zorina")
    assert pages >= 2


@pytest.fixture
def booked_course(clinic_a, therapist_a):
    """A course booked at 10:30 in Moscow, in room "2", for a Russian-speaking patient."""
    clinic_a.time_zone = "Europe/Moscow"
    clinic_a.save()
    give_hours(therapist_a, hours=((540, 780), (840, 1080)))
    give_rooms(clinic_a, "2")
    patient = knee_patient(clinic_a, last_name="Ivanova", language="ru")
    return create_course(
        patient=patient,
        template=ProtocolTemplate.objects.get(clinic=clinic_a, slug="knee-arthrosis-classic"),
        start=today(),
        therapist=therapist_a,
        preferred_time=10 * 60 + 30,
    )


def local_day(session):
    return session.starts_at.astimezone(ZoneInfo("Europe/Moscow")).date()


@pytest.mark.django_db
def test_the_handout_shows_each_session_at_its_time_and_room_in_the_patients_language(
    signed_in, booked_course
):
    text, pages = pdf_text(
        signed_in.get(reverse("protocols:course_handout", args=[booked_course.pk]))
    )

    sessions = list(booked_course.sessions.order_by("number"))
    assert len(sessions) == 15 and pages == 2
    for session in sessions:
        assert session.starts_at.astimezone(ZoneInfo("Europe/Moscow")).strftime("%H:%M") == "10:30"
        day = local_day(session)
        with translation.override("ru"):
            weekday = date_format(day, "D")
        assert f"{weekday}, {day.day} " in flat(text)
    assert flat(text).count("10:30, кабинет 2") == 15
    assert "время уточняется" not in text and "10:30" in text


@pytest.mark.django_db
def test_the_sheet_shows_each_session_at_its_time_in_the_readers_language(signed_in, booked_course):
    text, _ = pdf_text(signed_in.get(reverse("protocols:course_sheet", args=[booked_course.pk])))

    first = booked_course.sessions.get(number=1)
    label = appointment_label(first, booked_course.patient.clinic, language="en")
    assert label.endswith(", 10:30, room 2")
    assert label in flat(text)
    assert flat(text).count("10:30, room 2") == 15


@pytest.mark.django_db
def test_the_day_pdf_follows_the_timetable_untimed_sessions_last(
    signed_in, clinic_a, therapist_a, admin_a
):
    day = next_working_day(today() + timedelta(days=1), clinic_a)
    give_hours(therapist_a)
    for last_name, minute in [("Abramova", 14 * 60), ("Zorina", 9 * 60), ("Morozova", 11 * 60)]:
        patient = knee_patient(clinic_a, last_name=last_name)
        create_course(
            patient=patient,
            template=ProtocolTemplate.objects.get(clinic=clinic_a, slug="knee-arthrosis-classic"),
            start=day,
            therapist=therapist_a,
            preferred_time=minute,
        )
    running_course(knee_patient(clinic_a, last_name="Babkina"), admin_a, start=day)  # no hours
    assert Session.objects.filter(date=day, starts_at__isnull=True).count() == 1

    text, _ = pdf_text(signed_in.get(reverse("protocols:day_sheets"), {"date": day.isoformat()}))

    order = ["Zorina", "Morozova", "Abramova", "Babkina"]
    assert [text.index(name) for name in order] == sorted(text.index(name) for name in order)
    assert f"{day:%a} {day.day} {day:%b}, 09:00" in flat(text)
    assert f"{day:%a} {day.day} {day:%b}, time to be agreed" in flat(text)


@pytest.mark.django_db
def test_the_day_pdf_refuses_a_malformed_date(signed_in):
    response = signed_in.get(reverse("protocols:day_sheets"), {"date": "31/31/2026"})

    assert response.status_code == 400
    assert "YYYY-MM-DD" in response.content.decode()


@pytest.mark.django_db
def test_the_handout_costs_a_fixed_number_of_queries(signed_in, course, count_queries):
    url = reverse("protocols:course_handout", args=[course.pk])
    # session, user with clinic, permissions, course with patient/clinic/therapist/template,
    # sessions, conditions, contraindications with their kinds, the user's background jobs
    # being made (the per-user render limit), the access entry of the trail
    assert count_queries(signed_in, url) == 9
    # From the cache: no render, so no count of the jobs being made.
    assert count_queries(signed_in, url) == 8


@pytest.mark.django_db
def test_the_calendar_file_has_one_event_per_session(signed_in, course):
    response = signed_in.get(reverse("protocols:course_calendar", args=[course.pk]))
    calendar = Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert len(events) == course.sessions.count()
    assert sorted(e.decoded("DTSTART").date() for e in events) == sorted(
        course.sessions.values_list("date", flat=True)
    )


# --- Nothing but the app's own static files --------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://169.254.169.254/latest/meta-data/",
        "https://example.org/static/fonts/dejavu/DejaVuSans.ttf",
        "https://clinic-assets.invalid/static/../config/settings.py",
        "https://clinic-assets.invalid/static/%2e%2e/config/settings.py",
        "https://clinic-assets.invalid/etc/passwd",
        "https://clinic-assets.invalid/static/fonts/../../manage.py",
    ],
)
def test_the_fetcher_refuses_anything_but_a_static_file(url):
    with pytest.raises(RefusedURL):
        static_path_for(url)


def test_the_fetcher_serves_the_shipped_fonts(settings):
    fetcher = StaticOnlyFetcher()
    response = fetcher.fetch("https://clinic-assets.invalid/static/fonts/dejavu/DejaVuSans.ttf")

    assert response.read()[:4] == b"\x00\x01\x00\x00"


def test_a_hostile_document_renders_without_reading_files_or_calling_servers():
    fetcher = StaticOnlyFetcher()
    html = (
        '<img src="file:///etc/passwd"><div style="background: url(http://169.254.169.254/)">'
        'x</div><img src="../../config/settings.py"><p>Text stays</p>'
    )

    pdf = render_pdf(html, fetcher=fetcher)

    assert pdf.startswith(b"%PDF")
    assert "file:///etc/passwd" in fetcher.refused
    assert "http://169.254.169.254/" in fetcher.refused
    assert any("settings.py" in url for url in fetcher.refused)
    assert "Text stays" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


@pytest.mark.django_db
def test_typed_markup_in_records_is_printed_as_text(signed_in, course):
    hostile = '<img src="file:///etc/passwd"> url(http://169.254.169.254/) ../secret'
    course.patient.first_name = hostile
    course.patient.save()
    course.template_snapshot["handout_sections"][0]["text"]["en"] = hostile
    course.save()

    text, _ = pdf_text(signed_in.get(reverse("protocols:course_handout", args=[course.pk])))

    assert '<img src="file:///etc/passwd">' in flat(text)
    # The app renders in a separate process; render the same HTML here to see what it fetched.
    fetcher = StaticOnlyFetcher()
    render_pdf(handout_html(Course.objects.get(pk=course.pk)), fetcher=fetcher)
    assert fetcher.refused == []


@pytest.mark.django_db
def test_a_large_day_renders_on_every_core_with_the_same_pages(
    signed_in, clinic_a, therapist_a, settings
):
    day = next_working_day(today() + timedelta(days=1), clinic_a)
    for last_name in ["Borisova", "Antonova", "Vasilieva"]:
        running_course(knee_patient(clinic_a, last_name=last_name), therapist_a, start=day)
    settings.PDF_PARALLEL_FROM = 2
    settings.PDF_WORKERS = 2

    text, pages = pdf_text(
        signed_in.get(reverse("protocols:day_sheets"), {"date": day.isoformat()})
    )

    assert pages >= 3
    assert text.index("Antonova") < text.index("Borisova") < text.index("Vasilieva")


@pytest.mark.django_db
def test_every_page_of_a_day_names_its_patient_and_sheet(
    signed_in, clinic_a, therapist_a, settings, monkeypatch
):
    from documents import html as documents

    day = next_working_day(today() + timedelta(days=1), clinic_a)
    names = ["Antonova", "Borisova", "Vasilieva", "Grigorieva", "Dmitrieva"]
    for last_name in names:
        running_course(knee_patient(clinic_a, last_name=last_name), therapist_a, start=day)
    settings.PDF_PARALLEL_FROM = 2
    monkeypatch.setattr(documents, "SHEETS_PER_DOCUMENT", 2)  # documents of 2, 2 and 1 sheets

    response = signed_in.get(reverse("protocols:day_sheets"), {"date": day.isoformat()})

    reader = PdfReader(io.BytesIO(response.content))
    seen = []
    for page in reader.pages:
        text = flat(page.extract_text())
        number = next(n for n in range(1, 6) if f"Sheet {n} of 5" in text)
        # sheets come in the patients' alphabetical order; the name heads and foots the page
        assert sorted(names)[number - 1] in text.split("Session sheet")[0] + text[-80:]
        seen.append(number)
    assert sorted(set(seen)) == [1, 2, 3, 4, 5]
    assert seen == sorted(seen)
    assert "Page" not in flat(reader.pages[0].extract_text())


@pytest.mark.django_db
def test_a_busy_day_renders_in_the_background_behind_a_progress_bar(
    signed_in, clinic_a, therapist_a, settings, monkeypatch
):
    from documents import jobs
    from protocols.models import DocumentJob

    day = next_working_day(today() + timedelta(days=1), clinic_a)
    for last_name in ["Gromova", "Belova", "Dronova"]:
        running_course(knee_patient(clinic_a, last_name=last_name), therapist_a, start=day)
    settings.PDF_BACKGROUND_FROM = 3
    started = []
    monkeypatch.setattr(jobs, "start", started.append)

    response = signed_in.get(reverse("protocols:day_sheets"), {"date": day.isoformat()})
    job = DocumentJob.objects.get()
    assert response["Location"] == reverse("protocols:document_job", args=[job.pk])
    waiting = signed_in.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert "Rendering 0 of 3 sheets" in waiting and 'hx-trigger="every 1s"' in waiting
    early = signed_in.get(reverse("protocols:document_job_pdf", args=[job.pk]))
    assert early.status_code == 302

    jobs.run(started[0].pk)

    ready = signed_in.get(reverse("protocols:document_job", args=[job.pk])).content.decode()
    assert "3 sheets are ready." in ready and "every 1s" not in ready
    text, pages = pdf_text(signed_in.get(reverse("protocols:document_job_pdf", args=[job.pk])))
    assert text.index("Belova") < text.index("Dronova") < text.index("Gromova")
    assert pages >= 3


@pytest.mark.django_db
def test_another_users_document_is_not_found(client, clinic_a, therapist_a, admin_a):
    from protocols.models import DocumentJob

    job = DocumentJob.objects.create(
        clinic=clinic_a, created_by=admin_a, day=today(), language="en", total=1
    )
    client.force_login(therapist_a)

    assert client.get(reverse("protocols:document_job", args=[job.pk])).status_code == 404


@pytest.mark.django_db
def test_an_impossible_day_is_refused_with_a_message(signed_in):
    response = signed_in.get(reverse("protocols:day_sheets"), {"date": "2026-02-30"})

    assert response.status_code == 400
    assert "YYYY-MM-DD" in response.content.decode()


@pytest.mark.django_db
def test_a_finished_document_opens_for_its_author_only(client, clinic_a, therapist_a, admin_a):
    from protocols.models import DocumentJob

    job = DocumentJob.objects.create(
        clinic=clinic_a,
        created_by=therapist_a,
        day=today(),
        language="en",
        total=1,
        status=DocumentJob.DONE,
        pdf=b"%PDF-1.7 test",
    )
    url = reverse("protocols:document_job_pdf", args=[job.pk])

    assert client.get(url).status_code == 302  # anonymous: sign in first
    client.force_login(admin_a)
    assert client.get(url).status_code == 404
    client.force_login(therapist_a)
    response = client.get(url)
    assert response.status_code == 200
    assert response.content == b"%PDF-1.7 test"
