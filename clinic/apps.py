from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ClinicConfig(AppConfig):
    name = "clinic"
    verbose_name = _("Clinic")

    def ready(self):
        from clinic.roles import ensure_roles_after_migrate

        # Permissions only exist after every app has migrated, so the role groups are kept in
        # step at the end of each migrate run rather than in a data migration.
        post_migrate.connect(ensure_roles_after_migrate, dispatch_uid="clinic.ensure_roles")

        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from clinic.middleware import touch_on_sign_in
        from clinic.security import note_failed_sign_in

        user_logged_in.connect(touch_on_sign_in, dispatch_uid="clinic.touch_on_sign_in")
        user_login_failed.connect(note_failed_sign_in, dispatch_uid="clinic.failed_sign_in")

        from audit.registry import clinic_scope, register
        from clinic.models import Absence, ClosedDate

        # Leave and closed days move booked sessions: who recorded them, and when, is on the trail.
        register(Absence, scope=lambda absence: (absence.therapist.clinic_id, None))
        register(ClosedDate, scope=clinic_scope)
