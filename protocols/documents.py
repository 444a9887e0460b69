"""PDF documents: the patient's handout, the therapist's session sheets (WeasyPrint).

WeasyPrint fetches nothing but the app's own static files: ``StaticOnlyFetcher`` refuses
``file://``, every network address and any path outside the static directories, so text typed by
a patient or an admin can never make the renderer read a local file or call a server.
"""

import atexit
import mimetypes
import posixpath
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

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


# --- The documents -------------------------------------------------------------------------


def handout_html(course, **parts) -> str:
    """The handout of ``course`` in the patient's language (``parts``: see ``handout_context``)."""
    from protocols.handouts import handout_context

    with translation.override(course.patient.language):
        return render_to_string("documents/handout.html", handout_context(course, **parts))


def sheets_html(sheets, *, language: str, day: bool = False) -> str:
    """One HTML document holding the given session sheets (see ``handouts.sheet_context``).

    ``day``: the sheets are part of a day's file, so each page names its sheet ("Sheet 3 of 30")
    and its patient instead of carrying page numbers.
    """
    with translation.override(language):
        clinic = sheets[0]["clinic"] if sheets else None
        return render_to_string(
            "documents/sheet.html", {"sheets": sheets, "clinic": clinic, "day": day}
        )


SHEETS_PER_DOCUMENT = 4  # a day is rendered as documents of this many sheets, in parallel


def day_sheet_documents(sessions, *, language: str) -> list[tuple[str, int]]:
    """A day's sheets as HTML documents to render: ``(html, number of sheets in it)``.

    Rendering a few sheets per document spreads the fixed cost of a WeasyPrint render (fonts,
    styles) over them; several documents keep every core busy and the progress bar moving.
    """
    from protocols.handouts import sheet_context

    sheets = [sheet_context(s.course, [s]) for s in sessions]
    for position, sheet in enumerate(sheets, start=1):
        sheet.update(position=position, count=len(sheets))
    size = SHEETS_PER_DOCUMENT if len(sheets) >= settings.PDF_PARALLEL_FROM else len(sheets)
    chunks = [sheets[i : i + size] for i in range(0, len(sheets), max(size, 1))]
    return [(sheets_html(chunk, language=language, day=True), len(chunk)) for chunk in chunks]


def day_sheets_pdf(sessions, *, language: str, progress=None) -> bytes:
    """One sheet per session (courses prefetched with ``handouts.document_prefetches``)."""
    documents = day_sheet_documents(sessions, language=language)
    htmls = [html for html, _count in documents]
    weights = [count for _html, count in documents]
    return merge_pdfs(render_many(htmls, progress=progress, weights=weights))


# --- Many documents at once (a day's sheets) ----------------------------------------------

_POOL = None


def _init_worker(settings_module: str) -> None:
    import os

    import django

    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    django.setup()


def _pool():
    """A pool of rendering processes, one per core, started once (spawned: no shared sockets)."""
    global _POOL
    if _POOL is None:
        import multiprocessing
        import os
        from concurrent.futures import ProcessPoolExecutor

        _POOL = ProcessPoolExecutor(
            max_workers=max(1, min(os.cpu_count() or 1, settings.PDF_WORKERS)),
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(os.environ.get("DJANGO_SETTINGS_MODULE", "clinic.settings"),),
        )
        atexit.register(_POOL.shutdown, wait=True, cancel_futures=True)
    return _POOL


def render_many(htmls: list[str], *, progress=None, weights=None, parallel=None) -> list[bytes]:
    """Render several documents, on every core when there is enough work to be worth it.

    ``progress(done, total)`` is called as documents finish, counting each document as its
    weight (e.g. the number of sheets in it; 1 each by default).
    """
    weights = weights or [1] * len(htmls)
    total = sum(weights)
    if parallel is None:
        parallel = len(htmls) > 1 and total >= settings.PDF_PARALLEL_FROM
    done, results = 0, []
    if not parallel or settings.PDF_WORKERS <= 1:
        for html, weight in zip(htmls, weights, strict=True):
            results.append(render_pdf(html))
            done += weight
            if progress:
                progress(done, total)
        return results
    futures = [_pool().submit(render_pdf, html) for html in htmls]
    for future, weight in zip(futures, weights, strict=True):
        results.append(future.result(timeout=settings.PDF_TIMEOUT_SECONDS))
        done += weight
        if progress:
            progress(done, total)
    return results


def merge_pdfs(pdfs: list[bytes]) -> bytes:
    """One PDF with the pages of every document, in order."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    for pdf in pdfs:
        writer.append(io.BytesIO(pdf))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
