"""Background rendering of large documents, with progress the page can poll.

The job runs in a thread of the web process that received the request; its progress and the
finished PDF are stored in the database, so any web process can answer the polls.
"""

import logging
import threading

from django.db import close_old_connections, connection
from django.utils import translation
from django.utils.translation import gettext as _

from documents import handouts, html, pdf
from protocols.models import DocumentJob, Session

log = logging.getLogger(__name__)


def start(job: DocumentJob) -> None:
    """Run ``job`` in a background thread (tests replace this to run it in place)."""
    threading.Thread(target=run, args=(job.pk,), daemon=True, name=f"pdf-job-{job.pk}").start()


def day_sessions(ids):
    sessions = list(
        Session.objects.filter(pk__in=ids)
        .select_related("course__patient__clinic", "course__therapist")
        .prefetch_related(*handouts.document_prefetches("course__"))
    )
    order = {pk: i for i, pk in enumerate(ids)}
    return sorted(sessions, key=lambda s: order[s.pk])


def run(job_id: int) -> None:
    close_old_connections()
    try:
        job = DocumentJob.objects.get(pk=job_id)
        DocumentJob.objects.filter(pk=job_id).update(status=DocumentJob.RUNNING)
        sessions = day_sessions(job.session_ids)

        def progress(done, total):
            DocumentJob.objects.filter(pk=job_id).update(done=done, total=total)

        document = html.day_sheets_pdf(sessions, language=job.language, progress=progress)
        DocumentJob.objects.filter(pk=job_id).update(
            status=DocumentJob.DONE, pdf=document, done=len(sessions)
        )
    except pdf.RenderFailed as failed:
        with translation.override(job.language):
            error = str(failed.message)
        DocumentJob.objects.filter(pk=job_id).update(status=DocumentJob.FAILED, error=error)
    except Exception:
        log.exception("PDF job %s failed", job_id)
        DocumentJob.objects.filter(pk=job_id).update(
            status=DocumentJob.FAILED, error=_("The document could not be rendered.")
        )
    finally:
        connection.close()
