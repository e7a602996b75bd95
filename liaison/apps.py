from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiaisonConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "liaison"
    verbose_name = _("Liaison ledger")

    def ready(self) -> None:
        from django.core import checks

        from liaison import auth_audit
        from liaison.checks import audit_retention

        auth_audit.connect()  # logins, logouts and failures in the audit log
        checks.register(audit_retention)
        # The entry page shows supervision notices as a panel, and names their event keys.
        # Login failures and locks are audited (issue 14): after axes' receivers (INSTALLED_APPS
        # puts axes first), which count the failure and flag the request.
        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_login_failed

        from liaison.constants import AttachmentStep
        from liaison.security import on_locked_out, on_login_failed
        from liaison.selectors.entries import entry_panel_register, event_field_register
        from liaison.views.attachments import entry_attachment_panel
        from liaison.views.links import entry_related_panel
        from liaison.views.supervision import entry_supervision_panel

        user_locked_out.connect(on_locked_out, dispatch_uid="liaison_locked_out")
        user_login_failed.connect(on_login_failed, dispatch_uid="liaison_login_failed")

        entry_panel_register(entry_supervision_panel)
        # R23: the photos and files card, and the keys of its events.
        entry_panel_register(entry_attachment_panel)
        event_field_register("attachment_step", _("step"), AttachmentStep)
        event_field_register("files", _("files"))
        entry_panel_register(entry_related_panel)  # related entries and duplicates (R11)
        event_field_register("related", _("related entry"))
        event_field_register("original", _("original"))
        event_field_register("duplicate", _("duplicate"))
        event_field_register("duplicates", _("duplicates"))
        event_field_register("supervision_round", _("supervision round"))
        event_field_register("respond_by", _("answer by"))
        # Directory sign-on: LDAP_* settings that cannot work are reported by `check`.
        from django.core import checks

        from liaison.checks import directory_settings_check

        checks.register(directory_settings_check)
        event_field_register("supervision_on_time", _("answered in time"))
