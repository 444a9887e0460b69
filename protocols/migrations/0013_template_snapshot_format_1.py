"""One data form of a template: course snapshots and template versions become format 1.

Until now a course stored its template flat (``"name"`` English, ``"name_ru"`` Russian, the same
for every text of a step and a handout section, plus the template's ``"id"``), while a version
stored it nested (``"name": {"en": ..., "ru": ...}``), as a library file does. Both become the
form of ``protocols.snapshot.TemplateSnapshot``: the nested one with ``"format": 1``. A course's
snapshot gains ``"active": true`` (a course is only planned from an active template); its
``"id"`` is dropped (the course's template says which template it is).

Backwards gives the old forms again. The conversion is frozen here: it must not follow later
changes to ``protocols.snapshot``.
"""

from django.db import migrations

FORMAT = 1
LANGUAGES = ("en", "ru")
TEMPLATE_TEXTS = ["name", "description"]
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
STEP_TEXTS = ["body_area", "instruction", "repetitions"]
SECTION_TEXTS = ["title", "text"]
# The keys of the old flat course snapshot, in its order (``planning.template_snapshot``, 0012).
FLAT_RULES = [
    "slug",
    "name",
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


def _column(name, language):
    return name if language == "en" else f"{name}_{language}"


def _nested(flat: dict, names) -> dict:
    return {name: {code: flat.get(_column(name, code)) or "" for code in LANGUAGES} for name in names}


def _flat(nested: dict, names) -> dict:
    return {
        _column(name, code): (nested.get(name) or {}).get(code, "")
        for name in names
        for code in LANGUAGES
    }


def course_snapshot_forwards(flat: dict, template=None) -> dict:
    """A flat course snapshot in format 1; ``template`` (its row) fills a value it lacks."""
    if flat.get("format") == FORMAT:
        return flat

    def value(name):
        if name in flat:
            return flat[name]
        if name == "active":
            return True
        return getattr(template, name)

    return {
        "format": FORMAT,
        "slug": value("slug"),
        **_nested(flat, TEMPLATE_TEXTS),
        **{
            name: list(found) if name in ("conditions", "stages") else found
            for name in TEMPLATE_VALUES
            for found in [value(name)]
        },
        "steps": [
            {**{name: step.get(name) for name in STEP_VALUES}, **_nested(step, STEP_TEXTS)}
            for step in flat.get("steps", [])
        ],
        "handout_sections": [
            _nested(section, SECTION_TEXTS) for section in flat.get("handout_sections", [])
        ],
    }


def course_snapshot_backwards(data: dict, template_id) -> dict:
    """A format-1 snapshot in the flat form a course stored before this migration."""
    if data.get("format") != FORMAT:
        return data
    texts = _flat(data, TEMPLATE_TEXTS)
    return {
        "id": template_id,
        **{name: texts[name] if name == "name" else data[name] for name in FLAT_RULES},
        "name_ru": texts["name_ru"],
        "description": texts["description"],
        "description_ru": texts["description_ru"],
        "method_style": data["method_style"],
        "conditions": data["conditions"],
        "stages": data["stages"],
        "in_warm_water": data["in_warm_water"],
        "steps": [
            {**{name: step[name] for name in STEP_VALUES}, **_flat(step, STEP_TEXTS)}
            for step in data["steps"]
        ],
        "handout_sections": [_flat(section, SECTION_TEXTS) for section in data["handout_sections"]],
    }


def version_forwards(data: dict) -> dict:
    return data if data.get("format") == FORMAT else {"format": FORMAT, **data}


def version_backwards(data: dict) -> dict:
    return {key: value for key, value in data.items() if key != "format"}


def forwards(apps, schema_editor):
    alias = schema_editor.connection.alias
    course_model = apps.get_model("protocols", "Course")
    version_model = apps.get_model("protocols", "TemplateVersion")
    courses = course_model.objects.using(alias).select_related("template").order_by("pk")
    for course in courses.iterator(chunk_size=500):
        converted = course_snapshot_forwards(course.template_snapshot, course.template)
        if converted is not course.template_snapshot:
            course.template_snapshot = converted
            course.save(update_fields=["template_snapshot"])
    for version in version_model.objects.using(alias).order_by("pk").iterator(chunk_size=500):
        converted = version_forwards(version.data)
        if converted is not version.data:
            version.data = converted
            version.save(update_fields=["data"])


def backwards(apps, schema_editor):
    alias = schema_editor.connection.alias
    course_model = apps.get_model("protocols", "Course")
    version_model = apps.get_model("protocols", "TemplateVersion")
    for course in course_model.objects.using(alias).order_by("pk").iterator(chunk_size=500):
        course.template_snapshot = course_snapshot_backwards(
            course.template_snapshot, course.template_id
        )
        course.save(update_fields=["template_snapshot"])
    for version in version_model.objects.using(alias).order_by("pk").iterator(chunk_size=500):
        version.data = version_backwards(version.data)
        version.save(update_fields=["data"])


class Migration(migrations.Migration):
    dependencies = [
        ("protocols", "0012_course_starts_on"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
