from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo company and its year of ledger (`manage.py seed_demo`); no models, no URLs."""

    name = "demo"
    verbose_name = _("Demo data")
