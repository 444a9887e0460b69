"""Protocol templates as data: export, import, versions, differences and copies.

One form of a template serves every purpose (``protocols.snapshot.TemplateSnapshot``): the JSON
file that ``export_protocols`` writes and ``import_protocols`` reads (documented in
``docs/protocol-format.md``) holds a list of them, a template's versions store one each, and two
versions are compared as two of them. A text is ``{"en": ..., "ru": ...}``; on import a plain
string is read as English.
"""

import difflib
import json
import math
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.texts import LANGUAGES, field_name, translations
from patients.models import ContraindicationKind
from protocols.models import HandoutSection, ProtocolStep, ProtocolTemplate, TemplateVersion
from protocols.snapshot import (
    SECTION_TEXTS,
    STEP_TEXTS,
    STEP_VALUES,
    TEMPLATE_TEXTS,
    TEMPLATE_VALUES,
    TemplateSnapshot,
    template_snapshot,
)

FORMAT = "massage-clinic-protocols"
FORMAT_VERSION = 1

KIND_VALUES = ["severity"]
KIND_TEXTS = ["name", "patient_text", "staff_text"]

MAX_ROWS = 200  # steps or handout sections in one template of a file
# A whole file: a clinic chain's library is a few dozen templates. Checked before anything else
# is read, so that a huge file is refused at once instead of outlasting the worker's timeout.
MAX_TEMPLATES = 300
MAX_KINDS = 500
MAX_FILE_ROWS = 5000  # steps, and handout sections, over all the file's templates

MAIN_STEP_MESSAGE = gettext_lazy(
    "A template needs at least one step in the main part: that is the massage itself."
)


# --- Objects → data ---------------------------------------------------------------------------


def template_data_values(template) -> dict:
    """The template's non-text values, JSON-ready."""
    return {
        name: list(value) if name in ("conditions", "stages") else value
        for name in TEMPLATE_VALUES
        for value in [getattr(template, name)]
    }


def template_data(template) -> dict:
    """One template with its steps and handout sections, as a library file holds it."""
    return TemplateSnapshot.of_template(template).file_data()


def kind_data(kind) -> dict:
    return {
        "code": kind.code,
        **{name: getattr(kind, name) for name in KIND_VALUES},
        **{name: translations(kind, name) for name in KIND_TEXTS},
    }


def export_document(templates, kinds) -> dict:
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "exported_at": timezone.now().isoformat(timespec="seconds"),
        "contraindication_kinds": [kind_data(kind) for kind in kinds],
        "templates": [template_data(template) for template in templates],
    }


def export_clinic(clinic, templates=None) -> dict:
    """A clinic's library (or the chosen templates of it) with its contraindication kinds."""

    if templates is None:
        templates = ProtocolTemplate.objects.filter(clinic=clinic)
    kinds = ContraindicationKind.objects.filter(clinic=clinic).order_by("code")
    return export_document(templates.order_by("slug"), kinds)


def dumps(document: dict) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


# --- Data → objects ---------------------------------------------------------------------------


def _settranslations(obj, name: str, texts: dict) -> None:
    for code in LANGUAGES:
        setattr(obj, field_name(name, code), texts.get(code, ""))


def _set_template_fields(template, data: dict) -> None:
    template.slug = data["slug"]
    for name in TEMPLATE_TEXTS:
        _settranslations(template, name, data[name])
    for name in TEMPLATE_VALUES:
        setattr(template, name, data[name])


def _new_steps(template, data: dict) -> list:
    steps = []
    for order, item in enumerate(data["steps"], start=1):
        step = ProtocolStep(template=template, order=order)
        for name in STEP_VALUES:
            setattr(step, name, item[name])
        for name in STEP_TEXTS:
            _settranslations(step, name, item[name])
        steps.append(step)
    return steps


def _new_sections(template, data: dict) -> list:
    sections = []
    for order, item in enumerate(data["handout_sections"], start=1):
        section = HandoutSection(template=template, order=order)
        for name in SECTION_TEXTS:
            _settranslations(section, name, item[name])
        sections.append(section)
    return sections


def apply_template_data(template, data: dict) -> None:
    """Make ``template`` (saved or new) hold exactly ``data``: its fields, steps and sections."""
    with transaction.atomic():
        _set_template_fields(template, data)
        template.save()
        template.steps.all().delete()
        ProtocolStep.objects.bulk_create(_new_steps(template, data))
        template.handout_sections.all().delete()
        HandoutSection.objects.bulk_create(_new_sections(template, data))


@transaction.atomic
def record_version(template, author=None, note: str = ""):
    """Store the template's current state as its next version; nothing if it is unchanged."""
    # Two saves of one template at once: the second waits, then numbers after the first.
    ProtocolTemplate.objects.select_for_update().filter(pk=template.pk).exists()
    data = template_snapshot(template)
    latest = template.versions.order_by("-number").first()
    if latest is not None and latest.data == data:
        return None
    return TemplateVersion.objects.create(
        template=template,
        number=(latest.number + 1) if latest else 1,
        data=data,
        author=author,
        note=note[:200],
    )


@transaction.atomic
def restore_version(version, author=None):
    """Make the template hold an old version again, recorded as a new version."""
    template = version.template
    data = TemplateSnapshot.from_data(version.data).file_data()
    data["slug"] = template.slug  # the slug names the template: keep it
    apply_template_data(template, data)
    note = _("Restored version %(number)s") % {"number": version.number}
    return record_version(template, author, note)


def free_slug(clinic, slug: str) -> str:
    taken = set(
        ProtocolTemplate.objects.filter(clinic=clinic, slug__startswith=slug[:60]).values_list(
            "slug", flat=True
        )
    )
    number = 1
    while True:
        suffix = "-copy" if number == 1 else f"-copy-{number}"
        candidate = slug[: 80 - len(suffix)] + suffix
        if candidate not in taken:
            return candidate
        number += 1


@transaction.atomic
def duplicate_template(template, author=None):
    """A copy of ``template`` in the same clinic under a new short name, not yet active."""
    data = template_data(template)
    data["slug"] = free_slug(template.clinic, template.slug)
    data["active"] = False  # offered for courses once an admin has checked and activated it
    data["name"] = {
        code: (_("%(name)s (copy)") % {"name": text})[:200] if text else ""
        for code, text in data["name"].items()
    }
    copy = ProtocolTemplate(clinic=template.clinic)
    apply_template_data(copy, data)
    record_version(copy, author, _("Duplicated from “%(name)s”") % {"name": template.name})
    return copy


# --- Reading a file ---------------------------------------------------------------------------


class ImportRejected(Exception):
    """The file cannot be imported; ``errors`` lists every problem found, nothing was written."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kinds_created: list[str] = field(default_factory=list)
    kinds_updated: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return _(
            "Templates: %(created)s new, %(updated)s updated, %(unchanged)s unchanged. "
            "Contraindication kinds: %(kinds_created)s new, %(kinds_updated)s updated."
        ) % {
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
            "kinds_created": len(self.kinds_created),
            "kinds_updated": len(self.kinds_updated),
        }


def _label(model, name: str) -> str:
    return str(model._meta.get_field(name).verbose_name)


class _Reader:
    """Checks a parsed document and normalises it, collecting every error with its place."""

    def __init__(self):
        self.errors: list[str] = []

    def error(self, where: str, message: str) -> None:
        self.errors.append(f"{where}: {message}")

    def object(self, value, where: str, keys: set, required: set) -> dict | None:
        if not isinstance(value, dict):
            self.error(where, _("expected an object with named fields."))
            return None
        unknown = sorted(set(value) - keys)
        if unknown:
            self.error(where, _("unknown fields %(fields)s.") % {"fields": ", ".join(unknown)})
        missing = sorted(required - set(value))
        if missing:
            self.error(where, _("missing fields %(fields)s.") % {"fields": ", ".join(missing)})
            return None
        return value

    def text(self, value, where: str) -> dict:
        texts = self._text(value, where)
        if any("\x00" in text for text in texts.values()):
            self.error(where, _("a text contains a NUL character."))
            return dict.fromkeys(LANGUAGES, "")
        return texts

    def name(self, value, where: str) -> str:
        """A slug or a code: must be text."""
        if not isinstance(value, str) or "\x00" in value:
            self.error(where, _("the short name or code must be text."))
            return ""
        return value

    def _text(self, value, where: str) -> dict:
        if value is None:
            return dict.fromkeys(LANGUAGES, "")
        if isinstance(value, str):
            return {**dict.fromkeys(LANGUAGES, ""), LANGUAGES[0]: _lines(value)}
        if isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
            unknown = sorted(set(value) - set(LANGUAGES))
            if unknown:
                self.error(
                    where,
                    _("unknown languages %(codes)s (use %(known)s).")
                    % {"codes": ", ".join(unknown), "known": ", ".join(LANGUAGES)},
                )
            return {code: _lines(value.get(code, "")) for code in LANGUAGES}
        self.error(where, _("expected a text or an object of texts by language (en, ru)."))
        return dict.fromkeys(LANGUAGES, "")

    def items(self, value, where: str) -> list:
        if not isinstance(value, list):
            self.error(where, _("expected a list."))
            return []
        return value

    def model_errors(self, obj, where: str, exclude: list[str]) -> bool:
        try:
            obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        except (OverflowError, TypeError):
            self.error(where, _("a number is out of range or not a number."))
            return False
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                place = where
                if name != "__all__":
                    place = _("%(where)s, field “%(name)s” (%(label)s)") % {
                        "where": where,
                        "name": name,
                        "label": _label(type(obj), name),
                    }
                for message in messages:
                    self.error(place, message)
            return False
        return True


def _lines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _template_name(data: dict, index: int) -> str:
    slug = data.get("slug") if isinstance(data, dict) else None
    if isinstance(slug, str) and slug:
        return _("Template “%(slug)s”") % {"slug": slug}
    return _("Template no. %(number)s") % {"number": index}


def _check_size(reader, document: dict) -> None:
    """Refuse a file with more templates, kinds, steps or sections than a library has."""
    where = _("The file")
    templates = document.get("templates")
    templates = templates if isinstance(templates, list) else []
    kinds = document.get("contraindication_kinds")
    kinds = kinds if isinstance(kinds, list) else []
    if len(templates) > MAX_TEMPLATES:
        reader.error(
            where,
            _("%(count)s templates; a file may hold at most %(max)s.")
            % {"count": len(templates), "max": MAX_TEMPLATES},
        )
    if len(kinds) > MAX_KINDS:
        reader.error(
            where,
            _("%(count)s contraindication kinds; a file may hold at most %(max)s.")
            % {"count": len(kinds), "max": MAX_KINDS},
        )
    for key, what in (
        ("steps", _("steps")),
        ("handout_sections", _("handout sections")),
    ):
        rows = sum(
            len(item[key])
            for item in templates
            if isinstance(item, dict) and isinstance(item.get(key), list)
        )
        if rows > MAX_FILE_ROWS:
            reader.error(
                where,
                _("%(count)s %(what)s in all; a file may hold at most %(max)s.")
                % {"count": rows, "what": what, "max": MAX_FILE_ROWS},
            )
    if reader.errors:
        raise ImportRejected(reader.errors)


def read_document(document, clinic) -> tuple[list[dict], list[dict]]:
    """Validate a whole document for ``clinic``; returns (templates, kinds) as normalised data.

    Raises ``ImportRejected`` listing every problem, each naming the template (or kind) and field.
    """

    reader = _Reader()
    document = reader.object(
        document,
        _("The file"),
        {"format", "version", "exported_at", "contraindication_kinds", "templates"},
        {"format", "version", "templates"},
    )
    if document is None:
        raise ImportRejected(reader.errors)
    if not isinstance(document["version"], int) or isinstance(document["version"], bool):
        document["version"] = repr(document["version"])
    if document["format"] != FORMAT:
        reader.error(
            _("The file"),
            _("this is not a protocol library file (format “%(f)s”).") % {"f": FORMAT},
        )
    if document["version"] != FORMAT_VERSION:
        reader.error(
            _("The file"),
            _("format version %(got)s is not supported (expected %(want)s).")
            % {"got": document["version"], "want": FORMAT_VERSION},
        )
    if reader.errors:
        raise ImportRejected(reader.errors)
    _check_size(reader, document)

    kinds = []
    codes = set()
    for index, raw in enumerate(
        reader.items(document.get("contraindication_kinds", []), _("contraindication_kinds")),
        start=1,
    ):
        code = raw.get("code") if isinstance(raw, dict) else None
        where = _("Contraindication kind “%(code)s”") % {"code": code or index}
        item = reader.object(
            raw, where, {"code", *KIND_VALUES, *KIND_TEXTS}, {"code", "severity", "name"}
        )
        if item is None:
            continue
        data = {"code": reader.name(item["code"], where), "severity": item["severity"]}
        data.update({name: reader.text(item.get(name), f"{where}, {name}") for name in KIND_TEXTS})
        if data["code"] in codes:
            reader.error(where, _("appears twice in the file."))
        codes.add(data["code"])
        kind = ContraindicationKind(clinic=clinic, code=data["code"], severity=data["severity"])
        for name in KIND_TEXTS:
            _settranslations(kind, name, data[name])
        reader.model_errors(kind, where, exclude=["clinic"])
        kinds.append(data)

    templates = []
    slugs = set()
    template_keys = {"slug", *TEMPLATE_TEXTS, *TEMPLATE_VALUES, "steps", "handout_sections"}
    for index, raw in enumerate(reader.items(document["templates"], _("templates")), start=1):
        where = _template_name(raw, index)
        item = reader.object(raw, where, template_keys, {"slug", "name", "steps"})
        if item is None:
            continue
        defaults = {name: getattr(ProtocolTemplate(), name) for name in TEMPLATE_VALUES}
        data = {"slug": reader.name(item["slug"], where)}
        for name in TEMPLATE_TEXTS:
            data[name] = reader.text(item.get(name), f"{where}, {name}")
        for name in TEMPLATE_VALUES:
            data[name] = item.get(name, defaults[name])
        if data["slug"] in slugs:
            reader.error(where, _("appears twice in the file."))
        slugs.add(data["slug"])
        template = ProtocolTemplate(clinic=clinic)
        try:
            _set_template_fields(template, data)
        except (TypeError, ValueError) as exc:  # a ChoiceSetField given something odd
            reader.error(where, str(exc))
            continue
        if reader.model_errors(template, where, exclude=["clinic"]):
            # The cleaned values ("15" → 15), so that importing the file again compares equal.
            data.update(template_data_values(template))

        data["steps"] = []
        steps = reader.items(item["steps"], f"{where}, steps")
        if len(steps) > MAX_ROWS:
            reader.error(where, _("more than %(max)s steps.") % {"max": MAX_ROWS})
            steps = []
        for number, raw_step in enumerate(steps, 1):
            step_where = f"{where}, " + _("step %(number)s") % {"number": number}
            step_item = reader.object(
                raw_step, step_where, {*STEP_VALUES, *STEP_TEXTS}, {"phase", "technique"}
            )
            if step_item is None:
                continue
            step = {name: step_item[name] for name in STEP_VALUES}
            step.update(
                {
                    name: reader.text(step_item.get(name), f"{step_where}, {name}")
                    for name in STEP_TEXTS
                }
            )
            obj = ProtocolStep(order=number, **{n: step[n] for n in STEP_VALUES})
            for name in STEP_TEXTS:
                _settranslations(obj, name, step[name])
            if reader.model_errors(obj, step_where, exclude=["template"]):
                step.update({name: getattr(obj, name) for name in STEP_VALUES})
            data["steps"].append(step)
        if not any(step["phase"] == "main" for step in data["steps"]):
            reader.error(where, str(MAIN_STEP_MESSAGE))

        data["handout_sections"] = []
        sections = reader.items(item.get("handout_sections", []), f"{where}, handout_sections")
        if len(sections) > MAX_ROWS:
            reader.error(where, _("more than %(max)s handout sections.") % {"max": MAX_ROWS})
            sections = []
        for number, raw_section in enumerate(sections, 1):
            section_where = f"{where}, " + _("handout section %(number)s") % {"number": number}
            section_item = reader.object(raw_section, section_where, set(SECTION_TEXTS), {"title"})
            if section_item is None:
                continue
            section = {
                name: reader.text(section_item.get(name), f"{section_where}, {name}")
                for name in SECTION_TEXTS
            }
            obj = HandoutSection(order=number)
            for name in SECTION_TEXTS:
                _settranslations(obj, name, section[name])
            reader.model_errors(obj, section_where, exclude=["template"])
            data["handout_sections"].append(section)
        templates.append(data)

    if reader.errors:
        raise ImportRejected(reader.errors)
    return templates, kinds


def parse_json(raw: bytes | str) -> dict:
    def refuse_constant(name):
        raise ValueError(f"{name} is not a number this file may hold")

    def finite(text):
        number = float(text)
        if math.isinf(number):
            raise ValueError(f"{text} is too large a number")
        return number

    try:
        document = json.loads(raw, parse_constant=refuse_constant, parse_float=finite)
        # "\ud800" escapes a half of a character: no database, page or terminal can hold it.
        json.dumps(document, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        raise ImportRejected(
            [_("The file holds an escaped half of a character (such as \\ud800); fix the text.")]
        ) from None
    except (UnicodeDecodeError, ValueError) as exc:  # JSONDecodeError is a ValueError
        raise ImportRejected(
            [_("The file is not valid JSON (%(error)s).") % {"error": exc}]
        ) from None
    except RecursionError:
        raise ImportRejected(
            [_("The file is nested too deeply to be a protocol library.")]
        ) from None
    return document


def import_document(document, clinic, author=None, note: str = "") -> ImportResult:
    """Import a whole document into ``clinic``: everything or, on any error, nothing.

    Templates are matched by short name and contraindication kinds by code, so importing the same
    file twice changes nothing the second time.
    """

    templates, kinds = read_document(document, clinic)
    result = ImportResult()
    note = note or _("Imported from a file")
    with transaction.atomic():
        for data in kinds:
            kind = ContraindicationKind.objects.filter(clinic=clinic, code=data["code"]).first()
            created = kind is None
            kind = kind or ContraindicationKind(clinic=clinic, code=data["code"])
            if not created and kind_data(kind) == data:
                continue
            kind.severity = data["severity"]
            for name in KIND_TEXTS:
                _settranslations(kind, name, data[name])
            kind.save()
            (result.kinds_created if created else result.kinds_updated).append(data["code"])
        for data in templates:
            template = (
                ProtocolTemplate.objects.select_for_update()
                .filter(clinic=clinic, slug=data["slug"])
                .first()
            )
            if template is not None and template_data(template) == data:
                result.unchanged.append(data["slug"])
                continue
            created = template is None
            template = template or ProtocolTemplate(clinic=clinic)
            apply_template_data(template, data)
            record_version(template, author, note)
            (result.created if created else result.updated).append(data["slug"])
    return result


# --- Differences between versions -------------------------------------------------------------


@dataclass
class Change:
    what: str
    old: str = ""
    new: str = ""
    kind: str = "changed"  # or "added", "removed", "moved"

    def parts(self) -> tuple[list, list]:
        """Both texts as (piece, changed) pairs, word by word, to mark what differs."""
        old_words = re.split(r"(\s+)", self.old)
        new_words = re.split(r"(\s+)", self.new)
        old_parts, new_parts = [], []
        matcher = difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False)
        for op, a1, a2, b1, b2 in matcher.get_opcodes():
            changed = op != "equal"
            if a2 > a1:
                old_parts.append(("".join(old_words[a1:a2]), changed))
            if b2 > b1:
                new_parts.append(("".join(new_words[b1:b2]), changed))
        return old_parts, new_parts

    @property
    def old_parts(self):
        return self.parts()[0]

    @property
    def new_parts(self):
        return self.parts()[1]


def _show(value) -> str:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "—"
    return "" if value is None else str(value)


def _language_suffix(code: str) -> str:
    return "" if code == LANGUAGES[0] else f" ({code})"


def _field_changes(model, old: dict, new: dict, names, texts, prefix: str = "") -> list[Change]:
    changes = []
    for name in names:
        if old.get(name) != new.get(name):
            label = f"{prefix}{capfirst(_label(model, name))}"
            changes.append(Change(label, _show(old.get(name)), _show(new.get(name))))
    for name in texts:
        old_texts, new_texts = old.get(name) or {}, new.get(name) or {}
        for code in LANGUAGES:
            if old_texts.get(code, "") != new_texts.get(code, ""):
                label = f"{prefix}{capfirst(_label(model, name))}{_language_suffix(code)}"
                changes.append(Change(label, old_texts.get(code, ""), new_texts.get(code, "")))
    return changes


def _describe_step(step: dict) -> str:
    phase = dict(ProtocolStep.PHASE_CHOICES).get(step.get("phase"), step.get("phase"))
    technique = dict(ProtocolStep.TECHNIQUE_CHOICES).get(step.get("technique"), "")
    area = (step.get("body_area") or {}).get(LANGUAGES[0], "")
    return f"{phase}: {area} — {technique}"


def _list_changes(model, old: list, new: list, values, texts, what: str, describe) -> list:
    changes, removed, added = [], [], []

    def key(item):
        return json.dumps(item, sort_keys=True)

    matcher = difflib.SequenceMatcher(a=[key(i) for i in old], b=[key(i) for i in new])
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            continue
        if op == "replace" and a2 - a1 == b2 - b1:
            for offset in range(a2 - a1):
                prefix = f"{what} {b1 + offset + 1}: "
                changes += _field_changes(
                    model, old[a1 + offset], new[b1 + offset], values, texts, prefix
                )
            continue
        removed.extend(range(a1, a2))
        added.extend(range(b1, b2))
    for i in list(removed):  # the same item removed in one place and added in another: a move
        j = next((j for j in added if key(new[j]) == key(old[i])), None)
        if j is not None:
            removed.remove(i)
            added.remove(j)
            moved = _("moved from position %(old)s to %(new)s") % {"old": i + 1, "new": j + 1}
            changes.append(Change(f"{what} {j + 1}", describe(old[i]), moved, kind="moved"))
    for i in removed:
        changes.append(Change(f"{what} {i + 1}", describe(old[i]), _("removed"), kind="removed"))
    for j in added:
        changes.append(Change(f"{what} {j + 1}", _("added"), describe(new[j]), kind="added"))
    return changes


def differences(old: dict, new: dict) -> list[Change]:
    """What changed from one version's data to another's, in words an admin reads."""
    changes = _field_changes(ProtocolTemplate, old, new, ["slug", *TEMPLATE_VALUES], TEMPLATE_TEXTS)
    changes += _list_changes(
        ProtocolStep,
        old.get("steps", []),
        new.get("steps", []),
        STEP_VALUES,
        STEP_TEXTS,
        _("Step"),
        _describe_step,
    )
    changes += _list_changes(
        HandoutSection,
        old.get("handout_sections", []),
        new.get("handout_sections", []),
        [],
        SECTION_TEXTS,
        _("Handout section"),
        lambda section: (section.get("title") or {}).get("en", ""),
    )
    return changes
