"""The one data form of a template (``protocols.snapshot``): courses, versions and files."""

import pytest
from django.utils import translation

from protocols import exchange
from protocols.models import Course, snapshot_names
from protocols.planning import rules_from_snapshot, rules_from_template
from protocols.snapshot import FORMAT, TemplateSnapshot, in_language, template_snapshot
from tests.workspace import classic, knee_patient, running_course

pytestmark = pytest.mark.django_db


def test_a_course_a_version_and_a_file_hold_the_same_form_of_the_template(clinic_a, therapist_a):
    template = classic(clinic_a)
    course = running_course(knee_patient(clinic_a), therapist_a)
    exchange.record_version(template)  # nothing changed since the library copy: no new version
    version = template.versions.order_by("-number").first()
    in_file = exchange.export_clinic(clinic_a, clinic_a.protocol_templates.filter(pk=template.pk))

    assert course.template_snapshot == version.data == template_snapshot(template)
    assert course.template_snapshot["format"] == FORMAT
    # A file's template is the same without its format: the file's version stands for it.
    assert in_file["templates"] == [
        {key: value for key, value in version.data.items() if key != "format"}
    ]


def test_the_stored_form_reads_back_as_it_was_written(clinic_a):
    snapshot = TemplateSnapshot.of_template(classic(clinic_a))

    assert TemplateSnapshot.from_data(snapshot.as_data()) == snapshot
    assert TemplateSnapshot.from_file_data(snapshot.file_data()) == snapshot
    assert snapshot.steps[0].body_area == {"en": "Lower back", "ru": "Поясница"}


@pytest.mark.parametrize(
    "data",
    [
        {"name": "Knee arthrosis", "name_ru": "Гонартроз", "steps": []},  # the flat form of old
        {"format": 1, "name": {"en": "Before the booking buffer"}, "steps": []},
        {"format": 3, "name": {"en": "From a newer app"}},
        {"format": "1"},
    ],
)
def test_another_form_is_refused_not_misread(data):
    with pytest.raises(ValueError, match=r"this version of the app reads format 2"):
        TemplateSnapshot.from_data(data)


def test_the_planner_gets_the_same_rules_from_a_course_as_from_its_template(clinic_a):
    template = classic(clinic_a)
    template.stages = [1, 2]
    template.save()

    assert rules_from_snapshot(template_snapshot(template)) == rules_from_template(template)


def test_a_text_falls_back_to_the_other_language():
    assert in_language({"en": "Knee", "ru": "Колено"}, "ru") == "Колено"
    assert in_language({"en": "Knee", "ru": ""}, "ru") == "Knee"
    assert in_language({"en": "", "ru": "Колено"}, "en") == "Колено"
    with translation.override("ru"):
        assert in_language({"en": "Knee", "ru": "Колено"}) == "Колено"


def test_lists_read_a_courses_name_in_each_language_without_its_snapshot(clinic_a, therapist_a):
    course = running_course(knee_patient(clinic_a), therapist_a)

    row = Course.objects.defer("template_snapshot").annotate(**snapshot_names()).get(pk=course.pk)
    row.keep_names(row)

    with translation.override("ru"):
        assert row.name == course.name == "Гонартроз 1–2 степени: классический массаж"
    with translation.override("en"):
        assert row.name == course.name == "Knee arthrosis, stages 1–2: classic massage"
