"""PDF benchmark: prints figures, asserts nothing (`make bench-pdf`).

1. A handout through the app (database reads, template, the static-only fetcher, WeasyPrint in
   a rendering process with its time and memory limits) against a plain WeasyPrint render of the
   same HTML in this process; prints both and the ratio (target: at most 1.3).
2. A day of 30 session sheets through the app's batch path (one process per core): documents
   per second (target: 10 or more).

Runs on a throwaway in-memory SQLite database with the test settings.
"""

import io
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
os.environ["DATABASE_URL"] = "sqlite://:memory:"

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402
from pypdf import PdfReader  # noqa: E402
from weasyprint import HTML  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "15"))


def median_ms(samples):
    return statistics.median(samples) * 1000


def timed(fn, rounds):
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


def main():
    setup_test_environment()
    connection.creation.create_test_db(verbosity=0)

    from documents import html as documents
    from documents import pdf as renderer
    from protocols.models import Course, Session
    from tests.factories import ClinicFactory, UserFactory
    from tests.workspace import knee_patient, running_course

    clinic = ClinicFactory(name="Bench Clinic", working_weekdays=[0, 1, 2, 3, 4, 5, 6])
    therapist = UserFactory(clinic=clinic)
    course = running_course(knee_patient(clinic), therapist, cadence_days=1)
    course = running_course(knee_patient(clinic), therapist, cadence_days=1)
    Course.objects.filter(pk=course.pk)

    def load():
        c = (
            Course.objects.select_related("patient__clinic", "therapist", "template")
            .prefetch_related("sessions", "patient__conditions", "patient__contraindications__kind")
            .get(pk=course.pk)
        )
        return c

    def through_app():
        return renderer.render_document(documents.handout_html(load()))

    html = documents.handout_html(load())
    static_base = (ROOT / "static").as_uri() + "/"
    plain_html = html.replace('url("/static/', 'url("' + static_base)

    def plain():
        return HTML(string=plain_html, base_url=static_base).write_pdf()

    # Warm up: fonts and templates, in every rendering process.
    renderer.render_many([html] * renderer.worker_count())
    through_app(), plain()
    app = timed(through_app, ROUNDS)
    base = timed(plain, ROUNDS)
    print(f"Handout, {ROUNDS} rounds each (median):")
    print(f"  plain WeasyPrint render of the same HTML  {median_ms(base):8.1f} ms")
    print(f"  through the app (queries, template, fetcher) {median_ms(app):5.1f} ms")
    print(
        f"  ratio app / plain                          {median_ms(app) / median_ms(base):8.2f}"
        "   (target <= 1.30)"
    )

    # A day of 30 sheets.
    day = timezone.localdate() + timedelta(days=1)
    for _ in range(30):
        running_course(knee_patient(clinic), therapist, start=day, cadence_days=1)
    sessions = list(
        Session.objects.filter(date=day)
        .select_related("course__patient__clinic", "course__therapist")
        .order_by("course__patient__last_name", "number")
    )
    # Warm the worker processes, then time the app's own path: contexts, HTML, render, merge.
    warm = documents.day_sheet_documents(sessions[:8], language="en")
    renderer.render_many([html for html, _count in warm])
    start = time.perf_counter()
    pdf = documents.day_sheets_pdf(sessions, language="en")
    elapsed = time.perf_counter() - start
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    workers = renderer.worker_count()
    print(
        f"Day of {len(sessions)} session sheets ({documents.SHEETS_PER_DOCUMENT} per render,"
        f" {workers} worker(s)):"
    )
    print(
        f"  {elapsed:.2f} s, {len(sessions) / elapsed:.1f} documents/s   (target >= 10)"
        f"   [{pages} pages, {len(pdf) // 1024} KiB]"
    )


if __name__ == "__main__":
    main()
