"""Admin-written texts in two languages.

Texts a clinic writes (template names, steps, handout sections, contraindication kinds) are stored
twice: the field itself holds the English text and ``<field>_ru`` the Russian one. Either may be
empty; a reader gets the text in the wanted language, or the other one when that is missing. The
same rule reads model instances and the dicts of a course's snapshot.
"""

from django.db import models
from django.utils.translation import get_language

BASE_LANGUAGE = "en"
OTHER_LANGUAGES = ("ru",)
LANGUAGES = (BASE_LANGUAGE, *OTHER_LANGUAGES)


def language_code(language: str | None = None) -> str:
    code = (language or get_language() or BASE_LANGUAGE).split("-")[0].lower()
    return code if code in LANGUAGES else BASE_LANGUAGE


def field_name(field: str, language: str) -> str:
    return field if language == BASE_LANGUAGE else f"{field}_{language}"


def localized(source, field: str, language: str | None = None) -> str:
    """``source.field`` (a model instance or a dict) in ``language``, else in another language."""
    wanted = language_code(language)

    def read(code):
        name = field_name(field, code)
        value = source.get(name) if isinstance(source, dict) else getattr(source, name, "")
        return value or ""

    return read(wanted) or next((v for code in LANGUAGES if (v := read(code))), "")


def translations(source, field: str) -> dict[str, str]:
    """Every language's text of ``field``: ``{"en": ..., "ru": ...}`` (missing ones empty)."""
    return {
        code: (
            source.get(field_name(field, code))
            if isinstance(source, dict)
            else getattr(source, field_name(field, code), "")
        )
        or ""
        for code in LANGUAGES
    }


class PlainTextModelMixin:
    """Stores multi-line texts with "\\n" line ends whatever the browser sent ("\\r\\n").

    Without this, saving a form unchanged would rewrite every text and show up as a change in
    the template's versions.
    """

    def save(self, *args, **kwargs):
        for model_field in self._meta.concrete_fields:
            if isinstance(model_field, models.TextField):
                value = getattr(self, model_field.attname)
                if isinstance(value, str) and "\r" in value:
                    setattr(
                        self,
                        model_field.attname,
                        value.replace("\r\n", "\n").replace("\r", "\n"),
                    )
        super().save(*args, **kwargs)
