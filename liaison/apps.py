from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiaisonConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "liaison"
    verbose_name = _("Liaison ledger")
