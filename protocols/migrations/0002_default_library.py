"""Install the default library: contraindication kinds and protocol templates with no clinic.

The library this migration installed is frozen next to it, in ``data/0002_default_library.json``
(the English texts of the library as it was then: the Russian columns come in 0006), and so is
the code that writes it, so that editing ``protocols/data/default_library.json`` never changes
what this migration does. Later changes to the library are later migrations.
"""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).parent / "data" / "0002_default_library.json"

TEMPLATE_VALUES = [
    "method_style",
    "conditions",
    "stages",
    "start_minutes",
    "step_minutes",
    "target_minutes",
    "min_sessions",
    "max_sessions",
    "default_sessions",
    "cadence_days",
    "break_months",
    "postop_days",
    "knee_sparing",
    "in_warm_water",
    "active",
]


def _english(value) -> str:
    return value.get("en", "") if isinstance(value, dict) else (value or "")


def install(apps, schema_editor):
    kind_model = apps.get_model("patients", "ContraindicationKind")
    template_model = apps.get_model("protocols", "ProtocolTemplate")
    step_model = apps.get_model("protocols", "ProtocolStep")
    section_model = apps.get_model("protocols", "HandoutSection")
    library = json.loads(DATA.read_text(encoding="utf-8"))
    for kind in library["contraindication_kinds"]:
        kind_model.objects.update_or_create(
            clinic=None,
            code=kind["code"],
            defaults={
                "name": _english(kind["name"]),
                "patient_text": _english(kind.get("patient_text")),
                "severity": kind["severity"],
            },
        )
    for data in library["templates"]:
        template, _created = template_model.objects.update_or_create(
            clinic=None,
            slug=data["slug"],
            defaults={
                "name": _english(data["name"]),
                "description": _english(data.get("description")),
                **{name: data[name] for name in TEMPLATE_VALUES if name in data},
            },
        )
        step_model.objects.filter(template=template).delete()
        step_model.objects.bulk_create(
            step_model(
                template=template,
                order=order,
                phase=step["phase"],
                technique=step["technique"],
                body_area=_english(step.get("body_area")),
                instruction=_english(step.get("instruction")),
                repetitions=_english(step.get("repetitions")),
            )
            for order, step in enumerate(data["steps"], start=1)
        )
        section_model.objects.filter(template=template).delete()
        section_model.objects.bulk_create(
            section_model(
                template=template,
                order=order,
                title=_english(section["title"]),
                text=_english(section.get("text")),
            )
            for order, section in enumerate(data["handout_sections"], start=1)
        )


def uninstall(apps, schema_editor):
    apps.get_model("protocols", "ProtocolTemplate").objects.filter(clinic=None).delete()
    apps.get_model("patients", "ContraindicationKind").objects.filter(clinic=None).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0001_initial"),
        ("protocols", "0001_initial"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
