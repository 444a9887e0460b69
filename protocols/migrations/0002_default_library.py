"""Install the default library: contraindication kinds and protocol templates with no clinic."""

from django.db import migrations

from protocols.library import install_default_library


def install(apps, schema_editor):
    install_default_library(
        kind_model=apps.get_model("patients", "ContraindicationKind"),
        template_model=apps.get_model("protocols", "ProtocolTemplate"),
        step_model=apps.get_model("protocols", "ProtocolStep"),
        section_model=apps.get_model("protocols", "HandoutSection"),
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
