"""Property-based: generated input to the admin's forms and to the protocol file import.

The template change form, its preview, the import page, the contraindication kinds, and the
import itself (``parse_json``/``import_document`` and ``manage.py import_protocols``): never a
server error or a crash, a rejected input says why, and it writes nothing at all.
"""

import copy
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from protocols import exchange
from tests.test_fuzz_forms import (
    any_text,
    check,
    example,
    field,
    form,
    fuzz,
    odd_date,
    odd_number,
    rows,
)
from tests.test_template_admin import form_data
from tests.workspace import classic

CHANGELIST = "/admin/protocols/protocoltemplate/"


@pytest.fixture
def admin(admin_a):
    client = Client(raise_request_exception=False)
    client.force_login(admin_a)
    return client


@pytest.fixture
def template(clinic_a):
    return classic(clinic_a)


# --- The template change form and its preview ---------------------------------------------------

TEMPLATE_NUMBERS = [
    "start_minutes",
    "step_minutes",
    "target_minutes",
    "min_sessions",
    "max_sessions",
    "default_sessions",
    "cadence_days",
    "break_months",
    "postop_days",
]

template_changes = form(
    name=field("Knee, gentle"),
    name_ru=field(""),
    slug=field("knee-gentle", "knee-arthrosis-classic"),
    description=any_text,
    conditions=st.one_of(
        st.sampled_from([["knee_arthrosis"], ["sciatica", "endoprosthetics"], []]),
        st.lists(any_text, max_size=3),
    ),
    stages=st.one_of(
        st.sampled_from([["1"], ["1", "2", "3"], []]), st.lists(odd_number, max_size=3)
    ),
    method_style=field("classic", "swedish"),
    **{name: field("1", "10", "") for name in TEMPLATE_NUMBERS},
    **{"steps-0-phase": field("main", "introductory")},
    **{"steps-0-technique": field("stroking", "kneading")},
    **{"steps-0-body_area": field("Thigh")},
    **{"steps-0-instruction": any_text},
    **{"steps-0-DELETE": field("on")},
    **{"steps-TOTAL_FORMS": field("1", "0", "1001")},
    **{"steps-INITIAL_FORMS": odd_number},
    **{"handout_sections-0-title": field("At home")},
    **{"handout_sections-0-text": any_text},
    **{"handout_sections-0-order": odd_number},
)


@pytest.mark.django_db
@fuzz
@given(changes=template_changes)
def test_the_template_change_form_survives_anything(admin, template, changes):
    with example():
        data = form_data(template, **changes)
        before = rows()
        response = admin.post(f"{CHANGELIST}{template.pk}/change/", data)
        check(response, before)


@pytest.mark.django_db
@fuzz
@given(
    query=form(
        condition=field("knee_arthrosis", "sciatica"),
        stage=field("1", "2", "3", ""),
        start=odd_date,
        sessions=field("", "10"),
        cadence_days=field("", "2", "14"),
        language=field("en", "ru"),
    )
)
def test_the_template_preview_survives_anything(admin, template, query):
    page = admin.get(f"{CHANGELIST}{template.pk}/preview/", query)
    assert page.status_code == 200
    handout = admin.get(f"{CHANGELIST}{template.pk}/preview/handout.pdf", query)
    assert handout.status_code in (200, 400)
    if handout.status_code == 400:
        assert handout.content.strip()
    else:
        assert handout["Content-Type"] == "application/pdf"


@pytest.mark.django_db
@fuzz
@given(
    data=form(
        code=field("bruise", "fever"),
        severity=field("blocks", "warns"),
        name=field("Fresh bruise"),
        name_ru=any_text,
        patient_text=any_text,
        patient_text_ru=any_text,
    )
)
def test_the_contraindication_kind_form_survives_anything(admin, data):
    with example():
        before = rows()
        response = admin.post("/admin/patients/contraindicationkind/add/", data)
        check(response, before)


# --- Protocol files ---------------------------------------------------------------------------

half_characters = st.text(
    alphabet=st.one_of(st.characters(categories=["Cs"]), st.characters(codec="utf-8")),
    min_size=1,
    max_size=5,
)
json_leaf = st.one_of(
    st.none(),
    half_characters,
    st.booleans(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=False, allow_infinity=False),
    any_text,
    st.sampled_from(["main", "blocks", "knee_arthrosis", "\ud800", "a\udfffb"]),
)
json_value = st.recursive(
    json_leaf,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(any_text, inner, max_size=4)
    ),
    max_leaves=12,
)


@pytest.fixture
def library(clinic_a) -> dict:
    """The clinic's own library as exported: a valid file to spoil in one place."""
    templates = clinic_a.protocol_templates.filter(slug="knee-arthrosis-classic")
    return json.loads(exchange.dumps(exchange.export_clinic(clinic_a, templates)))


def spoil(document: dict, data) -> dict:
    """A copy of ``document`` with one value somewhere replaced by something generated."""
    document = copy.deepcopy(document)
    target = document
    path = data.draw(
        st.sampled_from(
            [
                (),
                ("templates", 0),
                ("templates", 0, "steps", 0),
                ("templates", 0, "handout_sections", 0),
                ("contraindication_kinds", 0),
            ]
        )
    )
    for key in path:
        target = target[key]
    key = data.draw(st.one_of(st.sampled_from(sorted(target)), any_text, half_characters))
    target[key] = data.draw(json_value)
    return document


def encoded(document) -> bytes:
    return json.dumps(document, ensure_ascii=True).encode()


raw_files = st.one_of(
    st.binary(max_size=200),
    json_value.map(encoded),
    st.sampled_from(
        [
            b"",
            b"\xef\xbb\xbf{}",
            b"[" * 100_000,
            b'{"format": "massage-clinic-protocols", "version": 1, "templates": [' * 50,
            b"1" * 5000,
            b'"\\ud800"',
        ]
    ),
)


def import_outcome(raw: bytes, clinic):
    """What importing ``raw`` did: the result, or the errors; it never raises anything else."""
    before = rows()
    try:
        return exchange.import_document(exchange.parse_json(raw), clinic)
    except exchange.ImportRejected as rejected:
        assert rejected.errors and all(str(e).strip() for e in rejected.errors)
        assert rows() == before
        return rejected


@pytest.mark.django_db
@fuzz
@given(raw=raw_files)
def test_importing_any_bytes_imports_or_says_why(clinic_a, raw):
    with example():
        import_outcome(raw, clinic_a)


@pytest.mark.django_db
@fuzz
@given(data=st.data())
def test_importing_a_spoiled_library_imports_all_or_nothing(clinic_a, library, data):
    raw = encoded(spoil(library, data))
    with example():
        import_outcome(raw, clinic_a)


@pytest.mark.django_db
@fuzz
@given(data=st.data())
def test_the_import_page_survives_any_file(admin, library, data):
    raw = encoded(spoil(library, data)) if data.draw(st.booleans()) else data.draw(raw_files)
    upload = io.BytesIO(raw)
    upload.name = data.draw(st.sampled_from(["protocols.json", "x.exe", "ü<b>.json", "a" * 300]))
    with example():
        before = rows()
        response = admin.post(f"{CHANGELIST}import/", {"file": upload})
        check(response, before)


@pytest.mark.django_db
@fuzz
@given(data=st.data())
def test_the_import_command_imports_or_exits_2_with_the_reasons(
    clinic_a, library, data, tmp_path_factory
):
    raw = encoded(spoil(library, data)) if data.draw(st.booleans()) else data.draw(raw_files)
    path = tmp_path_factory.mktemp("import") / "protocols.json"
    path.write_bytes(raw)
    err = io.StringIO()
    with example():
        before = rows()
        try:
            call_command("import_protocols", str(path), clinic=clinic_a.pk, stderr=err)
        except CommandError as error:
            assert error.returncode == 2
            assert err.getvalue().strip()
            assert rows() == before


# --- Regressions the fuzzing found ------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("where", ["name", "key"])
def test_a_file_with_an_escaped_half_character_is_refused_with_a_message(
    clinic_a, library, admin, where
):
    if where == "name":
        library["templates"][0]["name"] = "Knee \ud800 massage"
    else:
        library["templates"][0]["\udfff"] = "x"
    raw = encoded(library)
    before = rows()

    with pytest.raises(exchange.ImportRejected) as rejected:
        exchange.import_document(exchange.parse_json(raw), clinic_a)
    upload = io.BytesIO(raw)
    upload.name = "protocols.json"
    page = admin.post(f"{CHANGELIST}import/", {"file": upload})

    assert "half of a character" in rejected.value.errors[0]
    assert page.status_code == 200
    assert "half of a character" in page.content.decode()
    assert rows() == before
