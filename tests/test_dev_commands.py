"""What `make run` and `make messages` do, run as real processes: the development server with
its task worker, stopped by one Ctrl-C (scripts/run-dev.sh), and the Russian catalog kept equal
to what makemessages makes of the code (scripts/messages.sh)."""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CATALOG = Path("locale/ru/LC_MESSAGES/django.po")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def wait_for(predicate, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_make_run_serves_with_a_worker_and_one_ctrl_c_stops_both(tmp_path):
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "HUEY_"))},
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "HUEY_SQLITE_PATH": str(tmp_path / "tasks.sqlite3"),
        "PY": sys.executable,
        "PORT": str(port),
        "PYTHONUNBUFFERED": "1",
    }
    log = tmp_path / "run.log"
    with log.open("w") as output:
        # Its own session, as a terminal's foreground job: the interrupt goes to the script only.
        script = subprocess.Popen(
            [ROOT / "scripts" / "run-dev.sh"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:

        def healthy():
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    return r.status == 200
            except OSError:
                return False

        assert wait_for(healthy, 90), log.read_text()
        assert wait_for(lambda: "Huey consumer started" in log.read_text(), 90), log.read_text()
        web, worker = map(int, re.search(r"pid (\d+)\).*pid (\d+)\)", log.read_text()).groups())
        with pytest.raises(OSError):  # on 127.0.0.1 only
            socket.create_connection(("127.0.0.2", port), timeout=1)

        script.send_signal(signal.SIGINT)  # Ctrl-C
        # Huey's threads notice the stop between polls (up to 10 s); the script stops what is
        # left after 20 s. A machine busy with the rest of the suite adds its delay.
        assert script.wait(timeout=60) == 130
    finally:
        if script.poll() is None:
            os.killpg(script.pid, signal.SIGKILL)

    text = log.read_text()
    assert wait_for(lambda: not alive(web) and not alive(worker), 10), text
    assert "Shutting down gracefully" in text  # the worker stopped, not killed
    assert not healthy()


def copy_of_the_project(tmp_path):
    skip = shutil.ignore_patterns(
        ".venv", ".git", "build", "mutants", "staticfiles", ".hypothesis", "*.mo", "__pycache__"
    )
    copy = tmp_path / "project"
    shutil.copytree(ROOT, copy, ignore=skip, symlinks=True)
    return copy


def messages(project, command):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return subprocess.run(
        [project / "scripts" / "messages.sh", command],
        cwd=project,
        env={**env, "PY": sys.executable},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return copy_of_the_project(tmp_path_factory.mktemp("messages"))


@pytest.mark.skipif(not shutil.which("msgmerge"), reason="needs gettext")
def test_the_committed_catalog_is_what_makemessages_makes_of_the_code(project):
    before = (project / CATALOG).read_bytes()

    result = messages(project, "update")

    assert result.returncode == 0, result.stderr
    assert (project / CATALOG).read_bytes() == before  # not even the header's date changes
    assert messages(project, "check").returncode == 0


@pytest.mark.skipif(not shutil.which("msgmerge"), reason="needs gettext")
def test_the_check_fails_for_a_string_missing_from_the_catalog(project):
    catalog = project / CATALOG
    committed = catalog.read_text()
    # Drop one entry the code uses, as when someone adds a string and forgets the catalog.
    entry = '\nmsgid "Audit trail"\nmsgstr "Журнал изменений"\n'
    assert entry in committed
    catalog.write_text(committed.replace(entry, "\n"))
    try:
        result = messages(project, "check")

        assert result.returncode == 1
        assert '+msgid "Audit trail"' in result.stdout
        assert "run make messages" in result.stderr
        assert catalog.read_text() == committed.replace(entry, "\n")  # left as it was
    finally:
        catalog.write_text(committed)


@pytest.mark.skipif(not shutil.which("msgmerge"), reason="needs gettext")
def test_the_check_fails_for_an_untranslated_entry(project):
    catalog = project / CATALOG
    committed = catalog.read_text()
    catalog.write_text(committed.replace('msgstr "Журнал изменений"', 'msgstr ""'))
    try:
        result = messages(project, "check")

        assert result.returncode == 1
        assert 'msgid "Audit trail"' in result.stderr
        assert "untranslated or fuzzy" in result.stderr
    finally:
        catalog.write_text(committed)
