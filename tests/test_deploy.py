"""The deployment files in the repository (deploy/, .env.example) are what a clinic's IT person
installs, so they are run here as they would be: gunicorn from its config file behind a
plain-HTTP health probe, the worker's unit command stopped by the unit's own stop signal, the
units checked by systemd itself, and the example environment complete and accepted by
`check --deploy`."""

import ast
import configparser
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
UNITS = ROOT / "deploy" / "systemd"
ENV_EXAMPLE = ROOT / ".env.example"
SECRET = "k3y-" + "a1B2c3D4e5F6g7H8" * 4


def variables_read_by(path):
    """Names of the environment variables a module reads: env.str("X"), env("X"), env.db_url…,
    os.environ.get("X"), os.environ["X"]."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call):
            func = node.func
            reads = (isinstance(func, ast.Name) and func.id == "env") or (
                isinstance(func, ast.Attribute)
                and (
                    (isinstance(func.value, ast.Name) and func.value.id == "env")
                    or (ast.unparse(func.value) == "os.environ" and func.attr == "get")
                )
            )
            arguments = node.args
        elif isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ":
            reads, arguments = True, [node.slice]
        else:
            continue
        name = arguments[0].value if arguments and isinstance(arguments[0], ast.Constant) else None
        if reads and isinstance(name, str) and name.isupper():
            names.add(name)
    return names


def example_lines():
    """{name: value} of every variable in .env.example, set or commented out."""
    found = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        match = re.fullmatch(r"#? ?([A-Z][A-Z0-9_]*)=(.*)", line)
        if match:
            found[match[1]] = match[2]
    return found


def example_environment(**changes):
    """The environment .env.example sets (its uncommented lines), plus changes."""
    set_lines = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            set_lines[name] = value
    return {**set_lines, **changes}


def clean_environment(**values):
    keep = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL", "HUEY_", "TASK_QUEUE", "GUNICORN_"))
    }
    return {**keep, "DJANGO_SETTINGS_MODULE": "config.settings", **values}


def unit(name):
    parser = configparser.ConfigParser(strict=False, interpolation=None, delimiters=("=",))
    parser.optionxform = str  # systemd's keys are case-sensitive
    parser.read(UNITS / name)
    return parser


def local_command(service):
    """The unit's ExecStart as it would run here: /srv/clinic/.venv/bin/x -> this venv's x."""
    command = shlex.split(service["Service"]["ExecStart"])
    program = Path(command[0])
    assert program.parent == Path(service["Service"]["WorkingDirectory"]) / ".venv" / "bin"
    local = Path(sys.executable).parent / program.name
    return [str(local), *command[1:]]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(predicate, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def get(url, host=None):
    request = urllib.request.Request(url, headers={"Host": host} if host else {})
    opener = urllib.request.build_opener(NoRedirect)
    try:
        # Generous: on a loaded machine a worker takes a while to import the app the first time.
        with opener.open(request, timeout=90) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_every_variable_the_app_reads_is_in_the_example_environment():
    read = variables_read_by(ROOT / "config" / "settings.py")
    read |= variables_read_by(ROOT / "deploy" / "gunicorn.conf.py")
    # The reader finds what it should (a broken reader would find nothing and pass).
    assert {"DJANGO_SECRET_KEY", "DATABASE_URL", "TASK_QUEUE", "EMAIL_URL", "GUNICORN_BIND"} <= read

    missing = read - set(example_lines())

    assert not missing, f"add to .env.example: {sorted(missing)}"


def test_the_example_names_the_task_queue_mail_sms_and_pdf_retention_settings():
    names = set(example_lines())

    assert {"TASK_QUEUE", "HUEY_DATABASE_URL", "HUEY_REDIS_URL", "HUEY_SQLITE_PATH"} <= names
    assert {"HUEY_WORKERS", "HUEY_NAME", "HUEY_IMMEDIATE"} <= names
    assert {"EMAIL_URL", "DEFAULT_FROM_EMAIL", "SMS_BACKEND", "SMS_FILE_PATH"} <= names
    assert {"PDF_RETENTION_HOURS", "PDF_STALL_SECONDS"} <= names


def test_the_example_is_plain_lines_both_systemd_and_django_environ_read_alike():
    for number, line in enumerate(ENV_EXAMPLE.read_text().splitlines(), 1):
        if not line or line.startswith("#"):
            continue
        assert re.fullmatch(r"[A-Z][A-Z0-9_]*=[^\"'\s]?[^\"']*", line), f"line {number}: {line}"
        assert line == line.rstrip(), f"line {number} ends in spaces"


def test_the_example_with_a_secret_key_passes_check_deploy(tmp_path):
    env = clean_environment(
        **example_environment(
            DJANGO_SECRET_KEY=SECRET,
            # No PostgreSQL here: the check needs no database, but Huey's PostgreSQL queue
            # connects when it is set up, so the check uses the SQLite queue.
            TASK_QUEUE="sqlite",
            HUEY_SQLITE_PATH=str(tmp_path / "tasks.sqlite3"),
        )
    )

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_the_units_run_the_app_from_one_place_with_one_environment():
    web, worker = unit("clinic-web.service"), unit("clinic-worker.service")

    for service in (web, worker):
        directory = Path(service["Service"]["WorkingDirectory"])
        assert service["Service"]["EnvironmentFile"] == str(directory / ".env")
        assert service["Service"]["User"] == "clinic"
        assert service["Install"]["WantedBy"] == "multi-user.target"
        assert service["Service"]["ReadWritePaths"] == str(directory)
    assert web["Service"]["WorkingDirectory"] == worker["Service"]["WorkingDirectory"]
    config = shlex.split(web["Service"]["ExecStart"])
    assert config[1:] == ["-c", "deploy/gunicorn.conf.py"]
    assert (ROOT / config[2]).is_file()
    assert shlex.split(worker["Service"]["ExecStart"])[1:] == ["manage.py", "run_huey"]


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="needs systemd-analyze")
def test_systemd_accepts_the_units(tmp_path):
    # The units with their paths pointed at this checkout, which systemd checks exist.
    venv_bin = Path(sys.executable).parent
    for name in ("clinic-web.service", "clinic-worker.service"):
        text = (UNITS / name).read_text()
        text = text.replace("/srv/clinic/.venv/bin/", f"{venv_bin}/").replace(
            "/srv/clinic", str(ROOT)
        )
        (tmp_path / name).write_text(text)

    result = subprocess.run(
        ["systemd-analyze", "verify", *sorted(tmp_path.glob("*.service"))],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    # verify exits 0 on an unknown key or a bad value ("…, ignoring"): it must say nothing.
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "", result.stderr


@pytest.fixture
def production(tmp_path):
    """Production settings on a scratch SQLite database, the TLS redirect and the host check on."""
    return clean_environment(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=SECRET,
        DJANGO_ALLOWED_HOSTS="clinic.example.org",
        DJANGO_CSRF_TRUSTED_ORIGINS="https://clinic.example.org",
        SITE_URL="https://clinic.example.org",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        HUEY_SQLITE_PATH=str(tmp_path / "tasks.sqlite3"),
        PYTHONUNBUFFERED="1",
    )


def test_gunicorn_with_the_config_answers_a_load_balancers_plain_http_probe(production, tmp_path):
    service = unit("clinic-web.service")
    port = free_port()
    # Type=notify: systemd counts the service started when gunicorn says READY on this socket.
    # (A short path: a unix socket's name has a length limit.)
    notify_dir = Path(tempfile.mkdtemp(prefix="sd-"))
    notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    notify.bind(str(notify_dir / "notify"))
    notify.settimeout(90)
    env = {
        **production,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        "NOTIFY_SOCKET": str(notify_dir / "notify"),
    }
    log = tmp_path / "gunicorn.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            local_command(service), cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        assert b"READY=1" in notify.recv(4096), log.read_text()
        assert service["Service"]["Type"] == "notify"

        def answers():
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
            except OSError:
                return False
            return True

        assert wait_for(answers, 60), log.read_text()

        # The probe: plain HTTP, the server's address as Host.
        status, headers, body = get(f"http://127.0.0.1:{port}/healthz")
        assert (status, body) == (200, b'{"status": "ok"}'), log.read_text()
        assert headers["Content-Type"] == "application/json"
        # Every other page: to HTTPS at the site's name, and no answer for an unknown host.
        status, headers, _ = get(f"http://127.0.0.1:{port}/", host="clinic.example.org")
        assert (status, headers["Location"]) == (301, "https://clinic.example.org/")
        assert get(f"http://127.0.0.1:{port}/", host="10.0.0.5")[0] == 400

        # systemctl stop: TERM to gunicorn (KillMode=mixed), which stops within the unit's time.
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=int(service["Service"]["TimeoutStopSec"])) == 0
    finally:
        notify.close()
        shutil.rmtree(notify_dir, ignore_errors=True)
        if server.poll() is None:
            server.kill()
            server.wait()
    assert "Booting worker" in log.read_text()


def test_the_worker_unit_starts_huey_and_its_stop_signal_lets_it_finish(production, tmp_path):
    service = unit("clinic-worker.service")
    log = tmp_path / "worker.log"
    with log.open("w") as output:
        worker = subprocess.Popen(
            local_command(service),
            cwd=ROOT,
            env=production,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        assert wait_for(lambda: "Huey consumer started" in log.read_text(), 90), log.read_text()
        worker.send_signal(getattr(signal, service["Service"]["KillSignal"]))
        assert worker.wait(timeout=int(service["Service"]["TimeoutStopSec"])) == 0
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()

    text = log.read_text()
    assert "Shutting down gracefully" in text
    assert "Consumer exiting" in text
