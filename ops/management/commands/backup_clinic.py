"""``manage.py backup_clinic --clinic ID [--output FILE]``.

Writes one clinic's complete data (see ``clinic/backup.py``) as a JSON file, or to standard
output with ``-`` (to pipe it into an encryption tool). The file holds patients' health data and
staff password hashes: store it encrypted and access-controlled. A new file is readable by its
owner only.
"""

import os

from django.core.management.base import BaseCommand, CommandError

from clinic.models import Clinic
from ops import backup


class Command(BaseCommand):
    help = "Back up one clinic's complete data to a JSON file."

    def add_arguments(self, parser):
        parser.add_argument("--clinic", type=int, required=True, help="The clinic's id.")
        parser.add_argument("--output", metavar="FILE", default="-", help="Default: stdout.")

    def handle(self, *args, clinic, output, **options):
        clinic_obj = Clinic.objects.filter(pk=clinic).first()
        if clinic_obj is None:
            raise CommandError(f"There is no clinic with id {clinic}.", returncode=2)
        try:
            document = backup.make_backup(clinic_obj)
        except backup.BackupError as error:
            raise CommandError(str(error), returncode=2) from None
        text = backup.dumps(document)
        if output == "-":
            self.stdout.write(text, ending="")
        else:
            try:
                fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                with open(fd, "w", encoding="utf-8") as handle:
                    handle.write(text)
            except OSError as exc:
                raise CommandError(f"Cannot write {output}: {exc.strerror}.") from None
        counts = ", ".join(f"{n} {label}" for label, n in document["counts"].items())
        self.stderr.write(f"Backed up clinic #{clinic_obj.pk} “{clinic_obj.name}”: {counts}.")
