"""The documents as HTML, ready to render: the handout, session sheets, a day's sheets.

Apart from ``documents.pdf`` because that module is imported by the rendering processes before
Django is set up, so it may import no models.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from documents.handouts import handout_context, sheet_context
from documents.pdf import merge_pdfs, render_many


def handout_html(course, **parts) -> str:
    """The handout of ``course`` in the patient's language (``parts``: see ``handout_context``)."""
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


def in_time_order(sessions) -> list:
    """The day's sessions by start time; those without a time ("to be agreed") last."""
    return sorted(sessions, key=lambda s: (s.starts_at is None, s.starts_at or 0))


SHEETS_PER_DOCUMENT = 4  # a day is rendered as documents of this many sheets, in parallel


def day_sheet_documents(sessions, *, language: str) -> list[tuple[str, int]]:
    """A day's sheets as HTML documents to render: ``(html, number of sheets in it)``.

    Rendering a few sheets per document spreads the fixed cost of a WeasyPrint render (fonts,
    styles) over them; several documents keep every core busy and the progress bar moving.
    The sheets follow the day's timetable: by start time, sessions without a time last (each
    group in the order given, the patients' names for the day page's list).
    """
    sheets = [sheet_context(s.course, [s]) for s in in_time_order(sessions)]
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
