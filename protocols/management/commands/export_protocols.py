"""``manage.py export_protocols --clinic ID [--output FILE] [--template SLUG ...]``.

Writes a clinic's protocol templates and contraindication kinds as one JSON file in the format
described in ``docs/protocol-format.md`` (``-`` or no ``--output``: standard output).
"""

from django.core.management.base import BaseCommand, CommandError

from clinic.models import Clinic
from protocols import exchange


class Command(BaseCommand):
    help = "Export a clinic's protocol templates and contraindication kinds as JSON."

    def add_arguments(self, parser):
        parser.add_argument("--clinic", type=int, required=True, help="The clinic's id.")
        parser.add_argument("--output", metavar="FILE", default="-", help="Default: stdout.")
        parser.add_argument(
            "--template", metavar="SLUG", action="append", help="Only this template (repeatable)."
        )

    def handle(self, *args, clinic, output, template, **options):
        clinic_obj = Clinic.objects.filter(pk=clinic).first()
        if clinic_obj is None:
            raise CommandError(f"There is no clinic with id {clinic}.", returncode=2)
        templates = clinic_obj.protocol_templates.all()
        if template:
            templates = templates.filter(slug__in=template)
            missing = sorted(set(template) - set(templates.values_list("slug", flat=True)))
            if missing:
                raise CommandError(
                    f"Clinic {clinic} has no template {', '.join(missing)}.", returncode=2
                )
        text = exchange.dumps(exchange.export_clinic(clinic_obj, templates))
        if output == "-":
            self.stdout.write(text, ending="")
        else:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(text)
            self.stderr.write(f"Wrote {templates.count()} templates to {output}.")
