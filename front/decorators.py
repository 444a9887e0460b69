from functools import wraps

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _


def clinic_member_required(view):
    """The workspace is for staff of a clinic; an account without one gets a clear 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.clinic_id is None:
            raise PermissionDenied(_("Your account does not belong to a clinic."))
        return view(request, *args, **kwargs)

    return wrapper
