"""One function makes a clinic with everything a clinic needs."""

from django.db import transaction

from clinic.models import Clinic
from clinic.roles import ensure_roles
from protocols.library import copy_default_library


@transaction.atomic
def create_clinic(*, clinic: Clinic | None = None, library: bool = True, **fields) -> Clinic:
    """Save a new clinic (``clinic``, an unsaved instance, or one made of ``fields``) and give it
    its own copy of the default protocol library and contraindication kinds; make sure the staff
    roles exist. ``library=False`` leaves the library out (for a clinic that imports its own).
    """
    if clinic is None:
        clinic = Clinic(**fields)
    elif fields:
        raise TypeError("Pass either an unsaved clinic or its fields, not both.")
    if clinic.pk is not None:
        raise ValueError("create_clinic makes a new clinic; this one is saved already.")
    clinic.full_clean()
    clinic.save()
    ensure_roles()
    if library:
        copy_default_library(clinic)
    return clinic
