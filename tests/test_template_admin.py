"""Protocol templates in the admin: editing, validation, versions, preview, copies and files."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from pypdf import PdfReader

from patients.models import ContraindicationKind, PatientContraindication
from protocols import exchange
from protocols.models import (
    BREAK_MESSAGE,
    CADENCE_MESSAGE,
    POSTOP_MESSAGE,
    Course,
    HandoutSection,
    ProtocolStep,
    ProtocolTemplate,
    TemplateVersion,
)
from tests.factories import ClinicFactory, UserFactory
from tests.workspace import classic, knee_patient, running_course

CHANGELIST = "/admin/protocols/protocoltemplate/"


def change_url(template):
    return f"{CHANGELIST}{template.pk}/change/"


def form_data(template, **changes) -> dict:
    """What the admin's change form posts for ``template``, with ``changes`` applied.

    ``changes`` may hold ``steps`` or ``handout_sections`` as lists of dicts to post instead of
    the saved ones (each dict: the inline's fields; ``id`` for an existing row).
    """
    data = {
        "name": template.name,
        "name_ru": template.name_ru,
        "slug": template.slug,
        "description": template.description,
        "description_ru": template.description_ru,
        "conditions": list(template.conditions),
        "stages": [str(s) for s in template.stages],
        "method_style": template.method_style,
        **{
            name: getattr(template, name)
            for name in exchange.TEMPLATE_VALUES
            if name not in ("method_style", "conditions", "stages")
            and not isinstance(getattr(template, name), bool)
        },
        **{
            name: "on"
            for name in ("knee_sparing", "in_warm_water", "active")
            if getattr(template, name)
        },
        "_save": "Save",
    }
    steps = changes.pop("steps", None)
    if steps is None:
        steps = [
            {
                "id": s.pk,
                "order": s.order,
                "phase": s.phase,
                "technique": s.technique,
                "body_area": s.body_area,
                "body_area_ru": s.body_area_ru,
                "instruction": s.instruction,
                "instruction_ru": s.instruction_ru,
                "repetitions": s.repetitions,
                "repetitions_ru": s.repetitions_ru,
            }
            for s in template.steps.order_by("order")
        ]
    sections = changes.pop("handout_sections", None)
    if sections is None:
        sections = [
            {
                "id": s.pk,
                "order": s.order,
                "title": s.title,
                "title_ru": s.title_ru,
                "text": s.text,
                "text_ru": s.text_ru,
            }
            for s in template.handout_sections.order_by("order")
        ]
    for prefix, rows, model in (
        ("steps", steps, ProtocolStep),
        ("handout_sections", sections, HandoutSection),
    ):
        initial = model.objects.filter(template=template).count() if template.pk else 0
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": len(rows),
                f"{prefix}-INITIAL_FORMS": initial,
                f"{prefix}-MIN_NUM_FORMS": 0,
                f"{prefix}-MAX_NUM_FORMS": 1000,
            }
        )
        for i, row in enumerate(rows):
            for key, value in row.items():
                if value is None or value is False:
                    continue
                data[f"{prefix}-{i}-{key}"] = "on" if value is True else value
            if template.pk:
                data[f"{prefix}-{i}-template"] = template.pk
    data.update(changes)
    return data


@pytest.fixture
def admin_client(client, admin_a):
    client.force_login(admin_a)
    return client


@pytest.fixture
def template(clinic_a):
    return classic(clinic_a)


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


# --- Who may do what -------------------------------------------------------------------------


def template_pages(template):
    base = f"{CHANGELIST}{template.pk}"
    return [
        f"{base}/change/",
        f"{base}/history/",
        f"{base}/versions/1/",
        f"{base}/preview/",
        f"{base}/preview/handout.pdf",
    ]


@pytest.mark.django_db
def test_every_template_page_opens_for_the_clinic_admin(admin_client, template):
    for url in [CHANGELIST, f"{CHANGELIST}import/", *template_pages(template)]:
        assert admin_client.get(url).status_code == 200, url


@pytest.mark.django_db
def test_another_clinics_template_is_not_found_on_any_page(admin_client, clinic_b):
    other = classic(clinic_b)
    for url in template_pages(other):
        assert admin_client.get(url).status_code == 404, url
    restore = admin_client.post(f"{CHANGELIST}{other.pk}/versions/1/")
    assert restore.status_code == 404


@pytest.mark.django_db
def test_a_therapist_reads_templates_but_cannot_change_them(client, therapist_a, template):
    client.force_login(therapist_a)
    for url in template_pages(template):
        assert client.get(url).status_code == 200, url

    assert client.post(change_url(template), form_data(template, name="X")).status_code == 403
    assert client.post(f"{CHANGELIST}{template.pk}/versions/1/").status_code == 403
    assert client.get(f"{CHANGELIST}import/").status_code == 403
    duplicate = client.post(CHANGELIST, {"action": "duplicate", "_selected_action": [template.pk]})
    assert ProtocolTemplate.objects.filter(clinic=template.clinic).count() == 5
    assert duplicate.status_code in (200, 302)
    template.refresh_from_db()
    assert template.name != "X"


@pytest.mark.django_db
def test_the_list_filters_by_condition_and_stage_and_counts_courses(admin_client, clinic_a):
    running_course(knee_patient(clinic_a))

    stage_3 = admin_client.get(CHANGELIST, {"condition": "knee_arthrosis", "stage": "3"})
    sciatica = admin_client.get(CHANGELIST, {"condition": "sciatica"}).content.decode()

    names = stage_3.content.decode()
    assert "knee-sparing massage" in names
    assert "stages 1–2: classic" not in names
    assert "Sciatica: lower back and leg massage" in sciatica
    assert "stages 1–2: classic" not in sciatica
    listed = stage_3.context["cl"].result_list
    assert {t.slug: t.course_total for t in listed}["knee-arthrosis-knee-sparing"] == 0
    everything = admin_client.get(CHANGELIST).context["cl"].result_list
    assert {t.slug: t.course_total for t in everything}["knee-arthrosis-classic"] == 1


# --- Validation ------------------------------------------------------------------------------


RULES = [
    (
        {"start_minutes": 20, "target_minutes": 15},
        "The first session cannot be longer than the longest session.",
    ),
    (
        {"start_minutes": 7, "target_minutes": 15, "step_minutes": 0},
        "Sessions must grow by at least 1 minute to reach the longest session.",
    ),
    ({"min_sessions": 20, "max_sessions": 15}, "The fewest sessions cannot be more than the most."),
    (
        {"min_sessions": 15, "default_sessions": 25, "max_sessions": 20},
        "The usual number of sessions must lie between the fewest and the most.",
    ),
    ({"cadence_days": 0}, str(CADENCE_MESSAGE)),
    ({"break_months": 0}, str(BREAK_MESSAGE)),
    ({"postop_days": -1}, str(POSTOP_MESSAGE)),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("changes", "message"), RULES)
def test_each_broken_rule_is_explained_and_nothing_is_saved(
    admin_client, template, changes, message
):
    before = exchange.template_data(template)

    response = admin_client.post(change_url(template), form_data(template, **changes))

    assert response.status_code == 200
    assert message in response.content.decode()
    template.refresh_from_db()
    assert exchange.template_data(template) == before
    assert template.versions.count() == 1


@pytest.mark.django_db
def test_sessions_of_one_length_need_no_step(admin_client, template):
    data = form_data(template, start_minutes=15, target_minutes=15, step_minutes=0)

    response = admin_client.post(change_url(template), data)

    assert response.status_code == 302
    template.refresh_from_db()
    assert (template.start_minutes, template.step_minutes) == (15, 0)


@pytest.mark.django_db
def test_a_template_without_a_main_step_is_refused(admin_client, template):
    steps = [
        {
            "id": s.pk,
            "order": s.order,
            "phase": "introductory",
            "technique": s.technique,
            "body_area": s.body_area,
        }
        for s in template.steps.order_by("order")
    ]

    response = admin_client.post(change_url(template), form_data(template, steps=steps))

    assert str(exchange.MAIN_STEP_MESSAGE) in response.content.decode()
    assert template.steps.filter(phase="main").exists()


@pytest.mark.django_db
def test_a_short_name_is_unique_within_the_clinic_only(admin_client, template, clinic_a):
    taken = ProtocolTemplate.objects.get(clinic=clinic_a, slug="sciatica-leg").slug

    clash = admin_client.post(change_url(template), form_data(template, slug=taken))
    # The same short name in another clinic is no clash: clinic B has its own "sciatica-leg".
    fine = admin_client.post(change_url(template), form_data(template, slug="classic-knee"))

    assert "Another template of this clinic already has the short name" in clash.content.decode()
    assert fine.status_code == 302
    template.refresh_from_db()
    assert template.slug == "classic-knee"


@pytest.mark.django_db
def test_a_new_template_gets_the_clinic_of_the_admin_and_a_first_version(
    admin_client, admin_a, clinic_a
):
    blank = ProtocolTemplate(clinic=clinic_a)
    data = form_data(
        blank,
        name="Gentle back",
        slug="gentle-back",
        conditions=["sciatica"],
        steps=[{"order": 1, "phase": "main", "technique": "stroking", "body_area": "Back"}],
        handout_sections=[],
    )

    response = admin_client.post(f"{CHANGELIST}add/", data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    created = ProtocolTemplate.objects.get(slug="gentle-back")
    assert created.clinic == clinic_a
    assert created.versions.get().author == admin_a


# --- Ordering, versions, restore -------------------------------------------------------------


@pytest.mark.django_db
def test_steps_are_reordered_without_retyping(admin_client, template):
    steps = list(template.steps.order_by("order"))
    rows = form_data(template)
    # What the drag-and-drop does: it only rewrites the hidden order fields.
    count = len(steps)
    for i in range(count):
        rows[f"steps-{i}-order"] = count - i

    admin_client.post(change_url(template), rows)

    reordered = list(template.steps.order_by("order"))
    assert [s.pk for s in reordered] == [s.pk for s in reversed(steps)]
    assert [s.instruction for s in reordered] == [s.instruction for s in reversed(steps)]


@pytest.mark.django_db
def test_every_save_is_a_version_with_author_and_what_changed(admin_client, admin_a, template):
    admin_client.post(change_url(template), form_data(template, max_sessions=18))

    version = template.versions.order_by("-number").first()
    assert (version.number, version.author) == (2, admin_a)
    history = admin_client.get(f"{CHANGELIST}{template.pk}/history/").content.decode()
    assert "Most sessions" in history
    page = admin_client.get(f"{CHANGELIST}{template.pk}/versions/2/").content.decode()
    assert "Most sessions" in page and ">20<" in page and ">18<" in page


@pytest.mark.django_db
def test_saving_unchanged_texts_sent_with_windows_line_ends_is_no_change(admin_client, template):
    data = form_data(template)
    for key, value in list(data.items()):
        if isinstance(value, str) and "\n" in value:
            data[key] = value.replace("\n", "\r\n")

    admin_client.post(change_url(template), data)

    assert template.versions.count() == 1


@pytest.mark.django_db
def test_an_old_version_is_restored_as_a_new_version(admin_client, template):
    original_section = template.handout_sections.order_by("order").first().text
    sections = [
        {"id": s.pk, "order": s.order, "title": s.title, "text": "Rewritten."}
        for s in template.handout_sections.order_by("order")
    ]
    admin_client.post(
        change_url(template),
        form_data(template, target_minutes=20, handout_sections=sections),
    )

    response = admin_client.post(f"{CHANGELIST}{template.pk}/versions/1/")

    assert response.status_code == 302
    template.refresh_from_db()
    assert template.target_minutes == 15
    assert template.handout_sections.order_by("order").first().text == original_section
    latest = template.versions.order_by("-number").first()
    assert latest.number == 3
    assert "Restored version 1" in latest.note
    assert latest.data == template.versions.get(number=1).data


# --- Snapshots: what was planned stays planned -----------------------------------------------


@pytest.mark.django_db
def test_editing_or_deactivating_a_template_changes_no_planned_course(
    admin_client, therapist_a, template, clinic_a
):
    course = running_course(knee_patient(clinic_a), therapist=therapist_a)
    sessions = list(course.sessions.values_list("number", "date", "planned_minutes"))
    client = Client()
    client.force_login(therapist_a)
    handout_before = pdf_text(client.get(f"/courses/{course.pk}/handout.pdf").content)
    sheet_before = pdf_text(client.get(f"/courses/{course.pk}/sheet.pdf").content)
    steps = [
        {
            "id": s.pk,
            "order": s.order,
            "phase": s.phase,
            "technique": s.technique,
            "body_area": "Elbow",
            "instruction": "New instruction",
        }
        for s in template.steps.order_by("order")
    ]
    sections = [
        {"id": s.pk, "order": s.order, "title": "New home care", "text": "New text."}
        for s in template.handout_sections.order_by("order")
    ]
    admin_client.post(
        change_url(template),
        form_data(
            template,
            name="Renamed template",
            start_minutes=10,
            target_minutes=30,
            steps=steps,
            handout_sections=sections,
        ),
    )
    admin_client.post(CHANGELIST, {"action": "deactivate", "_selected_action": [template.pk]})
    template.refresh_from_db()
    assert (template.name, template.active) == ("Renamed template", False)

    course.refresh_from_db()
    assert list(course.sessions.values_list("number", "date", "planned_minutes")) == sessions
    handout_after = pdf_text(client.get(f"/courses/{course.pk}/handout.pdf").content)
    sheet_after = pdf_text(client.get(f"/courses/{course.pk}/sheet.pdf").content)
    assert handout_after == handout_before
    assert sheet_after == sheet_before
    assert "New home care" not in handout_after and "Elbow" not in sheet_after


@pytest.mark.django_db
def test_a_deactivated_template_is_not_offered_for_new_courses(
    admin_client, therapist_a, template, clinic_a
):
    patient = knee_patient(clinic_a)
    admin_client.post(CHANGELIST, {"action": "deactivate", "_selected_action": [template.pk]})
    client = Client()
    client.force_login(therapist_a)

    page = client.get(f"/patients/{patient.pk}/courses/new/").content.decode()

    assert template.name not in page
    assert "knee-sparing massage" in page


@pytest.mark.django_db
def test_a_template_used_by_a_course_cannot_be_deleted(admin_client, template, clinic_a):
    running_course(knee_patient(clinic_a))
    unused = ProtocolTemplate.objects.get(clinic=clinic_a, slug="sciatica-leg")

    refused = admin_client.get(f"{CHANGELIST}{template.pk}/delete/")
    admin_client.post(f"{CHANGELIST}{unused.pk}/delete/", {"post": "yes"})

    assert refused.status_code == 403
    assert ProtocolTemplate.objects.filter(pk=template.pk).exists()
    assert not ProtocolTemplate.objects.filter(pk=unused.pk).exists()
    assert Course.objects.filter(template=template).count() == 1


# --- Preview -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_preview_plans_a_sample_course_without_saving_anything(admin_client, template):
    courses, patients = Course.objects.count(), template.clinic.patients.count()

    response = admin_client.get(
        f"{CHANGELIST}{template.pk}/preview/",
        {
            "condition": "knee_arthrosis",
            "stage": "1",
            "start": "2027-03-01",
            "sessions": "15",
            "cadence_days": "1",
            "language": "en",
        },
    )

    page = response.content.decode()
    assert "15 sessions" in page
    assert "1 March 2027" in page and "Monday" in page
    plan = response.context["plan"]
    assert [s.minutes for s in plan.sessions][:3] == [7, 8, 9]
    assert (Course.objects.count(), template.clinic.patients.count()) == (courses, patients)


@pytest.mark.django_db
def test_the_preview_says_why_the_planner_refuses(admin_client, template):
    response = admin_client.get(
        f"{CHANGELIST}{template.pk}/preview/",
        {
            "condition": "knee_arthrosis",
            "stage": "1",
            "start": "2027-03-01",
            "sessions": "30",
            "language": "en",
        },
    )

    assert response.context["refusal"]["reasons"][0][0] == "R2"
    assert "R2" in response.content.decode()
    pdf = admin_client.get(
        f"{CHANGELIST}{template.pk}/preview/handout.pdf",
        {"condition": "knee_arthrosis", "stage": "1", "start": "2027-03-01", "sessions": "30"},
    )
    assert pdf.status_code == 400


@pytest.mark.django_db
def test_the_preview_handout_is_the_pdf_a_patient_would_get(admin_client, template):
    response = admin_client.get(
        f"{CHANGELIST}{template.pk}/preview/handout.pdf",
        {"condition": "knee_arthrosis", "stage": "1", "start": "2027-03-01", "language": "ru"},
    )

    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert template.name_ru in text
    assert "Пн, 1 марта, время уточняется 7" in text  # the first session (a sample has no time)
    first_section = template.handout_sections.order_by("order").first()
    assert first_section.title_ru in text
    assert first_section.title not in text


# --- Duplicate, export, import ---------------------------------------------------------------


@pytest.mark.django_db
def test_duplicate_makes_an_inactive_copy_with_every_step(admin_client, admin_a, template):
    admin_client.post(CHANGELIST, {"action": "duplicate", "_selected_action": [template.pk]})

    copy = ProtocolTemplate.objects.get(clinic=template.clinic, slug=f"{template.slug}-copy")
    assert copy.name == f"{template.name} (copy)"
    assert copy.active is False
    original, duplicate = exchange.template_data(template), exchange.template_data(copy)
    for key in ("steps", "handout_sections", "start_minutes", "conditions", "description"):
        assert duplicate[key] == original[key]
    assert copy.versions.get().author == admin_a
    admin_client.post(CHANGELIST, {"action": "duplicate", "_selected_action": [template.pk]})
    assert ProtocolTemplate.objects.filter(slug=f"{template.slug}-copy-2").exists()


@pytest.mark.django_db
def test_export_then_import_into_another_clinic_preserves_every_field(admin_client, clinic_a):
    ids = list(ProtocolTemplate.objects.filter(clinic=clinic_a).values_list("pk", flat=True))
    response = admin_client.post(CHANGELIST, {"action": "export", "_selected_action": ids})
    assert response["Content-Disposition"].startswith("attachment;")
    document = json.loads(response.content)
    empty = ClinicFactory(name="New clinic", library=False)

    result = exchange.import_document(document, empty)

    assert len(result.created) == 5
    mine = exchange.export_clinic(clinic_a)
    theirs = exchange.export_clinic(empty)
    assert theirs["templates"] == mine["templates"]
    assert theirs["contraindication_kinds"] == mine["contraindication_kinds"]


@pytest.mark.django_db
def test_importing_the_same_file_twice_creates_no_duplicates(clinic_a, clinic_b, tmp_path):
    path = tmp_path / "library.json"
    call_command("export_protocols", "--clinic", clinic_a.pk, "--output", str(path))
    target = ClinicFactory(library=False)
    out = io.StringIO()

    call_command("import_protocols", str(path), "--clinic", target.pk, stdout=out)
    versions = TemplateVersion.objects.filter(template__clinic=target).count()
    call_command("import_protocols", str(path), "--clinic", target.pk, stdout=out)

    assert target.protocol_templates.count() == 5
    assert target.contraindication_kinds.count() == clinic_a.contraindication_kinds.count()
    assert TemplateVersion.objects.filter(template__clinic=target).count() == versions
    assert "0 new, 0 updated, 5 unchanged" in out.getvalue()


def _row_counts():
    return (
        ProtocolTemplate.objects.count(),
        ProtocolStep.objects.count(),
        HandoutSection.objects.count(),
        ContraindicationKind.objects.count(),
        TemplateVersion.objects.count(),
    )


@pytest.mark.django_db
def test_a_malformed_file_changes_nothing_and_names_template_and_field(clinic_a, tmp_path):
    document = exchange.export_clinic(clinic_a)
    document["templates"][0]["name"] = {"en": "Renamed, but the file is bad"}
    document["templates"][1]["min_sessions"] = "many"
    document["templates"][2]["steps"][0]["technique"] = "pummelling"
    document["templates"].append({"slug": "new-one", "name": "New", "steps": []})
    document["contraindication_kinds"][0]["severity"] = "sometimes"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    before = _row_counts()
    data_before = exchange.export_clinic(clinic_a)["templates"]
    err = io.StringIO()

    with pytest.raises(CommandError) as raised:
        call_command("import_protocols", str(path), "--clinic", clinic_a.pk, stderr=err)

    assert raised.value.returncode == 2
    errors = err.getvalue()
    second, third = document["templates"][1]["slug"], document["templates"][2]["slug"]
    assert f"Template “{second}”, field “min_sessions”" in errors
    assert f"Template “{third}”, step 1, field “technique”" in errors
    assert "Template “new-one”" in errors and "main part" in errors
    assert "field “severity”" in errors
    assert _row_counts() == before
    assert exchange.export_clinic(clinic_a)["templates"] == data_before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "The file is not valid JSON"),
        (b'{"format": "something-else", "version": 1, "templates": []}', "not a protocol"),
        (b'{"format": "massage-clinic-protocols", "version": 7, "templates": []}', "version 7"),
        (b"[1, 2, 3]", "expected an object"),
    ],
)
def test_the_import_page_explains_a_bad_file(admin_client, content, message):
    before = _row_counts()
    upload = io.BytesIO(content)
    upload.name = "library.json"

    response = admin_client.post(f"{CHANGELIST}import/", {"file": upload})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert _row_counts() == before


@pytest.mark.django_db
def test_the_import_page_imports_a_good_file(admin_client, clinic_a, admin_a):
    document = exchange.export_clinic(
        clinic_a, clinic_a.protocol_templates.filter(slug="sciatica-leg")
    )
    document["templates"][0]["max_sessions"] = 18
    upload = io.BytesIO(json.dumps(document).encode())
    upload.name = "sciatica.json"

    response = admin_client.post(f"{CHANGELIST}import/", {"file": upload}, follow=True)

    assert "0 new, 1 updated, 0 unchanged" in response.content.decode()
    template = clinic_a.protocol_templates.get(slug="sciatica-leg")
    assert template.max_sessions == 18
    latest = template.versions.order_by("-number").first()
    assert (latest.author, latest.note) == (admin_a, "Imported from sciatica.json")


# --- Russian texts and contraindication kinds ------------------------------------------------


@pytest.mark.django_db
def test_a_new_clinic_gets_the_library_in_both_languages(clinic_a):
    template = classic(clinic_a)
    assert template.name_ru.startswith("Гонартроз")
    assert all(s.body_area_ru and s.instruction_ru for s in template.steps.all())
    assert all(s.title_ru and s.text_ru for s in template.handout_sections.all())
    assert all(k.name_ru and k.patient_text_ru for k in clinic_a.contraindication_kinds.all())
    assert template.versions.get().note == "Copied from the default library"


@pytest.mark.django_db
def test_a_russian_patients_handout_is_entirely_russian(client, therapist_a, clinic_a):
    patient = knee_patient(clinic_a, language="ru", first_name="Мария", last_name="Иванова")
    thinners = clinic_a.contraindication_kinds.get(code="anticoagulants")
    PatientContraindication.objects.create(patient=patient, kind=thinners, start="2020-01-01")
    course = running_course(patient, therapist=therapist_a)
    client.force_login(therapist_a)

    text = pdf_text(client.get(f"/courses/{course.pk}/handout.pdf").content)

    template = classic(clinic_a)
    assert template.name_ru in text
    for section in template.handout_sections.all():
        assert section.title_ru in text
        assert section.title not in text
    # "Please note" in the patient's words, the kind's Russian text for the patient.
    assert " ".join(thinners.patient_text_ru.split("\n\n")[0].split()) in text
    assert thinners.patient_text.split("\n\n")[0] not in text
    # Only the names typed into records (clinic, address, therapist) may be in Latin letters.
    names = f"{clinic_a.name} {clinic_a.address} {therapist_a.get_full_name()}".split()
    latin_words = [
        w for w in text.split() if w.isascii() and w.isalpha() and len(w) > 3 and w not in names
    ]
    assert latin_words == [], latin_words


@pytest.mark.django_db
def test_contraindication_kinds_are_edited_in_both_languages(admin_client, clinic_a):
    kind = clinic_a.contraindication_kinds.get(code="fever")
    url = f"/admin/patients/contraindicationkind/{kind.pk}/change/"
    data = {
        "code": "fever",
        "severity": "blocks",
        "name": "Fever",
        "name_ru": "Жар",
        "patient_text": "Stay at home.",
        "patient_text_ru": "Оставайтесь дома.",
    }

    clash = admin_client.post(url, {**data, "code": "bleeding"})
    saved = admin_client.post(url, data)

    assert "already has the code “bleeding”" in clash.content.decode()
    assert saved.status_code == 302
    kind.refresh_from_db()
    assert (kind.name_ru, kind.patient_text_ru) == ("Жар", "Оставайтесь дома.")


@pytest.mark.django_db
def test_a_contraindication_kind_recorded_for_a_patient_cannot_be_deleted(
    admin_client, clinic_a, patient_a
):
    kind = clinic_a.contraindication_kinds.get(code="fever")
    PatientContraindication.objects.create(patient=patient_a, kind=kind, start="2026-01-01")

    response = admin_client.get(f"/admin/patients/contraindicationkind/{kind.pk}/delete/")

    assert response.status_code == 403


@pytest.mark.django_db
def test_another_clinics_admin_cannot_import_into_this_clinic(client, clinic_b, clinic_a):
    admin_b = UserFactory(clinic=clinic_b, role="Clinic admin")
    client.force_login(admin_b)
    document = exchange.export_clinic(clinic_a)
    document["templates"] = document["templates"][:1]
    document["templates"][0]["name"] = {"en": "Imported by B"}
    upload = io.BytesIO(json.dumps(document).encode())
    upload.name = "x.json"

    client.post(f"{CHANGELIST}import/", {"file": upload, "clinic": clinic_a.pk})

    assert not clinic_a.protocol_templates.filter(name="Imported by B").exists()
    assert clinic_b.protocol_templates.filter(name="Imported by B").exists()


def _template_document(clinic, **changes):
    document = exchange.export_clinic(clinic, clinic.protocol_templates.filter(slug="sciatica-leg"))
    document["templates"][0].update(changes)
    return document


@pytest.mark.django_db
@pytest.mark.parametrize(
    "changes",
    [
        {"slug": ["a"]},
        {"stages": 3},
        {"conditions": 5},
        {"start_minutes": 10**6},
        {"name": {"en": "a\x00b"}},
        {"steps": "all of them"},
        {"steps": [{"phase": "main", "technique": "stroking", "body_area": 7}]},
    ],
    ids=repr,
)
def test_odd_values_in_a_file_are_reported_not_crashed_on(clinic_a, changes):
    before = _row_counts()

    with pytest.raises(exchange.ImportRejected) as rejected:
        exchange.import_document(_template_document(clinic_a, **changes), clinic_a)

    assert rejected.value.errors
    assert all("sciatica-leg" in e or "Template no. 1" in e for e in rejected.value.errors)
    assert _row_counts() == before


@pytest.mark.parametrize(
    "raw", [b'{"format": "massage-clinic-protocols", "version": 1, "x": 1e999}', b"[" * 100_000]
)
def test_infinite_numbers_and_endless_nesting_are_refused(raw):
    with pytest.raises(exchange.ImportRejected):
        exchange.parse_json(raw)


@pytest.mark.django_db
def test_a_long_short_name_can_be_duplicated_again_and_again(admin_client, template):
    template.slug = "x" * 78
    template.save()
    for _ in range(3):
        admin_client.post(CHANGELIST, {"action": "duplicate", "_selected_action": [template.pk]})

    slugs = set(template.clinic.protocol_templates.values_list("slug", flat=True))
    assert {"x" * 75 + "-copy", "x" * 73 + "-copy-2", "x" * 73 + "-copy-3"} <= slugs


@pytest.mark.django_db
def test_odd_query_strings_on_the_version_and_preview_pages_are_handled(admin_client, template):
    base = f"{CHANGELIST}{template.pk}"
    assert admin_client.get(f"{base}/versions/1/", {"against": "²"}).status_code == 200
    far = admin_client.get(f"{base}/preview/", {"start": "9999-12-20"})
    assert far.status_code == 200
    assert "five years after today" in far.content.decode()
    pdf = admin_client.get(f"{base}/preview/handout.pdf", {"start": "0001-01-01"})
    assert pdf.status_code == 400


@pytest.mark.django_db
def test_signed_out_visitors_are_sent_to_sign_in_from_every_new_page(client, template):
    for url in [f"{CHANGELIST}import/", *template_pages(template)]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/login/?next=" in response["Location"], url


@pytest.mark.django_db
def test_a_new_contraindication_kind_belongs_to_the_admins_clinic(admin_client, clinic_a):
    url = "/admin/patients/contraindicationkind/add/"
    assert admin_client.get(url).status_code == 200

    response = admin_client.post(
        url,
        {"code": "pregnancy", "severity": "warns", "name": "Pregnancy", "name_ru": "Беременность"},
    )

    assert response.status_code == 302
    kind = ContraindicationKind.objects.get(code="pregnancy")
    assert (kind.clinic, kind.name_ru) == (clinic_a, "Беременность")


@pytest.mark.django_db
def test_the_list_costs_the_same_queries_however_many_courses_use_the_templates(
    admin_client, clinic_a, count_queries
):
    running_course(knee_patient(clinic_a))
    one = count_queries(admin_client, CHANGELIST)
    for _ in range(5):
        running_course(knee_patient(clinic_a))

    # session, user with clinic, permissions, the count with and without filters, the page
    # of templates with their course counts
    assert count_queries(admin_client, CHANGELIST) == one == 6


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("shape", "message"),
    [
        ({"templates": 30_000, "steps": 1}, "30000 templates; a file may hold at most 300."),
        ({"templates": 100, "steps": 60}, "6000 steps in all; a file may hold at most 5000."),
        (
            {"templates": 100, "steps": 1, "sections": 60},
            "6000 handout sections in all; a file may hold at most 5000.",
        ),
    ],
)
def test_a_file_larger_than_any_library_is_refused_at_once_with_a_message(
    admin_client, shape, message
):
    import time

    step = {"part": "main", "name": "x", "minutes": 1}
    section = {"title": "x", "body": "x"}
    template = {
        "slug": "t",
        "name": "t",
        "steps": [step] * shape["steps"],
        "handout_sections": [section] * shape.get("sections", 0),
    }
    document = {
        "format": exchange.FORMAT,
        "version": exchange.FORMAT_VERSION,
        "templates": [dict(template, slug=f"t{n}") for n in range(shape["templates"])],
    }
    upload = io.BytesIO(json.dumps(document).encode())
    upload.name = "huge.json"
    before = _row_counts()

    started = time.monotonic()
    response = admin_client.post(f"{CHANGELIST}import/", {"file": upload})

    assert time.monotonic() - started < 5
    assert response.status_code == 200
    assert message in response.content.decode()
    assert _row_counts() == before
