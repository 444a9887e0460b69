"""Tenancy: every clinic sees only its own rows, through one queryset method."""

from django.db import models


class ClinicScopedQuerySet(models.QuerySet):
    """Rows reachable through ``clinic_path``; ``for_user`` keeps the user's clinic only."""

    clinic_path = "clinic"

    def for_clinic(self, clinic):
        return self.filter(**{self.clinic_path: clinic})

    def for_user(self, user):
        if user.is_superuser:
            return self
        if not user.is_authenticated or user.clinic_id is None:
            return self.none()
        return self.filter(**{f"{self.clinic_path}_id": user.clinic_id})
