"""What keeps documents from swamping the web workers: a handout is rendered once per course
version and language and then served from a cache, and each user has at most
``PDF_RENDERS_PER_USER`` documents rendering at once.

The cache (``CACHES["documents"]``: files under ``DOCUMENT_CACHE_DIR``, shared by the workers of
one machine) is keyed by the course, its version and its language and by a digest of the
document's HTML, so whatever the page shows (the patient's name, a re-planned date) a changed
document is a new key and never a stale PDF; an unchanged one costs the HTML and one read.

The render slots live in the same cache, one key per slot with the render's time limit as its
expiry, so a worker that dies mid-render frees its slot by itself. The user's background jobs
(a day's sheets) being made count against the same limit.
"""

import hashlib
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import caches
from django.utils.translation import ngettext

from protocols.models import DocumentJob


def _cache():
    return caches["documents"]


def cached_pdf(key: str, html: str, render) -> bytes:
    """The PDF of ``html``: from the cache, or from ``render()`` and then kept."""
    digest = hashlib.sha256(html.encode()).hexdigest()
    full_key = f"pdf:{key}:{digest}"
    cache = _cache()
    pdf = cache.get(full_key)
    if pdf is None:
        pdf = render()
        cache.set(full_key, pdf, timeout=settings.DOCUMENT_CACHE_SECONDS)
    return pdf


def handout_key(course) -> str:
    return f"handout:{course.pk}:v{course.version}:{course.patient.language}"


class TooManyRenders(Exception):
    """The user already has as many documents rendering as they may."""

    def __init__(self, limit: int):
        self.limit = limit
        self.message = ngettext(
            "You already have %(count)d document being made. Wait until it is ready, then "
            "open this one again.",
            "You already have %(count)d documents being made. Wait until they are ready, then "
            "open this one again.",
            limit,
        ) % {"count": limit}
        super().__init__(self.message)


def _slot_keys(user) -> list[str]:
    return [f"render:{user.pk}:{n}" for n in range(settings.PDF_RENDERS_PER_USER)]


def _running_jobs(user) -> int:
    return DocumentJob.objects.filter(
        created_by=user, status__in=(DocumentJob.PENDING, DocumentJob.RUNNING)
    ).count()


def check_can_render(user) -> None:
    """Raise ``TooManyRenders`` if ``user`` may not start another render now."""
    limit = settings.PDF_RENDERS_PER_USER
    busy = sum(key in _cache() for key in _slot_keys(user)) + _running_jobs(user)
    if busy >= limit:
        raise TooManyRenders(limit)


@contextmanager
def render_slot(user):
    """Hold one of ``user``'s render slots while the block renders, or raise ``TooManyRenders``."""
    limit = settings.PDF_RENDERS_PER_USER
    cache = _cache()
    free = limit - _running_jobs(user)
    taken = None
    for key in _slot_keys(user)[: max(0, free)]:
        if cache.add(key, 1, timeout=settings.PDF_TIMEOUT_SECONDS + 30):
            taken = key
            break
    if taken is None:
        raise TooManyRenders(limit)
    try:
        yield
    finally:
        cache.delete(taken)
