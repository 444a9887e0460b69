"""{% id_url %} gives exactly the links {% url %} gives, for every name the templates use."""

import re
from pathlib import Path

import pytest
from django.template import engines
from django.urls import clear_script_prefix, reverse, set_script_prefix

from front.templatetags.links import id_url

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
USED = sorted(
    {
        name
        for path in TEMPLATES.rglob("*.html")
        for name in re.findall(r"\{% id_url '([\w:]+)'", path.read_text(encoding="utf-8"))
    }
)


def test_the_templates_use_it():
    assert {"patients:detail", "protocols:course", "protocols:session_record"} <= set(USED)


@pytest.mark.parametrize("name", USED)
@pytest.mark.parametrize("pk", [1, 42, 7051938264, 10**12])
def test_same_as_reverse(name, pk):
    assert id_url(name, pk) == reverse(name, args=[pk])


@pytest.mark.parametrize("name", USED)
def test_same_as_reverse_under_a_script_prefix(name):
    """An app served below a path (SCRIPT_NAME) links below that path, as {% url %} does."""
    set_script_prefix("/clinic-a/")
    try:
        assert id_url(name, 5).startswith("/clinic-a/")
        assert id_url(name, 5) == reverse(name, args=[5])
    finally:
        clear_script_prefix()
    assert not id_url(name, 5).startswith("/clinic-a/")


def test_in_a_template_the_link_is_the_same():
    template = engines["django"].from_string(
        "{% load links %}{% id_url 'patients:detail' pk %}|{% url 'patients:detail' pk %}"
    )
    ours, django = template.render({"pk": 314}).split("|")
    assert ours == django == "/patients/314/"


def test_an_id_that_is_not_a_number_is_refused():
    with pytest.raises(ValueError):
        id_url("patients:detail", "1/../../admin")
