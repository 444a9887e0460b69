"""Fill in the Russian texts of the default library and of the clinics' untouched copies of it,
and store every template's present state as its first version.

The library it installs (``data/0007_default_library.json``, English and Russian) and the code
that writes it and a version's data are frozen here as they were when it was written, so that
editing the library or ``protocols.exchange`` never changes what this migration does.
"""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).parent / "data" / "0007_default_library.json"
LANGUAGES = ("en", "ru")
TEXT_FIELDS = {
    "template": ["name", "description"],
    "step": ["body_area", "instruction", "repetitions"],
    "section": ["title", "text"],
    "kind": ["name", "patient_text"],
}
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
STEP_VALUES = ["phase", "technique"]


def _texts(what: str, data: dict) -> dict:
    """The English and Russian columns of a row of kind ``what``, from ``{"en", "ru"}`` texts."""
    values = {}
    for name in TEXT_FIELDS[what]:
        value = data.get(name) or ""
        texts = value if isinstance(value, dict) else {"en": value}
        values[name] = texts.get("en", "")
        values[f"{name}_ru"] = texts.get("ru", "")
    return values


def install_default_library(*, kind_model, template_model, step_model, section_model) -> None:
    """Write the frozen library as rows with no clinic, updating what 0002 installed."""
    library = json.loads(DATA.read_text(encoding="utf-8"))
    for kind in library["contraindication_kinds"]:
        kind_model.objects.update_or_create(
            clinic=None,
            code=kind["code"],
            defaults={"severity": kind["severity"], **_texts("kind", kind)},
        )
    for data in library["templates"]:
        values = {name: data[name] for name in TEMPLATE_VALUES if name in data}
        template, _created = template_model.objects.update_or_create(
            clinic=None, slug=data["slug"], defaults={**values, **_texts("template", data)}
        )
        step_model.objects.filter(template=template).delete()
        step_model.objects.bulk_create(
            step_model(
                template=template,
                order=order,
                phase=step["phase"],
                technique=step["technique"],
                **_texts("step", step),
            )
            for order, step in enumerate(data["steps"], start=1)
        )
        section_model.objects.filter(template=template).delete()
        section_model.objects.bulk_create(
            section_model(template=template, order=order, **_texts("section", section))
            for order, section in enumerate(data["handout_sections"], start=1)
        )


def _translations(row, field):
    return {
        code: getattr(row, field if code == "en" else f"{field}_{code}") or "" for code in LANGUAGES
    }


def template_data(template):
    """What a version stored then (``protocols.exchange.template_data`` as of this migration)."""
    return {
        "slug": template.slug,
        **{name: _translations(template, name) for name in TEXT_FIELDS["template"]},
        **{
            name: list(value) if name in ("conditions", "stages") else value
            for name in TEMPLATE_VALUES
            for value in [getattr(template, name)]
        },
        "steps": [
            {
                **{name: getattr(step, name) for name in STEP_VALUES},
                **{name: _translations(step, name) for name in TEXT_FIELDS["step"]},
            }
            for step in template.steps.order_by("order", "pk")
        ],
        "handout_sections": [
            {name: _translations(section, name) for name in TEXT_FIELDS["section"]}
            for section in template.handout_sections.order_by("order", "pk")
        ],
    }


def _fill_russian(original, copy, what):
    """Give ``copy`` the Russian texts of ``original`` where its English text is unchanged."""
    changed = False
    for name in TEXT_FIELDS[what]:
        ru = f"{name}_ru"
        if not getattr(copy, ru) and getattr(copy, name) == getattr(original, name):
            setattr(copy, ru, getattr(original, ru))
            changed = True
    if changed:
        copy.save()


def forwards(apps, schema_editor):
    kind_model = apps.get_model("patients", "ContraindicationKind")
    template_model = apps.get_model("protocols", "ProtocolTemplate")
    step_model = apps.get_model("protocols", "ProtocolStep")
    section_model = apps.get_model("protocols", "HandoutSection")
    version_model = apps.get_model("protocols", "TemplateVersion")
    install_default_library(
        kind_model=kind_model,
        template_model=template_model,
        step_model=step_model,
        section_model=section_model,
    )
    kinds = {k.code: k for k in kind_model.objects.filter(clinic=None)}
    for kind in kind_model.objects.exclude(clinic=None):
        if kind.code in kinds:
            _fill_russian(kinds[kind.code], kind, "kind")
    library = {t.slug: t for t in template_model.objects.filter(clinic=None)}
    for template in template_model.objects.exclude(clinic=None):
        original = library.get(template.slug)
        if original is None:
            continue
        _fill_russian(original, template, "template")
        pairs = [
            (
                list(original.steps.order_by("order", "pk")),
                template.steps.order_by("order", "pk"),
                "step",
            ),
            (
                list(original.handout_sections.order_by("order", "pk")),
                template.handout_sections.order_by("order", "pk"),
                "section",
            ),
        ]
        for originals, copies, what in pairs:
            for source, copy in zip(originals, copies):
                _fill_russian(source, copy, what)
    for template in template_model.objects.all():
        if not version_model.objects.filter(template=template).exists():
            version_model.objects.create(
                template=template, number=1, data=template_data(template), note="Version on record"
            )


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0002_russian_texts"),
        ("protocols", "0006_russian_texts_and_versions"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
