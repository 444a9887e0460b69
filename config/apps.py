from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig


class AdminConfig(DjangoAdminConfig):
    """Django's admin with the project's site (``clinic.admin_site``): the front desk stays out."""

    default_site = "clinic.admin_site.ClinicAdminSite"
