"""Background PDFs on the task queue: a killed worker's job is finished by the sweep, a job no
worker takes stops the page's polling with a message, and old PDFs are deleted."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from documents import jobs
from protocols.models import DocumentJob
from tests.workspace import knee_patient, next_working_day, running_course, today

ROOT = Path(__file__).resolve().parent.parent


def job_for(clinic, user, course, **fields):
    return DocumentJob.objects.create(
        clinic=clinic,
        created_by=user,
        day=course.sessions.first().date,
        language="en",
        session_ids=list(course.sessions.values_list("pk", flat=True)[:3]),
        total=3,
        **fields,
    )


@pytest.fixture
def course(clinic_a, therapist_a):
    day = next_working_day(today() + timedelta(days=1), clinic_a)
    return running_course(knee_patient(clinic_a), therapist_a, start=day)


@pytest.mark.django_db
def test_the_sweep_runs_a_stalled_job_again_and_it_finishes(
    clinic_a, therapist_a, course, django_capture_on_commit_callbacks
):
    job = job_for(clinic_a, therapist_a, course, status=DocumentJob.RUNNING, attempts=1)
    DocumentJob.objects.filter(pk=job.pk).update(updated_at=timezone.now() - timedelta(minutes=5))

    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.sweep()["run_again"] == 1

    job.refresh_from_db()
    assert job.status == DocumentJob.DONE and bytes(job.pdf).startswith(b"%PDF")
    assert job.attempts == 2


@pytest.mark.django_db
def test_a_job_tried_too_often_fails_and_the_page_stops_polling_and_says_so(
    client, clinic_a, therapist_a, course, settings
):
    job = job_for(
        clinic_a,
        therapist_a,
        course,
        status=DocumentJob.RUNNING,
        attempts=settings.PDF_JOB_ATTEMPTS,
    )
    DocumentJob.objects.filter(pk=job.pk).update(updated_at=timezone.now() - timedelta(minutes=5))

    assert jobs.sweep()["given_up"] == 1

    client.force_login(therapist_a)
    page = client.get(reverse("protocols:document_job", args=[job.pk]), HTTP_HX_REQUEST="true")
    text = page.content.decode()
    assert "every 1s" not in text
    assert "background worker stopped" in text and "Try again" in text


@pytest.mark.django_db
def test_a_job_no_worker_takes_stops_the_polling_with_a_message(
    client, clinic_a, therapist_a, course, settings
):
    job = job_for(clinic_a, therapist_a, course)  # pending, never picked up
    client.force_login(therapist_a)
    url = reverse("protocols:document_job", args=[job.pk])
    assert "every 1s" in client.get(url, HTTP_HX_REQUEST="true").content.decode()

    late = timezone.now() - timedelta(seconds=settings.PDF_STALL_SECONDS * 100)
    DocumentJob.objects.filter(pk=job.pk).update(updated_at=late)
    text = client.get(url, HTTP_HX_REQUEST="true").content.decode()

    assert "every 1s" not in text and "background worker is not running" in text
    job.refresh_from_db()
    assert job.status == DocumentJob.FAILED


@pytest.mark.django_db
def test_a_finished_pdf_is_deleted_after_the_retention_period(
    client, clinic_a, therapist_a, course, settings
):
    fresh = job_for(clinic_a, therapist_a, course, status=DocumentJob.DONE, pdf=b"%PDF-fresh")
    old = job_for(clinic_a, therapist_a, course, status=DocumentJob.DONE, pdf=b"%PDF-old")
    hours = settings.PDF_RETENTION_HOURS
    DocumentJob.objects.filter(pk=old.pk).update(
        updated_at=timezone.now() - timedelta(hours=hours, minutes=1)
    )

    assert jobs.sweep()["deleted"] == 1

    old.refresh_from_db()
    fresh.refresh_from_db()
    assert old.pdf is None and old.status == DocumentJob.EXPIRED and old.session_ids == []
    assert bytes(fresh.pdf) == b"%PDF-fresh"
    client.force_login(therapist_a)
    page = client.get(reverse("protocols:document_job", args=[old.pk])).content.decode()
    assert f"deleted after {hours} hours" in page
    assert client.get(reverse("protocols:document_job_pdf", args=[old.pk])).status_code == 302


@pytest.mark.django_db
def test_running_a_finished_job_again_changes_nothing(clinic_a, therapist_a, course):
    job = job_for(clinic_a, therapist_a, course, status=DocumentJob.DONE, pdf=b"%PDF-1")

    jobs.run(job.pk)

    job.refresh_from_db()
    assert bytes(job.pdf) == b"%PDF-1" and job.attempts == 0


@pytest.mark.django_db
def test_a_job_being_rendered_is_not_taken_by_a_second_try(clinic_a, therapist_a, course):
    job = job_for(clinic_a, therapist_a, course, status=DocumentJob.RUNNING, attempts=1)

    jobs.run(job.pk)

    job.refresh_from_db()
    assert (job.status, job.attempts, job.pdf) == (DocumentJob.RUNNING, 1, None)


@pytest.mark.django_db
def test_a_try_the_sweep_replaced_cannot_overwrite_the_new_one(clinic_a, therapist_a, course):
    job = job_for(clinic_a, therapist_a, course, status=DocumentJob.RUNNING, attempts=2)

    jobs._mine(job.pk, attempt=1).update(status=DocumentJob.FAILED, error="late")

    job.refresh_from_db()
    assert (job.status, job.error) == (DocumentJob.RUNNING, "")


@pytest.mark.django_db
def test_a_job_whose_task_keeps_getting_lost_is_given_up(
    clinic_a, therapist_a, course, settings, django_capture_on_commit_callbacks
):
    job = job_for(clinic_a, therapist_a, course)  # waiting; its task never runs
    long_ago = timezone.now() - timedelta(days=1)
    for _sweep in range(settings.PDF_JOB_ATTEMPTS):
        DocumentJob.objects.filter(pk=job.pk).update(updated_at=long_ago)
        with django_capture_on_commit_callbacks(execute=False):
            jobs.sweep()

    job.refresh_from_db()
    assert job.status == DocumentJob.FAILED


# --- A real worker, killed mid-job ----------------------------------------------------------

SET_UP = """
from django.db import transaction
from clinic.models import Clinic, User
from documents import jobs
from protocols.models import DocumentJob, Session
clinic = Clinic.objects.get(name__startswith="Demo")
ids = list(Session.objects.filter(course__patient__clinic=clinic).exclude(status="cancelled")
           .order_by("date", "pk").values_list("pk", flat=True))
author = User.objects.filter(clinic=clinic).first()
job = DocumentJob.objects.create(clinic=clinic, created_by=author,
    day=Session.objects.get(pk=ids[0]).date, language="en", session_ids=ids, total=len(ids))
jobs.start(job)
print(job.pk)
"""


def _manage(env, *args, **kwargs):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        **kwargs,
    )


def _worker(env, log):
    return subprocess.Popen(
        [sys.executable, "manage.py", "run_huey", "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: the kill takes its PDF processes too
    )


def _job(database, pk):
    with sqlite3.connect(database) as db:
        return db.execute(
            "SELECT status, done, total, attempts FROM protocols_documentjob WHERE id = ?", (pk,)
        ).fetchone()


def _wait(condition, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_worker_killed_mid_job_leaves_it_for_the_sweep_which_finishes_it(tmp_path):
    database = tmp_path / "clinic.sqlite3"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "DATABASE_URL": f"sqlite:///{database}",
        "HUEY_IMMEDIATE": "0",
        "TASK_QUEUE": "sqlite",
        "HUEY_SQLITE_PATH": str(tmp_path / "tasks.sqlite3"),
        "PDF_STALL_SECONDS": "2",
        "PDF_WORKERS": "1",
    }
    _manage(env, "migrate", "-v0")
    _manage(env, "seed_demo")
    pk = int(_manage(env, "shell", "-c", SET_UP).stdout.split()[-1])
    log = open(tmp_path / "worker.log", "w")  # noqa: SIM115 - closed at the end

    first = _worker(env, log)
    try:
        _wait(lambda: _job(database, pk)[1] > 0, 120, "the first sheets")
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
    status, done, total, attempts = _job(database, pk)
    assert status == "running" and 0 < done < total and attempts == 1  # stuck, as before

    time.sleep(2.5)  # no heartbeat for longer than PDF_STALL_SECONDS
    swept = _manage(env, "shell", "-c", "from documents import jobs; print(jobs.sweep())")
    assert "'run_again': 1" in swept.stdout

    second = _worker(env, log)
    try:
        final = _wait(lambda: (j := _job(database, pk))[0] in ("done", "failed") and j, 240, "done")
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        second.wait(timeout=30)
        log.close()
    # attempts: the killed try, the one that finished (and a try the new worker's first sweep
    # may have counted for the job waiting in its queue)
    assert final[0] == "done" and final[1] == final[2] == total and final[3] >= 2
    with sqlite3.connect(database) as db:
        (size,) = db.execute(
            "SELECT length(pdf) FROM protocols_documentjob WHERE id = ?", (pk,)
        ).fetchone()
    assert size > 10_000
