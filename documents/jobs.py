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
import threading
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task

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


def _mine(job_id: int, attempt: int):
    """The job's row while this try still owns it: a try run again by the sweep (a new attempt
    number) fences off the older one, whose late writes then change nothing."""
    return DocumentJob.objects.filter(pk=job_id, status=DocumentJob.RUNNING, attempts=attempt)


class _Heartbeat:
    """Beats every ``PDF_STALL_SECONDS / 4`` from a thread of its own while a try runs, so a job
    waiting for a rendering process (shared with other jobs) is never taken for a dead one."""

    def __init__(self, job_id: int, attempt: int):
        self.job_id, self.attempt = job_id, attempt
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._beat, daemon=True, name=f"pdf-beat-{job_id}")

    def _beat(self):
        try:
            while not self.stop.wait(max(settings.PDF_STALL_SECONDS / 4, 0.5)):
                _mine(self.job_id, self.attempt).update(updated_at=timezone.now())
        finally:
            connection.close()  # this thread's own connection

    def __enter__(self):
        if not HUEY.immediate:  # in-process runs (tests) are never swept while they run
            self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        if self.thread.is_alive():
            self.thread.join(timeout=5)


def run(job_id: int) -> None:
    """Render the job's PDF (one try). Only a waiting job is taken, so a job finished, failed or
    being rendered by another try is left alone."""
    claimed = DocumentJob.objects.filter(pk=job_id, status=DocumentJob.PENDING).update(
        status=DocumentJob.RUNNING, attempts=F("attempts") + 1, updated_at=timezone.now()
    )
    if not claimed:
        return
    job = DocumentJob.objects.get(pk=job_id)
    mine = _mine(job_id, job.attempts)
    try:
        with _Heartbeat(job_id, job.attempts):
            sessions = day_sessions(job.session_ids)

            def progress(done, total):
                mine.update(done=done, total=total, updated_at=timezone.now())

            document = html.day_sheets_pdf(sessions, language=job.language, progress=progress)
        mine.update(
            status=DocumentJob.DONE, pdf=document, done=len(sessions), updated_at=timezone.now()
        )
    except pdf.RenderFailed as failed:
        with translation.override(job.language):
            error = str(failed.message)
        mine.update(status=DocumentJob.FAILED, error=error, updated_at=timezone.now())
    except Exception:
        log.exception("PDF job %s failed", job_id)
        with translation.override(job.language):
            error = _("The document could not be rendered.")
        mine.update(status=DocumentJob.FAILED, error=error, updated_at=timezone.now())


# A job still waiting may only be behind others in the queue: it counts as lost after longer.
WAITING_PATIENCE = 5


def _stalled(now: datetime):
    beat = timedelta(seconds=settings.PDF_STALL_SECONDS)
    return DocumentJob.objects.filter(
        Q(status=DocumentJob.RUNNING, updated_at__lt=now - beat)
        | Q(status=DocumentJob.PENDING, updated_at__lt=now - beat * WAITING_PATIENCE)
    )


def give_up(job: DocumentJob) -> None:
    with translation.override(job.language):
        error = str(GAVE_UP if job.attempts else NO_WORKER)
    DocumentJob.objects.filter(pk=job.pk, status__in=DocumentJob.UNFINISHED).update(
        status=DocumentJob.FAILED, error=error, updated_at=timezone.now()
    )


def sweep(now: datetime | None = None) -> dict:
    """Run again the jobs a dead worker left (or whose task was lost), give up on those tried
    too often, and delete the PDFs kept longer than the retention period. Returns what it did.

    A job running without a heartbeat lost its worker; a job still waiting lost its task. Either
    way the try counts, so a job whose task keeps failing before it starts is given up too."""
    now = now or timezone.now()
    rerun = gave_up = 0
    for job in _stalled(now).only("pk", "attempts", "status", "language", "updated_at"):
        lost = job.attempts + (job.status == DocumentJob.PENDING)
        if lost >= settings.PDF_JOB_ATTEMPTS:
            give_up(job)
            gave_up += 1
            continue
        # Claimed by its heartbeat: of two sweeps, only one re-queues the job.
        if DocumentJob.objects.filter(
            pk=job.pk, status=job.status, updated_at=job.updated_at
        ).update(status=DocumentJob.PENDING, attempts=lost, updated_at=now):
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
    patience = timedelta(
        seconds=settings.PDF_STALL_SECONDS * (settings.PDF_JOB_ATTEMPTS + 1) * WAITING_PATIENCE
    )
    return job.updated_at < now - patience
