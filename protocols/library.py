"""Installing the default library and copying it into a clinic.

The default library is the data of ``protocols/default_library.py`` stored as rows that belong to
no clinic. Each new clinic gets its own copy, which its admins then edit freely.
"""

from django.db import transaction
from django.utils.translation import gettext

from protocols import default_library, exchange

# The columns of each kind of row, from the one list of them in ``exchange``.
TEXT_FIELDS = {
    "template": exchange.TEMPLATE_TEXTS,
    "step": exchange.STEP_TEXTS,
    "section": exchange.SECTION_TEXTS,
    "kind": exchange.KIND_TEXTS,
}
VALUE_FIELDS = {
    "template": ["slug", *exchange.TEMPLATE_VALUES],
    "step": ["order", *exchange.STEP_VALUES],
    "section": ["order"],
    "kind": ["code", *exchange.KIND_VALUES],
}


def _has_field(model, name: str) -> bool:
    return any(f.name == name for f in model._meta.get_fields())


def _texts(model, what: str, data: dict) -> dict:
    """The text columns of ``model`` filled from ``data`` (``{"en": ..., "ru": ...}`` values).

    Takes the model class so that it works with a migration's historical models, which may not
    have the Russian columns yet.
    """
    values = {}
    for name in TEXT_FIELDS[what]:
        value = data.get(name, "")
        texts = value if isinstance(value, dict) else {"en": value}
        values[name] = texts.get("en", "")
        if _has_field(model, f"{name}_ru"):
            values[f"{name}_ru"] = texts.get("ru", "")
    return values


def install_default_library(*, kind_model, template_model, step_model, section_model) -> None:
    """Write the default library as rows with no clinic (idempotent: updates what is there).

    Takes the model classes so that a data migration can pass its historical models.
    """
    for kind in default_library.CONTRAINDICATION_KINDS:
        kind_model.objects.update_or_create(
            clinic=None,
            code=kind["code"],
            defaults={"severity": kind["severity"], **_texts(kind_model, "kind", kind)},
        )
    for data in default_library.TEMPLATES:
        values = {
            name: data[name] for name in VALUE_FIELDS["template"] if name in data and name != "slug"
        }
        template, _created = template_model.objects.update_or_create(
            clinic=None,
            slug=data["slug"],
            defaults={**values, **_texts(template_model, "template", data)},
        )
        step_model.objects.filter(template=template).delete()
        step_model.objects.bulk_create(
            step_model(
                template=template,
                order=order,
                phase=step["phase"],
                technique=step["technique"],
                **_texts(step_model, "step", step),
            )
            for order, step in enumerate(data["steps"], start=1)
        )
        section_model.objects.filter(template=template).delete()
        section_model.objects.bulk_create(
            section_model(
                template=template, order=order, **_texts(section_model, "section", section)
            )
            for order, section in enumerate(data["handout_sections"], start=1)
        )


def _fields(model, what: str) -> list[str]:
    return [
        *VALUE_FIELDS[what],
        *(
            column
            for name in TEXT_FIELDS[what]
            for column in (name, f"{name}_ru")
            if _has_field(model, column)
        ),
    ]


@transaction.atomic
def copy_default_library(clinic) -> None:
    """Give a clinic its own copy of every default template and contraindication kind it lacks."""
    from patients.models import ContraindicationKind
    from protocols.models import HandoutSection, ProtocolStep, ProtocolTemplate

    kind_fields = _fields(ContraindicationKind, "kind")
    have_codes = set(clinic.contraindication_kinds.values_list("code", flat=True))
    ContraindicationKind.objects.bulk_create(
        ContraindicationKind(clinic=clinic, **{f: getattr(kind, f) for f in kind_fields})
        for kind in ContraindicationKind.objects.default_library()
        if kind.code not in have_codes
    )
    have_slugs = set(clinic.protocol_templates.values_list("slug", flat=True))
    defaults = ProtocolTemplate.objects.default_library().prefetch_related(
        "steps", "handout_sections"
    )
    template_fields = _fields(ProtocolTemplate, "template")
    step_fields = _fields(ProtocolStep, "step")
    section_fields = _fields(HandoutSection, "section")
    for original in defaults:
        if original.slug in have_slugs:
            continue
        copy = ProtocolTemplate.objects.create(
            clinic=clinic, **{f: getattr(original, f) for f in template_fields}
        )
        ProtocolStep.objects.bulk_create(
            ProtocolStep(template=copy, **{f: getattr(step, f) for f in step_fields})
            for step in original.steps.all()
        )
        HandoutSection.objects.bulk_create(
            HandoutSection(template=copy, **{f: getattr(s, f) for f in section_fields})
            for s in original.handout_sections.all()
        )
        exchange.record_version(copy, note=gettext("Copied from the default library"))
