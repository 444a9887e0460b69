"""Performance at clinic-chain scale: prints figures, asserts nothing (`make bench`).

    scripts/bench.py run --database sqlite      # a fresh SQLite file in build/
    scripts/with-postgres.sh scripts/bench.py run --database postgres
    scripts/bench.py report                     # both tables again, and the PDF figures

`run` migrates an empty database and makes a clinic chain with bulk inserts (10 clinics, 100
patients, then 10,000 patients with about 30,000 courses and 500,000 sessions: see
``scripts/bench_data.py``). For each main page it counts the queries at 100 and at 10,000
patients and times 50 requests in-process (Django's test client, production settings), beside
``/healthz`` in the same run. Then it serves the app with gunicorn (2 workers, production
settings, static files through whitenoise) and loads each page with wrk on loopback (8
connections, ``BENCH_SECONDS`` seconds a page, default 30), signed in with a session cookie.
Each run writes ``build/bench-<database>.json``; `report` prints the tables of both and runs
``scripts/bench_pdf.py``.

The production settings are the real ones with plain-HTTP loopback allowances: no HTTPS
redirect and no secure-only cookies (DJANGO_SECURE_SSL_REDIRECT=0, DJANGO_SECURE_COOKIES=0),
persistent connections (DJANGO_CONN_MAX_AGE=60) with health checks.
"""

import argparse
import json
import math
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build"
SQLITE_FILE = BUILD / "bench.sqlite3"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "bench-only-secret-key-" + "k" * 48,
    "DJANGO_ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
    # Loopback is plain HTTP: no redirect to HTTPS, cookies not limited to HTTPS.
    "DJANGO_SECURE_SSL_REDIRECT": "0",
    "DJANGO_SECURE_COOKIES": "0",
    "DJANGO_CONN_MAX_AGE": "60",
    "DJANGO_CONN_HEALTH_CHECKS": "1",
    "DJANGO_LOG_LEVEL": "WARNING",
}
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "50"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "30"))
CONNECTIONS = 8
SMALL, LARGE = 10, 1000  # patients per clinic, 10 clinics
TARGET_QUERIES, TARGET_P95_MS, TARGET_HTTP_P99_MS = 10, 50, 200
RANDOM_PAGE_COST = 1.1


def setup_django(database: str) -> None:
    os.environ.update(PRODUCTION_ENV)
    if database == "sqlite":
        BUILD.mkdir(exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_FILE}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{SQLITE_FILE}"
    elif not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("--database postgres needs DATABASE_URL; run it under scripts/with-postgres.sh")
    import django

    django.setup()


def percentile(samples, pct):
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def in_process(client, url):
    """Queries of one request, then median and p95 (ms) over ROUNDS requests."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):  # warm up: templates, translations, the database's caches
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    connection.queries_log.clear()  # CaptureQueriesContext counts a full log as no queries
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    count = len(queries)  # now: the next request clears the log
    samples = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        client.get(url)
        samples.append((time.perf_counter() - start) * 1000)
    return {
        "queries": count,
        "median_ms": statistics.median(samples),
        "p95_ms": percentile(samples, 95),
    }


def pages(chain):
    """The main pages, as (name, url, who): who is 'therapist' or 'admin' or None."""
    from django.urls import reverse

    from protocols.models import Course
    from protocols.planning import next_course_window

    clinic = chain.clinics[0].clinic
    # The patient of the first clinic with the longest history, and their latest course.
    course = (
        Course.objects.filter(patient__clinic=clinic, patient__archived=False)
        .order_by("-patient__courses__pk")
        .select_related("patient")
    )
    patient = max({c.patient for c in course[:200]}, key=lambda p: (p.courses.count(), -p.pk))
    courses = list(patient.courses.prefetch_related("sessions").order_by("-created_at"))
    latest = courses[0]
    window = next_course_window(courses)
    start = window["earliest"] if window else chain.today
    start = max(start, chain.today)
    template = latest.template
    preview = reverse("protocols:course_preview", args=[patient.pk]) + (
        f"?template={template.pk}&start={start.isoformat()}&sessions=&cadence_days="
    )
    return [
        ("healthz", reverse("healthz"), None),
        ("day", reverse("home"), "therapist"),
        ("patient list", reverse("patients:list"), "therapist"),
        # A name prefix that finds someone at 100 patients too: an empty result would skip the
        # page's count and rows, and the two query counts would not be comparable.
        ("patient search", reverse("patients:list") + f"?q={patient.last_name[:3]}", "therapist"),
        ("patient detail", reverse("patients:detail", args=[patient.pk]), "therapist"),
        ("course detail", reverse("protocols:course", args=[latest.pk]), "therapist"),
        ("course preview", preview, "therapist"),
        ("admin templates", "/admin/protocols/protocoltemplate/", "admin"),
    ]


def measure_in_process(page_list, clients):
    results = {}
    for name, url, who in page_list:
        results[name] = in_process(clients[who], url)
    health = results["healthz"]["median_ms"]
    for row in results.values():
        row["ratio"] = row["median_ms"] / health if health else None
    return results


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_wrk(url, cookie, seconds):
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "5s"]
    command += ["-s", str(ROOT / "scripts" / "bench_wrk.lua"), url]
    if cookie:
        command += ["-H", f"Cookie: sessionid={cookie}"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(x for x in out.splitlines() if x.startswith("WRK "))
    figures = dict(item.split("=") for item in line.split()[1:])
    figures = {k: int(v) for k, v in figures.items()}
    errors = sum(figures[k] for k in ("connect", "read", "write", "timeout")) + figures["non2xx"]
    return {
        "rps": figures["requests"] / (figures["duration_us"] / 1e6),
        "requests": figures["requests"],
        "p50_ms": figures["p50_us"] / 1000,
        "p95_ms": figures["p95_us"] / 1000,
        "p99_ms": figures["p99_us"] / 1000,
        "errors": errors,
    }


def over_http(page_list, cookies, seconds):
    """Gunicorn with 2 workers and the production settings; wrk with 8 connections a page."""
    from django.contrib.staticfiles.storage import staticfiles_storage

    port = free_port()
    env = {**os.environ, **PRODUCTION_ENV}
    log = open(BUILD / "bench-gunicorn.log", "w")  # noqa: SIM115 (closed in finally)
    gunicorn = [str(Path(sys.executable).with_name("gunicorn")), "config.wsgi"]
    gunicorn += ["--bind", f"127.0.0.1:{port}", "--workers", "2", "--timeout", "60"]
    server = subprocess.Popen(gunicorn, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2).read()
                break
            except OSError as error:
                if time.monotonic() > deadline or server.poll() is not None:
                    message = "gunicorn did not start: see build/bench-gunicorn.log"
                    raise RuntimeError(message) from error
                time.sleep(0.3)
        css = staticfiles_storage.url("vendor/bootstrap-5.3.9/css/bootstrap.min.css")
        results = {}
        for name, url, who in [*page_list, ("static file (css)", css, None)]:
            results[name] = run_wrk(base + url, cookies.get(who), seconds)
        return results
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()


def run(database: str, http: bool) -> None:
    setup_django(database)
    import bench_data
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from protocols.models import Session

    started = time.monotonic()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)
    migrated = time.monotonic() - started

    started = time.monotonic()
    chain = bench_data.make_chain(clinics=10)
    small_rows = bench_data.add_patients(chain, SMALL)
    small_seconds = time.monotonic() - started
    page_list = pages(chain)
    clients = {None: Client(), "therapist": Client(), "admin": Client()}
    clients["therapist"].force_login(chain.clinics[0].therapists[0])
    clients["admin"].force_login(chain.clinics[0].admin)
    small = measure_in_process(page_list, clients)

    started = time.monotonic()
    large_rows = bench_data.add_patients(chain, LARGE - SMALL)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # What autovacuum does after a bulk load: statistics, and the visibility map that
            # lets index-only scans skip the table.
            cursor.execute("VACUUM ANALYZE")
            # The README's PostgreSQL setting for SSD storage (or data in memory, as here).
            name = connection.ops.quote_name(connection.settings_dict["NAME"])
            cursor.execute(f"ALTER DATABASE {name} SET random_page_cost = {RANDOM_PAGE_COST}")
        connection.close()  # the setting applies to new connections
    large_seconds = time.monotonic() - started
    rows = {k: small_rows[k] + large_rows[k] for k in small_rows}
    rows["sessions_today_first_clinic"] = Session.objects.filter(
        course__patient__clinic=chain.clinics[0].clinic, date=chain.today
    ).count()
    large = measure_in_process(page_list, clients)

    cookies = {who: c.cookies["sessionid"].value for who, c in clients.items() if who}
    http_results = over_http(page_list, cookies, SECONDS) if http else None
    result = {
        "database": database,
        "database_version": ".".join(map(str, connection.Database.sqlite_version_info))
        if connection.vendor == "sqlite"
        else str(connection.cursor().connection.info.server_version),
        "settings": "" if connection.vendor == "sqlite" else f"random_page_cost {RANDOM_PAGE_COST}",
        "rows": rows,
        "setup_seconds": {
            "migrate": migrated,
            "small": small_seconds,
            "large": large_seconds,
        },
        "rounds": ROUNDS,
        "http_seconds": SECONDS,
        "small": small,
        "large": large,
        "http": http_results,
        "load": os.getloadavg(),
    }
    (BUILD / f"bench-{database}.json").write_text(json.dumps(result, indent=1))
    print_result(result)


def mark(ok):
    return "ok" if ok else "MISSED"


def print_result(r):
    rows = r["rows"]
    setup = r["setup_seconds"]
    print()
    print(
        f"== {r['database']} {r['database_version']}: {rows['patients']:,} patients, "
        f"{rows['courses']:,} courses, {rows['sessions']:,} sessions, "
        f"{rows['sessions_today_first_clinic']} today in the measured clinic "
        f"(migrate {setup['migrate']:.0f} s, data {setup['small'] + setup['large']:.0f} s)"
        + (f"; {r['settings']}" if r.get("settings") else "")
    )
    print(
        f"In-process, {r['rounds']} requests a page (test client, production settings); "
        f"targets: queries same at 100 and 10,000 patients and <= {TARGET_QUERIES}, "
        f"p95 < {TARGET_P95_MS} ms"
    )
    header = (
        f"{'page':<18} {'queries 100':>11} {'queries 10k':>11} {'median ms':>10} "
        f"{'p95 ms':>8} {'x healthz':>9}  target"
    )
    print(header)
    print("-" * len(header))
    for name, big in r["large"].items():
        few = r["small"][name]
        ok = few["queries"] == big["queries"] <= TARGET_QUERIES and big["p95_ms"] < TARGET_P95_MS
        print(
            f"{name:<18} {few['queries']:>11} {big['queries']:>11} {big['median_ms']:>10.1f} "
            f"{big['p95_ms']:>8.1f} {big['ratio']:>9.1f}  {mark(ok)}"
        )
    if r["http"]:
        print()
        print(
            f"Over HTTP: gunicorn, 2 workers; wrk, {CONNECTIONS} connections, "
            f"{r['http_seconds']} s a page; targets: no errors, p99 < {TARGET_HTTP_P99_MS} ms"
        )
        header = (
            f"{'page':<18} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
            f"{'errors':>7}  target"
        )
        print(header)
        print("-" * len(header))
        for name, h in r["http"].items():
            ok = h["errors"] == 0 and h["p99_ms"] < TARGET_HTTP_P99_MS
            print(
                f"{name:<18} {h['rps']:>8.1f} {h['p50_ms']:>8.1f} {h['p95_ms']:>8.1f} "
                f"{h['p99_ms']:>8.1f} {h['errors']:>7}  {mark(ok)}"
            )
    load = ", ".join(f"{x:.2f}" for x in r["load"])
    print(f"(load average at the end: {load} on {os.cpu_count()} cores)")


def report() -> None:
    found = False
    for database in ("sqlite", "postgres"):
        path = BUILD / f"bench-{database}.json"
        if path.exists():
            found = True
            print_result(json.loads(path.read_text()))
    if not found:
        sys.exit("No results yet: run `make bench` (or bench-sqlite / bench-postgres) first.")
    print()
    print("== PDFs (scripts/bench_pdf.py)")
    sys.stdout.flush()
    subprocess.run([sys.executable, str(ROOT / "scripts" / "bench_pdf.py")], check=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run_parser = sub.add_parser("run", help="make the data set and measure one database")
    run_parser.add_argument("--database", choices=["sqlite", "postgres"], required=True)
    run_parser.add_argument("--no-http", action="store_true", help="skip gunicorn and wrk")
    sub.add_parser("report", help="print the saved results and the PDF figures")
    args = parser.parse_args()
    if args.command == "run":
        if not args.no_http and not shutil.which("wrk"):
            sys.exit("wrk is needed for the HTTP part: sudo apt-get install wrk (or --no-http)")
        run(args.database, http=not args.no_http)
    else:
        report()


if __name__ == "__main__":
    main()
