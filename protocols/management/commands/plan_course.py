"""``manage.py plan_course``: the planner from the command line, with a JSON answer.

Two forms:

    plan_course --input request.json [--clinic ID]      facts inline (``-`` reads stdin)
    plan_course --patient ID --template SLUG --start YYYY-MM-DD
                [--sessions N] [--cadence-days N] [--therapist USERNAME] [--time HH:MM] [--save]

Both print ``{"ok": true, "sessions": [...], ...}`` or ``{"ok": false, "reasons": [...],
"earliest_start": ...}`` and exit 0. An ``--input`` request with a ``"schedule"`` (see the README)
books every session at a time: its sessions also have ``"time"``, ``"ends"`` and ``"room"``, and
the answer has ``"notes"``. Malformed input exits 2 with a one-line message on stderr and
writes nothing.
"""

import json
import sys
from datetime import date

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

import planner
from clinic.models import Clinic, User
from patients.models import ContraindicationKind, Patient
from planner import schedule as scheduling
from protocols.models import ProtocolTemplate
from protocols.planning import (
    PlanInputError,
    answer_as_json,
    plan_for_patient,
    request_from_facts,
    rules_from_template,
)
from protocols.services import CourseRefused, check_start_window, create_course


def malformed(message: str) -> CommandError:
    return CommandError(message.replace("\n", " "), returncode=2)


def positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise malformed(f"expected a whole number, got {value!r}") from None
    if number < 1:
        raise malformed(f"expected a whole number of at least 1, got {number}")
    return number


class Command(BaseCommand):
    help = "Plan a course with the planner and print the answer as JSON."

    def add_arguments(self, parser):
        parser.add_argument("--input", metavar="FILE", help="A JSON request; '-' reads stdin.")
        parser.add_argument(
            "--clinic", type=int, help="With --input: look the template up in this clinic."
        )
        parser.add_argument("--patient", type=int, help="Plan for this patient (by id).")
        parser.add_argument("--template", metavar="SLUG", help="With --patient: the template.")
        parser.add_argument("--start", metavar="YYYY-MM-DD", help="With --patient: start date.")
        parser.add_argument("--sessions", help="Number of sessions (default: the template's).")
        parser.add_argument("--cadence-days", help="Days between sessions (default: template's).")
        parser.add_argument(
            "--therapist",
            metavar="USERNAME",
            help="With --patient: book with this colleague (default: the patient's last course's).",
        )
        parser.add_argument(
            "--time", metavar="HH:MM", help="With --patient: the preferred time of day."
        )
        parser.add_argument("--save", action="store_true", help="With --patient: save the course.")
        parser.add_argument("--language", default="en", choices=["en", "ru"])

    def handle(self, *args, **options):
        with translation.override(options["language"]):
            if options["input"] and options["patient"]:
                raise malformed("use either --input or --patient, not both")
            if options["input"]:
                result = self.from_input(options)
            elif options["patient"]:
                result = self.from_patient(options)
            else:
                raise malformed(
                    "give --input FILE (or -) or --patient ID --template SLUG --start DATE"
                )
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))

    def from_input(self, options) -> dict:
        try:
            if options["input"] == "-":
                payload = json.load(sys.stdin)
            else:
                with open(options["input"], encoding="utf-8") as file:
                    payload = json.load(file)
        except OSError as exc:
            raise malformed(f"cannot read {options['input']}: {exc.strerror}") from None
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise malformed(f"the input is not valid JSON: {exc}") from None
        if not isinstance(payload, dict):
            raise malformed("the input must be a JSON object")

        if options["clinic"] is not None:
            clinic = Clinic.objects.filter(pk=options["clinic"]).first()
            if clinic is None:
                raise malformed(f"no clinic with id {options['clinic']}")
            templates = ProtocolTemplate.objects.filter(clinic=clinic)
            kinds = ContraindicationKind.objects.filter(clinic=clinic)
        else:
            templates = ProtocolTemplate.objects.default_library()
            kinds = ContraindicationKind.objects.default_library()
        template = self.find_template(templates, payload.get("template"))
        try:
            request = request_from_facts(
                payload,
                rules=rules_from_template(template),
                contraindication_kinds={kind.code: kind for kind in kinds},
            )
            return answer_as_json(planner.plan(request))
        except (PlanInputError, ValueError) as exc:
            raise malformed(str(exc)) from None

    def from_patient(self, options) -> dict:
        patient = Patient.objects.select_related("clinic").filter(pk=options["patient"]).first()
        if patient is None:
            raise malformed(f"no patient with id {options['patient']}")
        if not options["start"]:
            raise malformed("--start YYYY-MM-DD is required with --patient")
        try:
            start = date.fromisoformat(options["start"])
        except ValueError:
            raise malformed(
                f"--start: {options['start']!r} is not a valid date (YYYY-MM-DD)"
            ) from None
        template = self.find_template(patient.clinic.protocol_templates.all(), options["template"])
        sessions = options["sessions"] and positive_int(options["sessions"])
        cadence = options["cadence_days"] and positive_int(options["cadence_days"])
        therapist = self.find_therapist(patient, options["therapist"])
        preferred = None
        if options["time"] is not None:
            try:
                preferred = scheduling.parse_time(options["time"])
            except ValueError:
                raise malformed(f"--time: {options['time']!r} is not a time (HH:MM)") from None
        answer = plan_for_patient(
            patient=patient,
            template=template,
            start=start,
            sessions=sessions,
            cadence_days=cadence,
            therapist=therapist,
            preferred_time=preferred,
        )
        result = answer_as_json(answer)
        if not options["save"] or not answer.ok:
            return result
        try:
            check_start_window(start)
            course = create_course(
                patient=patient,
                template=template,
                start=start,
                sessions=sessions,
                cadence_days=cadence,
                therapist=therapist,
                preferred_time=preferred,
            )
        except CourseRefused as refused:  # the facts changed between planning and saving
            return answer_as_json(refused.refusal)
        except ValidationError as exc:
            raise malformed(" ".join(exc.messages)) from None
        return {"course_id": course.pk, **result}

    def find_therapist(self, patient, username):
        """The colleague named, else the therapist of the patient's latest course (or none)."""
        if username is None:
            latest = patient.courses.exclude(therapist=None).order_by("-created_at").first()
            return latest.therapist if latest else None
        therapist = User.objects.filter(clinic=patient.clinic, username=username).first()
        if therapist is None:
            raise malformed(f"no member of staff {username!r} in the patient's clinic")
        return therapist

    def find_template(self, templates, slug) -> ProtocolTemplate:
        if not isinstance(slug, str) or not slug:
            raise malformed("a template slug is required")
        template = templates.filter(slug=slug).first()
        if template is None:
            known = ", ".join(templates.order_by("slug").values_list("slug", flat=True))
            raise malformed(f"unknown template {slug!r} (known: {known})")
        return template
