"""Settings for the test suite: the real settings with a fast hasher and plain static storage.

``DATABASE_URL`` still decides the database, so the same suite runs on SQLite and PostgreSQL.
"""

import os

os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_SECRET_KEY", "test-secret-key-" + "x" * 48)
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("HUEY_IMMEDIATE", "1")
os.environ.setdefault("SITE_URL", "https://clinic.example.org")
os.environ.setdefault("DOCUMENT_CACHE_DIR", "")  # rendered documents in memory, per process

from config.settings import *  # noqa: F403
from config.settings import STORAGES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
