"""Background rendering of large documents on the task queue, with progress the page polls.

``start`` hands a job to the worker once the transaction that made it commits. The job's row
holds its progress, its heartbeat (``updated_at``, set at every step) and the finished PDF, so any
web process answers the polls. A worker killed mid-job loses that try: ``sweep`` (every minute)
runs a job again when its heartbeat is older than ``PDF_STALL_SECONDS``, gives up after
``PDF_JOB_ATTEMPTS`` tries with a message the page shows, and deletes finished PDFs after
``PDF_RETENTION_HOURS``. Running a job twice is harmless: both runs write the same PDF, and a job
already finished is left alone.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from documents import handouts, html, pdf
from protocols.models import DocumentJob, Session

log = logging.getLogger(__name__)

GAVE_UP = gettext_lazy(
    "The document could not be finished: the background worker stopped while rendering it. "
    "Open the day's sheets again to start over; if it happens again, tell your administrator."
)
NO_WORKER = gettext_lazy(
    "The document was not started: the background worker is not running. Tell your "
    "administrator; open the day's sheets again once it runs."
)


@db_task()
def render_job(job_id: int) -> None:
    """The worker's task: one try at the job."""
    run(job_id)


@db_periodic_task(crontab(minute="*"))
def sweep_jobs() -> None:
    sweep()


def start(job: DocumentJob) -> None:
    """Queue ``job`` for the worker once the current transaction commits."""
    pk = job.pk
    transaction.on_commit(lambda: render_job(pk))


def day_sessions(ids):
    sessions = list(
        Session.objects.filter(pk__in=ids)
        .select_related("course__patient__clinic", "course__therapist")
        .prefetch_related(*handouts.document_prefetches("course__"))
    )
    order = {pk: i for i, pk in enumerate(ids)}
    return sorted(sessions, key=lambda s: order[s.pk])


def _update(job_id: int, **fields) -> int:
    return DocumentJob.objects.filter(pk=job_id).update(updated_at=timezone.now(), **fields)


def run(job_id: int) -> None:
    """Render the job's PDF (one try). Does nothing for a job that is finished already."""
    claimed = DocumentJob.objects.filter(pk=job_id, status__in=DocumentJob.UNFINISHED).update(
        status=DocumentJob.RUNNING, attempts=F("attempts") + 1, updated_at=timezone.now()
    )
    if not claimed:
        return
    job = DocumentJob.objects.get(pk=job_id)
    try:
        sessions = day_sessions(job.session_ids)

        def progress(done, total):  # the heartbeat
            _update(job_id, done=done, total=total)

        document = html.day_sheets_pdf(sessions, language=job.language, progress=progress)
        DocumentJob.objects.filter(pk=job_id, status=DocumentJob.RUNNING).update(
            status=DocumentJob.DONE, pdf=document, done=len(sessions), updated_at=timezone.now()
        )
    except pdf.RenderFailed as failed:
        with translation.override(job.language):
            error = str(failed.message)
        _update(job_id, status=DocumentJob.FAILED, error=error)
    except Exception:
        log.exception("PDF job %s failed", job_id)
        with translation.override(job.language):
            error = _("The document could not be rendered.")
        _update(job_id, status=DocumentJob.FAILED, error=error)


def _stalled(now: datetime):
    return DocumentJob.objects.filter(
        status__in=DocumentJob.UNFINISHED,
        updated_at__lt=now - timedelta(seconds=settings.PDF_STALL_SECONDS),
    )


def give_up(job: DocumentJob) -> None:
    with translation.override(job.language):
        error = str(GAVE_UP if job.attempts else NO_WORKER)
    DocumentJob.objects.filter(pk=job.pk, status__in=DocumentJob.UNFINISHED).update(
        status=DocumentJob.FAILED, error=error, updated_at=timezone.now()
    )


def sweep(now: datetime | None = None) -> dict:
    """Run again the jobs a dead worker left, give up on those tried too often, and delete the
    PDFs kept longer than the retention period. Returns what it did, for the log."""
    now = now or timezone.now()
    rerun = gave_up = 0
    for job in _stalled(now).only("pk", "attempts", "language", "updated_at"):
        if job.attempts >= settings.PDF_JOB_ATTEMPTS:
            give_up(job)
            gave_up += 1
            continue
        # Claimed by its heartbeat: of two sweeps, only one re-queues the job.
        if (
            DocumentJob.objects.filter(pk=job.pk, updated_at=job.updated_at)
            .filter(status__in=DocumentJob.UNFINISHED)
            .update(status=DocumentJob.PENDING, updated_at=now)
        ):
            start(job)
            rerun += 1
    expired = DocumentJob.objects.filter(
        status__in=(DocumentJob.DONE, DocumentJob.FAILED),
        updated_at__lt=now - timedelta(hours=settings.PDF_RETENTION_HOURS),
    ).update(status=DocumentJob.EXPIRED, pdf=None, session_ids=[], updated_at=now)
    if rerun or gave_up or expired:
        log.info("PDF sweep: %s run again, %s given up, %s deleted", rerun, gave_up, expired)
    return {"run_again": rerun, "given_up": gave_up, "deleted": expired}


def abandoned(job: DocumentJob, now: datetime | None = None) -> bool:
    """A job the page should stop waiting for: no heartbeat for as long as every try could
    take (no worker picks it up, or none runs the sweep)."""
    if job.status not in DocumentJob.UNFINISHED:
        return False
    now = now or timezone.now()
    patience = timedelta(seconds=settings.PDF_STALL_SECONDS * (settings.PDF_JOB_ATTEMPTS + 1))
    return job.updated_at < now - patience
