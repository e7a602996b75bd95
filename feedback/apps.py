from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class FeedbackConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "feedback"
    verbose_name = _("Feedback and dashboards")

    def ready(self) -> None:
        # The entry page and the referral sheet (liaison) show ratings and the informant's
        # link without importing feedback.
        from feedback.constants import (
            RatingChannel,
            ReturnVisitMethod,
            ReturnVisitOutcome,
            Satisfaction,
        )
        from feedback.views.ratings import entry_ratings_panel, referral_sheet_stub
        from liaison.selectors.entries import (
            entry_panel_register,
            entry_sheet_register,
            event_field_register,
        )

        entry_panel_register(entry_ratings_panel)
        entry_sheet_register(referral_sheet_stub)
        event_field_register("rating", _("rating"), Satisfaction)
        event_field_register("round", _("round"))
        event_field_register("channel", _("channel"), RatingChannel)
        event_field_register("method", _("method"), ReturnVisitMethod)
        event_field_register("outcome", _("outcome"), ReturnVisitOutcome)

        # The informant's rating link is made in the transaction of a referral or a reply.
        from feedback.services.rating_links import rating_link_on_transition
        from liaison.services.workflow import transition_hook_register

        transition_hook_register(rating_link_on_transition)

        # The home page's card of the satisfaction of the user's scope, for dashboard readers.
        from feedback.selectors.home_panels import return_visit_panel, satisfaction_panel
        from liaison.selectors.work import home_panel_register

        home_panel_register(satisfaction_panel)
        home_panel_register(return_visit_panel)  # the return-visit queue (R21)

        # The menu items; who sees each is decided in feedback.permissions. Their English names
        # are shorter than the pages' titles (the bar holds every menu on one line).
        from feedback.permissions import (
            reads_dashboards,
            reads_hot_topics,
            reads_results,
            runs_evaluations,
        )
        from liaison.context_processors import nav_register

        # The dashboards, for those who read them.
        nav_register(
            "dashboard", _("Dashboard"), "feedback:dashboard", reads_dashboards, "dashboard"
        )

        # Hot topics and the matters of the month (每月一题), for the department and committees.
        nav_register(
            "hot_topics",
            pgettext_lazy("menu", "Hot topics"),
            "hot_topics",
            reads_hot_topics,
            "hot_",
        )

        # The reverse evaluation's campaigns, for the party-building department.
        nav_register(
            "evaluations",
            pgettext_lazy("menu", "Evaluation"),
            "feedback:evaluations:campaign_list",
            runs_evaluations,
            "campaign_",
        )

        # Committee staff and secretaries read the results of their subtree (the department
        # reaches them from its campaigns).
        nav_register(
            "evaluation_results",
            pgettext_lazy("menu", "Evaluations"),
            "feedback:evaluations:results_list",
            lambda user: reads_results(user) and not runs_evaluations(user),
            "results",
        )
