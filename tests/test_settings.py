"""Settings come from the environment; production refuses unsafe values (run as a real process)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "k3y-" + "a1B2c3D4e5F6g7H8" * 4,
    "DJANGO_ALLOWED_HOSTS": "clinic.example.org",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://clinic.example.org",
    "SITE_URL": "https://clinic.example.org",
}


def manage(*args, **env_changes):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update(env_changes)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_without_debug_it_refuses_to_start_without_a_secret_key():
    result = manage("check", **{**PRODUCTION, "DJANGO_SECRET_KEY": ""})

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_without_debug_it_refuses_the_development_key():
    key = "django-insecure-" + "x" * 50
    result = manage("check", **{**PRODUCTION, "DJANGO_SECRET_KEY": key})

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_without_debug_it_refuses_to_start_without_allowed_hosts():
    result = manage("check", **{**PRODUCTION, "DJANGO_ALLOWED_HOSTS": ""})

    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS must list" in result.stderr


def test_the_documented_production_settings_pass_check_deploy():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_debug_runs_with_development_defaults():
    result = manage("check", DJANGO_DEBUG="1", DJANGO_SECRET_KEY="", DJANGO_ALLOWED_HOSTS="")

    assert result.returncode == 0, result.stderr


def test_production_hashes_passwords_with_argon2():
    code = "from django.contrib.auth.hashers import make_password; print(make_password('x'))"
    result = manage("shell", "-c", code, **PRODUCTION)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].startswith("argon2$")
