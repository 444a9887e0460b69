"""``{% id_url "patients:detail" patient.pk %}``: ``{% url %}`` for pages named by one id, for rows.

A long list links every row (the day page has about 250 links), and ``reverse()`` costs about
40 µs a call: a tenth of the page's time. The URL of such a page differs between rows only in
the id, so this tag reverses each name once, with a marker in the id's place, and then puts
each row's id into the two halves. The halves are kept per script prefix, URLconf and language,
so the result is exactly what ``{% url name id %}`` gives (``tests/test_links.py``).
"""

from functools import lru_cache

from django import template
from django.core.exceptions import ImproperlyConfigured
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

register = template.Library()

_MARKER = "7051938264"  # digits, so it fits an <int:...> converter; no real id looks like it


@lru_cache(maxsize=512)
def _halves(name: str, prefix: str, urlconf, language) -> tuple[str, str]:
    url = reverse(name, args=[int(_MARKER)], urlconf=urlconf)
    if url.count(_MARKER) != 1:
        raise ImproperlyConfigured(f"id_url needs a URL with the id once: {name} gave {url}")
    head, _, tail = url.partition(_MARKER)
    return head, tail


def id_url(name: str, pk) -> str:
    """The URL of the page ``name`` for the object with this integer id."""
    return id_urls(name)(pk)


def id_urls(name: str):
    """A function from an id to the URL of the page ``name``, for a view that links many rows."""
    head, tail = _halves(name, get_script_prefix(), get_urlconf(), get_language())
    return lambda pk: f"{head}{int(pk)}{tail}"


register.simple_tag(id_url, name="id_url")
