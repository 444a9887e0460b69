"""A protocol template as data: ``TemplateSnapshot``, the one form of it (format 2).

One form serves every purpose. A course stores it when it is planned
(``Course.template_snapshot``), so that its handouts and sheets never change when the template
is edited later; a template's versions store it (``TemplateVersion.data``) and are compared and
restored from it; the admin's preview renders a handout from it; a library file
(``docs/protocol-format.md``) holds a list of them. This module is the only one that builds it
from a template or reads its stored form; everything else reads a ``TemplateSnapshot``.

The stored form is JSON::

    {"format": 2,
     "slug": "knee-arthrosis-classic",
     "name": {"en": "...", "ru": "..."}, "description": {"en": "...", "ru": "..."},
     "method_style": "classic", "conditions": ["knee_arthrosis"], "stages": [1, 2],
     "start_minutes": 7, "step_minutes": 1, "target_minutes": 15,
     "min_sessions": 15, "max_sessions": 20, "default_sessions": 15,
     "cadence_days": 1, "break_months": 1, "postop_days": 21,
     "knee_sparing": false, "in_warm_water": false, "active": true, "buffer_minutes": 10,
     "steps": [{"phase": "main", "technique": "kneading", "body_area": {...},
                "instruction": {...}, "repetitions": {...}}, ...],
     "handout_sections": [{"title": {...}, "text": {...}}, ...]}

Every text is ``{"en": ..., "ru": ...}`` (see ``core.texts``). In a library file the templates
are the same objects without ``"format"``: the file's own ``"version"`` stands for it. A form
that changes gets the next format number and a data migration that converts the stored ones.
"""

from dataclasses import dataclass

import planner
from core.texts import LANGUAGES, field_name, language_code

FORMAT = 2  # 2: the booking buffer (migration 0015)

TEMPLATE_TEXTS = ["name", "description"]
# The values the planner reads (``planner.TemplateRules``), besides the slug and the name.
RULE_VALUES = [
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
]
TEMPLATE_VALUES = [
    "method_style",
    "conditions",
    "stages",
    *RULE_VALUES,
    "in_warm_water",
    "active",
    "buffer_minutes",
]
STEP_VALUES = ["phase", "technique"]
STEP_TEXTS = ["body_area", "instruction", "repetitions"]
SECTION_TEXTS = ["title", "text"]

Texts = dict[str, str]  # language code → text; every language present, missing ones empty


def in_language(texts: Texts, language: str | None = None) -> str:
    """The text in ``language`` (default: the active one), else in another language."""
    wanted = language_code(language)
    return texts.get(wanted) or next((texts[code] for code in LANGUAGES if texts.get(code)), "")


def text_path(name: str, language: str) -> str:
    """The JSON key path of one language of a text, for a query: ``name__ru``."""
    return f"{name}__{language}"


def _texts(value) -> Texts:
    value = value or {}
    return {code: value.get(code) or "" for code in LANGUAGES}


def _row_texts(row, name: str) -> Texts:
    return {code: getattr(row, field_name(name, code), "") or "" for code in LANGUAGES}


@dataclass(frozen=True)
class SnapshotStep:
    phase: str
    technique: str
    body_area: Texts
    instruction: Texts
    repetitions: Texts


@dataclass(frozen=True)
class SnapshotSection:
    title: Texts
    text: Texts


@dataclass(frozen=True)
class TemplateSnapshot:
    slug: str
    name: Texts
    description: Texts
    method_style: str
    conditions: tuple[str, ...]
    stages: tuple[int, ...]
    start_minutes: int
    step_minutes: int
    target_minutes: int
    min_sessions: int
    max_sessions: int
    default_sessions: int
    cadence_days: int
    break_months: int
    postop_days: int
    knee_sparing: bool
    in_warm_water: bool
    active: bool
    buffer_minutes: int
    steps: tuple[SnapshotStep, ...]
    handout_sections: tuple[SnapshotSection, ...]

    @classmethod
    def of_template(cls, template) -> "TemplateSnapshot":
        """The template (a saved ``ProtocolTemplate``) with its steps and sections, as it is.

        Steps and sections in their order (the models' ``Meta.ordering``), prefetched or not.
        """
        return cls(
            slug=template.slug,
            **{name: _row_texts(template, name) for name in TEMPLATE_TEXTS},
            **{name: getattr(template, name) for name in TEMPLATE_VALUES},
            steps=tuple(
                SnapshotStep(
                    **{name: getattr(step, name) for name in STEP_VALUES},
                    **{name: _row_texts(step, name) for name in STEP_TEXTS},
                )
                for step in template.steps.all()
            ),
            handout_sections=tuple(
                SnapshotSection(**{name: _row_texts(s, name) for name in SECTION_TEXTS})
                for s in template.handout_sections.all()
            ),
        )

    def __post_init__(self):
        # Lists from JSON or a model field become tuples, so that two snapshots compare equal.
        object.__setattr__(self, "conditions", tuple(self.conditions))
        object.__setattr__(self, "stages", tuple(self.stages))
        object.__setattr__(self, "steps", tuple(self.steps))
        object.__setattr__(self, "handout_sections", tuple(self.handout_sections))

    @classmethod
    def from_data(cls, data: dict) -> "TemplateSnapshot":
        """Read the stored form; ``ValueError`` for another format."""
        found = data.get("format") if isinstance(data, dict) else None
        if found != FORMAT:
            raise ValueError(
                f"A template snapshot of format {found!r}; this version of the app reads format "
                f"{FORMAT} (run manage.py migrate)."
            )
        return cls.from_file_data(data)

    @classmethod
    def from_file_data(cls, data: dict) -> "TemplateSnapshot":
        """Read one template of a library file (checked by ``exchange.read_document``)."""
        return cls(
            slug=data["slug"],
            **{name: _texts(data.get(name)) for name in TEMPLATE_TEXTS},
            **{name: data[name] for name in TEMPLATE_VALUES},
            steps=tuple(
                SnapshotStep(
                    **{name: step[name] for name in STEP_VALUES},
                    **{name: _texts(step.get(name)) for name in STEP_TEXTS},
                )
                for step in data["steps"]
            ),
            handout_sections=tuple(
                SnapshotSection(**{name: _texts(s.get(name)) for name in SECTION_TEXTS})
                for s in data.get("handout_sections", [])
            ),
        )

    def file_data(self) -> dict:
        """The JSON of one template in a library file: the stored form without its format."""
        return {
            "slug": self.slug,
            **{name: dict(getattr(self, name)) for name in TEMPLATE_TEXTS},
            **{
                name: list(value) if isinstance(value, tuple) else value
                for name in TEMPLATE_VALUES
                for value in [getattr(self, name)]
            },
            "steps": [
                {
                    **{name: getattr(step, name) for name in STEP_VALUES},
                    **{name: dict(getattr(step, name)) for name in STEP_TEXTS},
                }
                for step in self.steps
            ],
            "handout_sections": [
                {name: dict(getattr(s, name)) for name in SECTION_TEXTS}
                for s in self.handout_sections
            ],
        }

    def as_data(self) -> dict:
        """The stored form (a course's snapshot, a version's data): JSON-ready."""
        return {"format": FORMAT, **self.file_data()}

    def text(self, name: str, language: str | None = None) -> str:
        """The template's ``name`` or ``description`` in ``language`` (default: the active one)."""
        return in_language(getattr(self, name), language)

    def rules(self) -> planner.TemplateRules:
        """What the planner needs of the template."""
        return planner.TemplateRules(
            slug=self.slug,
            name=self.name[LANGUAGES[0]],
            conditions=frozenset(self.conditions),
            stages=frozenset(self.stages),
            **{name: getattr(self, name) for name in RULE_VALUES},
        )


def template_snapshot(template) -> dict:
    """The stored form of ``template`` as it is now (what a course keeps when it is planned)."""
    return TemplateSnapshot.of_template(template).as_data()
