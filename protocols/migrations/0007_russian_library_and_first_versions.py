"""Fill in the Russian texts of the default library and of the clinics' untouched copies of it,
and store every template's present state as its first version."""

from django.db import migrations

from protocols.exchange import template_data
from protocols.library import TEXT_FIELDS, install_default_library


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
