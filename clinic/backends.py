"""The staff sign-in backend: Django's, with the signed-in user read in fewer queries.

Every page reads the user, their clinic (its language) and their permissions. Django's
``ModelBackend`` takes four queries for that (user, clinic, user permissions, group
permissions); this one takes two: the user with the clinic, then all permissions at once.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.db.models import Q

from clinic.security import address_paused


class StaffBackend(ModelBackend):
    def get_user(self, user_id):
        user_model = get_user_model()
        try:
            user = user_model._default_manager.select_related("clinic").get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            permissions = Permission.objects.all()
            if not user_obj.is_superuser:
                permissions = permissions.filter(Q(user=user_obj) | Q(group__user=user_obj))
            user_obj._perm_cache = {
                f"{app_label}.{codename}"
                for app_label, codename in permissions.values_list(
                    "content_type__app_label", "codename"
                ).distinct()
            }
        return user_obj._perm_cache


class AddressThrottleBackend:
    """Refuses every sign-in from an address with too many recent failures (any usernames:
    password spraying), before django-axes counts the username and address. Signs nobody in."""

    def authenticate(self, request, **credentials):
        if request is not None and address_paused(request):
            request.axes_locked_out = True  # django-axes' middleware shows the lock-out page
            request.sign_in_paused_by_address = True
            raise PermissionDenied("Too many failed sign-ins from this address.")
        return None
