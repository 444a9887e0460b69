"""Installing the default library and copying it into a clinic.

The default library is the data of ``protocols/default_library.py`` stored as rows that belong to
no clinic. Each new clinic gets its own copy, which its admins then edit freely.
"""

from django.db import transaction

from protocols import default_library

TEMPLATE_FIELDS = [
    "name",
    "slug",
    "description",
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
STEP_FIELDS = ["order", "phase", "body_area", "technique", "instruction", "repetitions"]
SECTION_FIELDS = ["order", "title", "text"]
KIND_FIELDS = ["code", "name", "patient_text", "severity"]


def _text(value, language):
    return value[language] if isinstance(value, dict) else value


def install_default_library(
    *, kind_model, template_model, step_model, section_model, language="en"
) -> None:
    """Write the default library as rows with no clinic (idempotent: updates what is there).

    Takes the model classes so that a data migration can pass its historical models.
    """
    for kind in default_library.CONTRAINDICATION_KINDS:
        kind_model.objects.update_or_create(
            clinic=None,
            code=kind["code"],
            defaults={
                "name": _text(kind["name"], language),
                "patient_text": _text(kind["patient_text"], language),
                "severity": kind["severity"],
            },
        )
    for data in default_library.TEMPLATES:
        values = {
            field: _text(data[field], language)
            for field in TEMPLATE_FIELDS
            if field in data and field != "slug"
        }
        template, _created = template_model.objects.update_or_create(
            clinic=None, slug=data["slug"], defaults=values
        )
        step_model.objects.filter(template=template).delete()
        step_model.objects.bulk_create(
            step_model(
                template=template,
                order=order,
                phase=step["phase"],
                technique=step["technique"],
                body_area=_text(step["body_area"], language),
                instruction=_text(step["instruction"], language),
                repetitions=_text(step.get("repetitions", ""), language),
            )
            for order, step in enumerate(data["steps"], start=1)
        )
        section_model.objects.filter(template=template).delete()
        section_model.objects.bulk_create(
            section_model(
                template=template,
                order=order,
                title=_text(section["title"], language),
                text=_text(section["text"], language),
            )
            for order, section in enumerate(data["handout_sections"], start=1)
        )


@transaction.atomic
def copy_default_library(clinic) -> None:
    """Give a clinic its own copy of every default template and contraindication kind it lacks."""
    from patients.models import ContraindicationKind
    from protocols.models import HandoutSection, ProtocolStep, ProtocolTemplate

    have_codes = set(clinic.contraindication_kinds.values_list("code", flat=True))
    ContraindicationKind.objects.bulk_create(
        ContraindicationKind(clinic=clinic, **{f: getattr(kind, f) for f in KIND_FIELDS})
        for kind in ContraindicationKind.objects.default_library()
        if kind.code not in have_codes
    )
    have_slugs = set(clinic.protocol_templates.values_list("slug", flat=True))
    defaults = ProtocolTemplate.objects.default_library().prefetch_related(
        "steps", "handout_sections"
    )
    for original in defaults:
        if original.slug in have_slugs:
            continue
        copy = ProtocolTemplate.objects.create(
            clinic=clinic, **{f: getattr(original, f) for f in TEMPLATE_FIELDS}
        )
        ProtocolStep.objects.bulk_create(
            ProtocolStep(template=copy, **{f: getattr(step, f) for f in STEP_FIELDS})
            for step in original.steps.all()
        )
        HandoutSection.objects.bulk_create(
            HandoutSection(template=copy, **{f: getattr(s, f) for f in SECTION_FIELDS})
            for s in original.handout_sections.all()
        )
