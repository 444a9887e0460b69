"""Rendering PDFs (WeasyPrint) within limits: the handout, the session sheets, a day's sheets.

WeasyPrint fetches nothing but the app's own static files: ``StaticOnlyFetcher`` refuses
``file://``, every network address and any path outside the static directories, so text typed by
a patient or an admin can never make the renderer read a local file or call a server.

Every render runs in a separate process with a time limit and a memory cap (see "Rendering within
limits" below), so no document can hang or exhaust a web worker.
"""

import atexit
import io
import logging
import mimetypes
import multiprocessing
import os
import posixpath
import resource
import threading
from concurrent.futures.process import BrokenProcessPool
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

import django
import pebble
from django.conf import settings
from django.contrib.staticfiles import finders
from django.utils.translation import gettext_lazy
from pypdf import PdfWriter
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

log = logging.getLogger(__name__)

# Documents are rendered with this base URL; the fetcher serves only <ASSET_ORIGIN>/static/...
ASSET_ORIGIN = "https://clinic-assets.invalid"


class RefusedURL(ValueError):
    """A document asked for something other than one of the app's own static files."""


def _static_roots() -> list[Path]:
    roots = [Path(p).resolve() for p in settings.STATICFILES_DIRS]
    if settings.STATIC_ROOT:
        roots.append(Path(settings.STATIC_ROOT).resolve())
    for finder in finders.get_finders():
        for storage in getattr(finder, "storages", {}).values():
            location = getattr(storage, "location", None)
            if location:
                roots.append(Path(location).resolve())
    return roots


@lru_cache(maxsize=64)
def _static_file(relative: str) -> tuple[bytes, str]:
    found = finders.find(relative)
    if not found and settings.STATIC_ROOT:
        candidate = Path(settings.STATIC_ROOT) / relative
        found = str(candidate) if candidate.is_file() else None
    if not found:
        raise RefusedURL(f"no static file {relative!r}")
    path = Path(found).resolve()
    if not any(path.is_relative_to(root) for root in _static_roots()):
        raise RefusedURL(f"{relative!r} is outside the static files")
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return path.read_bytes(), mime


def static_path_for(url: str) -> str:
    """The static file a document URL names, or ``RefusedURL``."""
    parts = urlsplit(url)
    origin = urlsplit(ASSET_ORIGIN)
    if (parts.scheme, parts.netloc) != (origin.scheme, origin.netloc):
        raise RefusedURL(f"refused {parts.scheme or 'relative'} URL {url[:200]!r}")
    prefix = "/" + settings.STATIC_URL.strip("/") + "/"
    path = unquote(parts.path)
    if not path.startswith(prefix) or "\\" in path or "\x00" in path:
        raise RefusedURL(f"refused path {path[:200]!r}")
    relative = path[len(prefix) :]
    normal = posixpath.normpath(relative)
    if normal.startswith(("..", "/")) or normal != relative:
        raise RefusedURL(f"refused path {path[:200]!r}")
    return normal


class StaticOnlyFetcher(URLFetcher):
    """Serves the app's static files to WeasyPrint and refuses everything else."""

    def __init__(self, **kwargs):
        super().__init__(allowed_protocols={"https"}, **kwargs)
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        try:
            body, mime = _static_file(static_path_for(url))
        except RefusedURL:
            self.refused.append(url)
            raise
        return URLFetcherResponse(url, body=body, headers={"Content-Type": mime})


def render_pdf(html: str, *, fetcher: StaticOnlyFetcher | None = None) -> bytes:
    """Render a document's HTML to PDF bytes, fetching only static files."""
    fetcher = fetcher or StaticOnlyFetcher()
    return HTML(string=html, base_url=ASSET_ORIGIN + "/", url_fetcher=fetcher).write_pdf()


# --- Rendering within limits ---------------------------------------------------------------
#
# Every document renders in a pool of separate processes, never in the web worker itself: each
# render may take ``PDF_TIMEOUT_SECONDS`` and the process may use ``PDF_MEMORY_LIMIT_MB`` of
# address space. A render that runs out of time has its process killed and replaced, so it stops
# burning a core; one that runs out of memory fails in its own process. Either way the caller gets
# ``RenderFailed`` with a message for the user instead of a hung or crashed web worker.

TOO_SLOW = gettext_lazy(
    "The document took too long to prepare. Try again, or print fewer sheets at once."
)
TOO_LARGE = gettext_lazy(
    "The document is too large to prepare. Print fewer sheets at once, or shorten very long texts."
)
BROKEN = gettext_lazy(
    "The document could not be prepared. Try again; if it keeps failing, tell your administrator."
)


class RenderFailed(Exception):
    """A document could not be rendered within its limits; ``message`` tells the user why."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


_POOL = None
_POOL_KEY = None
_POOL_LOCK = threading.Lock()


def _init_worker(settings_module: str, memory_limit_mb: int) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    django.setup()
    if memory_limit_mb:
        limit = memory_limit_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def worker_count() -> int:
    return max(1, min(os.cpu_count() or 1, settings.PDF_WORKERS))


def _stop(pool) -> None:
    pool.stop()
    pool.join()


def _pool():
    """The rendering processes, one per core, started on first use (spawned: no shared sockets).

    Started again when the settings they were started with change.
    """
    global _POOL, _POOL_KEY
    key = (worker_count(), settings.PDF_MEMORY_LIMIT_MB)
    with _POOL_LOCK:
        if _POOL is not None and (key != _POOL_KEY or not _POOL.active):
            _stop(_POOL)
            _POOL = None
        if _POOL is None:
            _POOL = pebble.ProcessPool(
                max_workers=key[0],
                context=multiprocessing.get_context("spawn"),
                initializer=_init_worker,
                initargs=(
                    os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings"),
                    settings.PDF_MEMORY_LIMIT_MB,
                ),
            )
            _POOL_KEY = key
            atexit.register(_stop, _POOL)
        return _POOL


def _schedule(function, *args):
    return _pool().schedule(function, args=args, timeout=settings.PDF_TIMEOUT_SECONDS)


def _outcome(future):
    """The future's result, or ``RenderFailed`` saying why there is none."""
    try:
        return future.result()
    except TimeoutError:
        log.warning(
            "A PDF render took longer than %s s; its process was stopped.",
            settings.PDF_TIMEOUT_SECONDS,
        )
        raise RenderFailed(TOO_SLOW) from None
    except MemoryError:
        log.warning("A PDF render ran out of its %s MB.", settings.PDF_MEMORY_LIMIT_MB)
        raise RenderFailed(TOO_LARGE) from None
    except pebble.ProcessExpired as exc:  # killed, or crashed in C code under the memory cap
        log.error("A PDF rendering process ended abnormally (exit code %s).", exc.exitcode)
        raise RenderFailed(BROKEN) from None
    except BrokenProcessPool:  # no process could start; the next render starts the pool again
        log.exception("The PDF rendering processes could not start.")
        raise RenderFailed(BROKEN) from None


def run_bounded(function, *args):
    """``function(*args)`` in a rendering process, within the time and memory limits."""
    return _outcome(_schedule(function, *args))


def render_document(html: str) -> bytes:
    """One document's PDF, rendered within the limits (``RenderFailed`` otherwise)."""
    return run_bounded(render_pdf, html)


def render_many(htmls: list[str], *, progress=None, weights=None) -> list[bytes]:
    """Render several documents at once, one per rendering process, within the limits.

    ``progress(done, total)`` is called as documents finish, counting each document as its
    weight (e.g. the number of sheets in it; 1 each by default).
    """
    weights = weights or [1] * len(htmls)
    total = sum(weights)
    futures = [_schedule(render_pdf, html) for html in htmls]
    done, results = 0, []
    try:
        for future, weight in zip(futures, weights, strict=True):
            results.append(_outcome(future))
            done += weight
            if progress:
                progress(done, total)
    except BaseException:
        for future in futures:
            future.cancel()
        raise
    return results


def merge_pdfs(pdfs: list[bytes]) -> bytes:
    """One PDF with the pages of every document, in order."""
    writer = PdfWriter()
    for pdf in pdfs:
        writer.append(io.BytesIO(pdf))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
