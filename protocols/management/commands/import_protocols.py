"""``manage.py import_protocols --clinic ID FILE``.

Reads a file written by ``export_protocols`` (format: ``docs/protocol-format.md``), checks all of
it, then imports all of it or nothing. Templates are matched by short name and contraindication
kinds by code, so importing the same file again changes nothing. Exit status 0 on success, 2 when
the file is rejected, with every problem on stderr, one per line.
"""

from django.core.management.base import BaseCommand, CommandError

from clinic.models import Clinic
from core.files import read_input
from protocols import exchange


class Command(BaseCommand):
    help = "Import protocol templates and contraindication kinds from a JSON file into a clinic."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The JSON file; '-' reads stdin.")
        parser.add_argument("--clinic", type=int, required=True, help="The clinic's id.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file, report, write nothing."
        )

    def handle(self, *args, file, clinic, dry_run, **options):
        clinic_obj = Clinic.objects.filter(pk=clinic).first()
        if clinic_obj is None:
            raise CommandError(f"There is no clinic with id {clinic}.", returncode=2)
        raw = read_input(file)
        try:
            document = exchange.parse_json(raw)
            if dry_run:
                templates, kinds = exchange.read_document(document, clinic_obj)
                self.stdout.write(
                    f"The file is valid: {len(templates)} templates, "
                    f"{len(kinds)} contraindication kinds. Nothing was written."
                )
                return
            result = exchange.import_document(document, clinic_obj, note=f"Imported from {file}")
        except exchange.ImportRejected as rejected:
            for error in rejected.errors:
                self.stderr.write(error)
            raise CommandError(
                f"Nothing was imported: {len(rejected.errors)} problem(s) in {file}.",
                returncode=2,
            ) from None
        self.stdout.write(result.summary())
