"""``manage.py restore_clinic FILE``.

Restores a file written by ``backup_clinic`` into this database, all or nothing, with the rows'
original ids. Meant for an empty database (``migrate`` run, no clinic data): it refuses, writing
nothing, when the clinic, a username or an id is already here, or when the file is damaged or
from another database schema. Exit status 0 on success, 2 when refused, with the reasons on
stderr.
"""

from django.core.management.base import BaseCommand, CommandError

from core.files import read_input
from ops import backup


class Command(BaseCommand):
    help = "Restore one clinic from a backup_clinic file into an empty database."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The backup file; '-' reads stdin.")

    def handle(self, *args, file, **options):
        raw = read_input(file)
        try:
            document = backup.parse(raw)
            counts, warnings = backup.restore(document)
        except backup.BackupError as error:
            for problem in error.problems:
                self.stderr.write(problem)
            raise CommandError(f"Nothing was restored from {file}.", returncode=2) from None
        for warning in warnings:
            self.stderr.write(warning)
        clinic = document["clinic"]
        rows = ", ".join(f"{n} {label}" for label, n in counts.items())
        self.stdout.write(
            f"Restored clinic #{clinic['id']} “{clinic['name']}” backed up at "
            f"{document['created_at']}: {rows}."
        )
