"""``manage.py export_fhir``: a patient's record as a FHIR R4 Bundle on stdout, or a clinic's
records as NDJSON files (FHIR Bulk Data style), one file per resource type."""

import json
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from clinic.models import Clinic
from interop.export import COMMAND, export_clinic, export_patient
from patients.models import Patient


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--since takes a date such as 2026-01-31, not {value!r}") from error


class Command(BaseCommand):
    help = "Export a patient (--patient ID, to stdout) or a clinic (--clinic ID --output DIR)."

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--patient", type=int, help="A patient's id: their Bundle to stdout.")
        which.add_argument("--clinic", type=int, help="A clinic's id: NDJSON files in --output.")
        parser.add_argument("--output", type=Path, help="The directory for the NDJSON files.")
        parser.add_argument(
            "--since", type=_date, help="Only patients whose record changed on or after this day."
        )

    def handle(self, *args, patient=None, clinic=None, output=None, since=None, **options):
        if patient is not None:
            if output is not None or since is not None:
                raise CommandError("--output and --since go with --clinic.")
            found = Patient.objects.select_related("clinic").filter(pk=patient).first()
            if found is None:
                raise CommandError(f"No patient with id {patient}.")
            bundle = export_patient(found, actor_name=COMMAND)
            self.stdout.write(json.dumps(bundle, ensure_ascii=False, indent=2))
            return
        if output is None:
            raise CommandError("--clinic needs --output DIR.")
        found = Clinic.objects.filter(pk=clinic).first()
        if found is None:
            raise CommandError(f"No clinic with id {clinic}.")
        counts = export_clinic(found, output, since=since)
        for kind, n in counts.items():
            self.stderr.write(f"{kind}.ndjson: {n}")
