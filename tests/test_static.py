"""Static files as deployed: ``collectstatic`` with the production storage's manifest."""

from django.core.management import call_command
from django.test import override_settings


def test_collectstatic_with_the_production_storage_succeeds(tmp_path):
    # The manifest storage refuses a file that names a missing one (e.g. a source map), which
    # would stop the deployment guide at its collectstatic step. Production's storage adds
    # compression (slow, and not where this fails) to Django's manifest storage used here.
    storage = "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": storage},
    }
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=storages):
        call_command("collectstatic", "--noinput", verbosity=0)

    manifest = (tmp_path / "staticfiles.json").read_text()
    assert "vendor/bootstrap-5.3.9/css/bootstrap.min.css" in manifest
