"""The default library: the shipped data file, installing it, and copying it into a clinic.

The default library is ``protocols/data/default_library.json``, a protocol library file
(``docs/protocol-format.md``) that the admin's import reads and checks like any other. The
migrations installed it as rows that belong to no clinic (each with its own frozen copy of the
data it used, so that editing the file never changes what an old migration does); each new
clinic gets its own copy of those rows, which its admins then edit freely. A change to the file
reaches existing databases through a new migration with its own frozen copy.
"""

from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext

from patients.models import ContraindicationKind
from protocols import exchange
from protocols.models import HandoutSection, ProtocolStep, ProtocolTemplate

LIBRARY_FILE = Path(__file__).parent / "data" / "default_library.json"

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


def library_document() -> dict:
    """The shipped library file, parsed (``exchange.ImportRejected`` if it is not JSON)."""
    return exchange.parse_json(LIBRARY_FILE.read_bytes())


def read_library() -> tuple[list[dict], list[dict]]:
    """The shipped library checked as an admin's import is: (templates, kinds) as normalised data.

    Raises ``exchange.ImportRejected`` listing every problem.
    """
    return exchange.read_document(library_document(), None)


def install_default_library() -> exchange.ImportResult:
    """Install the shipped library as the rows with no clinic, through the admin's import.

    Idempotent: templates and kinds already as in the file are left alone, and each template it
    creates or changes gets a version. For a database emptied by a test, or to see what a new
    migration of the library would change; migrations keep their own copy of the data.
    """
    return exchange.import_document(
        library_document(), None, note=gettext("Installed from the default library")
    )


def _has_field(model, name: str) -> bool:
    return any(f.name == name for f in model._meta.get_fields())


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
