"""Load run: concurrent therapists recording sessions through the real pages (`make load-run`).

Run it through ``scripts/with-postgres.sh``, which provides a throwaway PostgreSQL cluster in
``DATABASE_URL``. It migrates that database, creates a clinic with ``LOAD_USERS`` therapists
(16), each with their own patients and planned courses, and serves the app with gunicorn under
production settings (DEBUG off, Argon2, the manifest static storage; plain HTTP on loopback).
Then each therapist, in a thread with its own cookie jar, signs in through the sign-in form and
for ``LOAD_SECONDS`` (60) opens a course page, follows its next "Record" link and submits the
form as a browser would: every input the form has, hidden ones included, with the outcome, the
minutes and the pain filled in. A recording counts when the app redirects back to the course page
and that page confirms it.

Afterwards the database is checked: every session a client was told was recorded is recorded,
with its minutes and pain, and nothing else was. Prints a summary and exits 1 on any error
(a 4xx or 5xx answer, a connection error, a form returned with errors, a missing confirmation)
or any missing or unexpected row.
"""

import http.client
import http.cookiejar
import os
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
USERS = int(os.environ.get("LOAD_USERS", "16"))
SECONDS = float(os.environ.get("LOAD_SECONDS", "60"))
PATIENTS_PER_USER = int(os.environ.get("LOAD_PATIENTS", "25"))
WORKERS = os.environ.get("LOAD_GUNICORN_WORKERS", "3")
THREADS = os.environ.get("LOAD_GUNICORN_THREADS", "4")
PASSWORD = secrets.token_urlsafe(16)

if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
    sys.exit("The load run needs PostgreSQL: make load-run (scripts/with-postgres.sh) sets it up.")

# Production settings, with HTTPS requirements relaxed for plain HTTP on the loopback interface.
os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": "https://clinic.example.org",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_SECURE_COOKIES": "0",
        "DJANGO_SECURE_HSTS_SECONDS": "0",
        "DJANGO_CONN_MAX_AGE": "60",
        "DJANGO_LOG_LEVEL": "WARNING",
    }
)
sys.path.insert(0, str(ROOT))


def manage(*args):
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, check=True)


# The page: forms, links, messages


class Page(HTMLParser):
    """The parts of a page a client acts on: its forms (every input) and links."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self.links: list[str] = []
        self._select = None
        self._textarea = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
            return
        if tag == "form":
            self.forms.append(
                {"method": (attrs.get("method") or "get").lower(), "action": attrs.get("action")}
                | {"fields": [], "radios": {}, "selects": {}}
            )
            return
        if not self.forms:
            return
        form = self.forms[-1]
        if tag == "input" and attrs.get("name"):
            kind = (attrs.get("type") or "text").lower()
            if kind == "radio":
                form["radios"].setdefault(attrs["name"], []).append(attrs.get("value", ""))
                if "checked" in attrs:  # sent as a browser would, unless the client chooses
                    form["fields"].append((attrs["name"], kind, attrs.get("value", "")))
            elif kind not in ("submit", "button", "checkbox") or "checked" in attrs:
                form["fields"].append((attrs["name"], kind, attrs.get("value", "")))
        elif tag == "select" and attrs.get("name"):
            self._select = attrs["name"]
            form["selects"][self._select] = []
        elif tag == "option" and self._select:
            form["selects"][self._select].append(attrs.get("value", ""))
        elif tag == "textarea" and attrs.get("name"):
            self._textarea = attrs["name"]
            form["fields"].append((self._textarea, "textarea", ""))

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def post_form(self, filling: set) -> dict:
        """The one form to post that has every field in ``filling`` (the top bar has others)."""
        forms = [
            f
            for f in self.forms
            if f["method"] == "post"
            and filling <= {n for n, _k, _v in f["fields"]} | set(f["radios"]) | set(f["selects"])
        ]
        if len(forms) != 1:
            raise ValueError(f"expected one form with {sorted(filling)}, found {len(forms)}")
        return forms[0]


@dataclass
class Result:
    requests: int = 0
    latencies: list = field(default_factory=list)
    recorded: list = field(default_factory=list)  # (session id, minutes, pain before, after)
    errors: list = field(default_factory=list)
    ran_out: bool = False


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the client follows redirects itself, to check and time each answer


class Client:
    """One therapist in a browser: a cookie jar, sign in, record sessions."""

    def __init__(self, base: str, username: str, courses: list[int], seed: int):
        self.base, self.username, self.courses = base, username, list(courses)
        self.random = random.Random(seed)
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect()
        )
        self.result = Result()

    def request(self, path: str, data: dict | None = None) -> tuple[int, str, str]:
        """Status, body and Location of one request (redirects are not followed)."""
        url = urllib.parse.urljoin(self.base, path)
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        started = time.perf_counter()
        try:
            with self.opener.open(url, data=body, timeout=30) as response:
                status, text, location = response.status, response.read().decode(), ""
        except urllib.error.HTTPError as answer:
            status, text = answer.code, answer.read().decode(errors="replace")
            location = answer.headers.get("Location", "")
        finally:
            self.result.requests += 1
            self.result.latencies.append(time.perf_counter() - started)
        if status >= 400:
            raise RuntimeError(f"{status} from {'POST' if data else 'GET'} {path}")
        return status, text, location

    def submit(self, page_path: str, page: Page, values: dict) -> tuple[int, str, str]:
        form = page.post_form(set(values))
        data = {name: value for name, _kind, value in form["fields"]}  # hidden ones included
        data.update(values)
        return self.request(form["action"] or page_path, data)

    def sign_in(self):
        _status, html, _ = self.request("/accounts/login/")
        status, _html, location = self.submit(
            "/accounts/login/",
            Page(html),
            {"username": self.username, "password": PASSWORD},
        )
        if status != 302 or location != "/":
            raise RuntimeError(f"sign-in of {self.username} was not accepted ({status})")
        self.request(location)

    def record_next(self, course_path: str, course_html: str) -> str | None:
        """Record the next planned session of the course; the course page after, or None."""
        links = [h for h in Page(course_html).links if re.fullmatch(r"/sessions/\d+/record/", h)]
        if not links:
            return None
        record_path = links[0]
        _status, html, _ = self.request(record_path)
        page = Page(html)
        form = page.post_form({"outcome", "actual_minutes"})
        minutes = {n: v for n, _k, v in form["fields"]}["actual_minutes"]
        if not minutes.isdigit():
            raise ValueError(f"the form at {record_path} suggests no minutes")
        before = self.random.randint(0, 6)  # 7 or more would mean no massage that day
        after = self.random.randint(0, before)
        status, _html, location = self.submit(
            record_path,
            page,
            {
                "outcome": "done",
                "actual_minutes": minutes,
                "pain_before": str(before),
                "pain_after": str(after),
                "skip_reason": "",
                "note": f"load run, {self.username}",
            },
        )
        if status != 302:
            raise RuntimeError(f"the form at {record_path} came back ({status}) instead of saving")
        _status, html, _ = self.request(location)
        number = re.search(r"Session (\d+) recorded\.", html)
        if urllib.parse.urlparse(location).path != course_path or not number:
            raise RuntimeError(f"no confirmation after recording at {record_path}")
        session_id = int(record_path.split("/")[2])
        self.result.recorded.append((session_id, int(minutes), before, after))
        return html

    def run(self, window: "Window"):
        try:
            self.sign_in()
        except (RuntimeError, OSError, ValueError, http.client.HTTPException) as error:
            self.result.errors.append(f"{self.username}: {error}")
            window.barrier.wait()
            return
        self.result.requests, self.result.latencies = 0, []  # the window's figures only
        window.barrier.wait()
        while time.monotonic() < window.deadline:
            if not self.courses:
                self.result.ran_out = True
                return
            course_path = f"/courses/{self.courses[0]}/"
            try:
                _status, html, _ = self.request(course_path)
                while html is not None and time.monotonic() < window.deadline:
                    html = self.record_next(course_path, html)
                if html is None:
                    self.courses.pop(0)
            except (RuntimeError, OSError, ValueError, http.client.HTTPException) as error:
                self.result.errors.append(f"{self.username}: {error}")


class Window:
    """The recording window: it opens when every user has signed in, and lasts SECONDS."""

    def __init__(self, users: int):
        self.started = self.deadline = 0.0
        self.barrier = threading.Barrier(users, action=self.open)

    def open(self):
        self.started = time.monotonic()
        self.deadline = self.started + SECONDS


# Setting up, serving, checking


def set_up() -> dict[str, list[int]]:
    """A clinic, its therapists, their patients with a planned course each."""
    import django

    django.setup()
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from clinic.models import THERAPIST, User
    from ops.clinics import create_clinic
    from patients.models import Condition, Patient
    from protocols.models import ProtocolTemplate
    from protocols.services import create_course

    clinic = create_clinic(name="Load Run Clinic", working_weekdays=list(range(7)))
    template = ProtocolTemplate.objects.get(clinic=clinic, slug="knee-arthrosis-classic")
    role = Group.objects.get(name=THERAPIST)
    courses = {}
    for n in range(USERS):
        user = User.objects.create_user(
            f"therapist{n:02d}", password=PASSWORD, clinic=clinic, is_staff=True
        )
        user.groups.add(role)
        courses[user.username] = []
        for p in range(PATIENTS_PER_USER):
            patient = Patient.objects.create(clinic=clinic, first_name=f"P{p}", last_name=f"T{n}")
            Condition.objects.create(patient=patient, kind="knee_arthrosis", stage=2, side="left")
            course = create_course(
                patient=patient,
                template=template,
                start=timezone.localdate(),
                sessions=template.max_sessions,
                therapist=user,
                created_by=user,
            )
            courses[user.username].append(course.pk)
    return courses


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(port: int, log: Path) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", "config.wsgi"),
            *("--bind", f"127.0.0.1:{port}", "--workers", WORKERS, "--threads", THREADS),
            *("--timeout", "60", "--error-logfile", str(log), "--log-level", "warning"),
        ],
        cwd=ROOT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    sys.exit(f"gunicorn did not answer within a minute; see {log}")


def check(clients: list[Client]) -> tuple[list[str], int]:
    """Rows the clients were told were recorded but are not, and rows recorded unannounced."""
    from protocols.models import Session

    told = {row[0]: (row, c.username) for c in clients for row in c.result.recorded}
    stored = {
        s.pk: s for s in Session.objects.filter(status=Session.DONE).select_related("recorded_by")
    }
    missing = []
    for session_id, ((_id, minutes, before, after), username) in told.items():
        s = stored.get(session_id)
        if s is None or (s.actual_minutes, s.pain_before, s.pain_after) != (minutes, before, after):
            missing.append(f"session {session_id} of {username}")
        elif s.recorded_by.username != username:
            missing.append(f"session {session_id} recorded by {s.recorded_by} not {username}")
    duplicates = sum(len(c.result.recorded) for c in clients) - len(told)
    return missing, len(set(stored) - set(told)) + duplicates


def main() -> int:
    print(f"Setting up: migrate, {USERS} therapists with {PATIENTS_PER_USER} courses each …")
    manage("migrate", "--noinput", "-v0")
    manage("collectstatic", "--noinput", "-v0")
    courses = set_up()
    from django.db import connections

    connections.close_all()
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="load-run-") as tmp:
        log = Path(tmp) / "gunicorn.log"
        server = serve(port, log)
        try:
            base = f"http://127.0.0.1:{port}"
            clients = [
                Client(base, username, ids, seed=n)
                for n, (username, ids) in enumerate(courses.items())
            ]
            print(f"{len(clients)} users sign in, then record for {SECONDS:g} s …")
            window = Window(len(clients))
            threads = [threading.Thread(target=c.run, args=(window,)) for c in clients]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.monotonic() - window.started
        finally:
            server.terminate()
            server.wait(timeout=30)
            server_log = log.read_text() if log.exists() else ""
    missing, unexpected = check(clients)
    errors = [e for c in clients for e in c.result.errors]
    recordings = sum(len(c.result.recorded) for c in clients)
    latencies = sorted(x for c in clients for x in c.result.latencies)
    requests = len(latencies)  # in the recording window (sign-ins come before it)
    p50 = statistics.median(latencies) * 1000 if latencies else 0
    p95 = latencies[int(0.95 * (requests - 1))] * 1000 if latencies else 0
    rows = [
        ("users", f"{len(clients)}"),
        ("seconds", f"{elapsed:.1f}"),
        ("requests", f"{requests}"),
        ("recordings", f"{recordings}"),
        ("recordings/s", f"{recordings / elapsed:.1f}"),
        ("request p50 ms", f"{p50:.0f}"),
        ("request p95 ms", f"{p95:.0f}"),
        ("errors", f"{len(errors)}"),
        ("missing", f"{len(missing)}"),
        ("unexpected", f"{unexpected}"),
    ]
    print("\n| measure | value |\n| --- | ---: |")
    for name, value in rows:
        print(f"| {name} | {value} |")
    print(f"\ngunicorn: {WORKERS} workers × {THREADS} threads, PostgreSQL, production settings")
    for problem in (errors + missing)[:20]:
        print("  " + problem)
    if any(c.result.ran_out for c in clients):
        print("  some users recorded every session they had: raise LOAD_PATIENTS")
    if errors and server_log.strip():
        print("gunicorn's log (end):\n" + server_log[-3000:])
    return 1 if errors or missing or unexpected else 0


if __name__ == "__main__":
    sys.exit(main())
