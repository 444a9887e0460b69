"""Which models the trail follows, and what each one's entries are about.

Each app registers its own models from its ``AppConfig.ready()`` with a *scope*: a function of
an instance that returns ``(clinic id, patient id)``, so the trail never imports the apps it
follows. django-auditlog then writes an entry for every save and delete of those models.
"""

from collections.abc import Callable, Iterable

from auditlog.registry import auditlog
from django.db.models import Model

Scope = Callable[[Model], tuple[int | None, int | None]]

# Bookkeeping columns that say nothing a reader of the trail needs.
NOT_TRACKED = ("created_at", "updated_at", "request_token", "revision", "version")

_scopes: dict[type, Scope] = {}


def register(model: type[Model], *, scope: Scope, exclude_fields: Iterable[str] = ()) -> None:
    auditlog.register(model, exclude_fields=[*NOT_TRACKED, *exclude_fields])
    _scopes[model] = scope


def clinic_scope(instance) -> tuple[int | None, None]:
    """For rows that belong to a clinic and to no patient (templates, contraindication kinds)."""
    return getattr(instance, "clinic_id", None), None


def scope_of(instance) -> tuple[int | None, int | None]:
    """(clinic id, patient id) of the record an entry is about."""
    for cls in type(instance).__mro__:
        if cls in _scopes:
            return _scopes[cls](instance)
    return clinic_scope(instance)
