"""Every PDF renders in a separate process with a time limit and a memory cap.

A render that runs too long or wants too much memory gives the user a page that says so (503),
never a server error, and never a web worker stuck on it.
"""

import os
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils.html import escape

from documents import jobs, pdf
from protocols.models import DocumentJob
from tests import pdf_workers
from tests.workspace import knee_patient, next_working_day, running_course, today

MIB = 1024 * 1024


@pytest.fixture
def slow_renders(settings, monkeypatch):
    """Renders that never finish, with a one-second limit; yields the slow process's pid file."""
    settings.PDF_TIMEOUT_SECONDS = 1
    pid_file = pdf_workers.pid_file(test_process=os.getpid())
    pid_file.unlink(missing_ok=True)
    monkeypatch.setattr(pdf, "render_pdf", pdf_workers.slow_render)
    yield pid_file
    pid_file.unlink(missing_ok=True)


def still_running(pid: int) -> bool:
    status = Path(f"/proc/{pid}/status")
    try:
        return "\nState:\tZ" not in status.read_text()  # a zombie has stopped already
    except FileNotFoundError:
        return False


def wait_until_stopped(pid: int) -> bool:
    for _ in range(100):  # the pool reaps a killed process within a moment
        if not still_running(pid):
            return True
        time.sleep(0.1)
    return False


def message(response) -> str:
    return response.content.decode()


@pytest.mark.django_db
def test_a_handout_that_takes_too_long_says_so_and_its_process_is_stopped(
    signed_in, course, slow_renders, monkeypatch, settings
):
    url = reverse("protocols:course_handout", args=[course.pk])

    response = signed_in.get(url)

    assert response.status_code == 503
    assert escape(str(pdf.TOO_SLOW)) in message(response)
    assert wait_until_stopped(int(slow_renders.read_text()))
    monkeypatch.undo()  # real renders again, with time for a new process's first render:
    settings.PDF_TIMEOUT_SECONDS = 60  # the pool replaced the stopped process
    assert signed_in.get(url)["Content-Type"] == "application/pdf"


@pytest.mark.django_db
def test_a_sheet_and_a_day_that_take_too_long_say_so(
    signed_in, clinic_a, therapist_a, slow_renders
):
    day = next_working_day(today() + timedelta(days=1), clinic_a)
    course = running_course(knee_patient(clinic_a), therapist_a, start=day)

    sheet = signed_in.get(reverse("protocols:course_sheet", args=[course.pk]))
    sheets = signed_in.get(reverse("protocols:day_sheets"), {"date": day.isoformat()})

    for response in (sheet, sheets):
        assert response.status_code == 503
        assert escape(str(pdf.TOO_SLOW)) in message(response)


@pytest.mark.django_db
def test_a_background_day_that_takes_too_long_fails_with_the_message(
    clinic_a, therapist_a, slow_renders, monkeypatch
):
    day = next_working_day(today() + timedelta(days=1), clinic_a)
    course = running_course(knee_patient(clinic_a), therapist_a, start=day)
    session = course.sessions.get(date=day)
    job = DocumentJob.objects.create(
        clinic=clinic_a,
        created_by=therapist_a,
        day=day,
        language="en",
        session_ids=[session.pk],
        total=1,
    )

    jobs.run(job.pk)

    job.refresh_from_db()
    assert job.status == DocumentJob.FAILED
    assert job.error == str(pdf.TOO_SLOW)


@pytest.mark.django_db
def test_the_admin_preview_that_takes_too_long_says_so(client, admin_a, slow_renders):
    from tests.workspace import classic

    client.force_login(admin_a)
    template = classic(admin_a.clinic)

    response = client.get(f"/admin/protocols/protocoltemplate/{template.pk}/preview/handout.pdf")

    assert response.status_code == 503
    assert response.content.decode() == str(pdf.TOO_SLOW)


def test_every_rendering_process_has_the_memory_cap(settings):
    settings.PDF_MEMORY_LIMIT_MB = 700

    limits = {pdf.run_bounded(pdf_workers.address_space_limit) for _ in range(4)}

    assert limits == {700 * MIB}


@pytest.mark.django_db
def test_a_render_wanting_more_memory_than_the_cap_says_the_document_is_too_large(
    signed_in, course, settings, monkeypatch
):
    settings.PDF_MEMORY_LIMIT_MB = 512
    monkeypatch.setattr(pdf, "render_pdf", pdf_workers.greedy_render)

    response = signed_in.get(reverse("protocols:course_handout", args=[course.pk]))

    assert response.status_code == 503
    assert escape(str(pdf.TOO_LARGE)) in message(response)


@pytest.mark.django_db
def test_a_real_handout_under_a_tiny_memory_cap_fails_with_a_message(signed_in, course, settings):
    # Well below what a rendering process needs to render (at 150 MB a handout sometimes still
    # fitted, from memory freed after start-up, and the test failed now and then). WeasyPrint fails
    # either in Python (MemoryError: "too large") or in C, where GLib aborts the process
    # ("could not be prepared"); both are a message, neither is a server error.
    settings.PDF_MEMORY_LIMIT_MB = 64

    response = signed_in.get(reverse("protocols:course_handout", args=[course.pk]))

    assert response.status_code == 503
    assert escape(str(pdf.TOO_LARGE)) in message(response) or escape(str(pdf.BROKEN)) in message(
        response
    )
