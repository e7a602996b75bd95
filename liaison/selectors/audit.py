"""The audit log as the audit administrator reads it (三员分立): filters and the rows."""

from __future__ import annotations

import django_filters
from django import forms
from django.core.validators import MaxLengthValidator
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from common.widgets import style_filter_fields
from liaison.constants import Role
from liaison.models import AuditEvent, User
from liaison.permissions import can_manage_security, reads_audit_log

TEXT_MAX_LENGTH = 100


class AuditEventFilter(django_filters.FilterSet):
    """Time range, actor, action, object type and words of the summary."""

    since = django_filters.DateFilter(
        field_name="at",
        lookup_expr="date__gte",
        label=_("From"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = django_filters.DateFilter(
        field_name="at",
        lookup_expr="date__lte",
        label=_("To"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    actor = django_filters.CharFilter(
        field_name="actor__username", lookup_expr="iexact", label=_("Account")
    )
    action = django_filters.ChoiceFilter(choices=AuditEvent.Action.choices, label=_("Action"))
    object_type = django_filters.CharFilter(
        field_name="object_type", lookup_expr="iexact", label=_("Object type")
    )
    q = django_filters.CharFilter(method="search", label=_("Words"))

    class Meta:
        model = AuditEvent
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_filter_fields(self.form)
        for field in self.form.fields.values():
            if isinstance(field, forms.CharField):
                field.max_length = TEXT_MAX_LENGTH
                field.validators.append(MaxLengthValidator(TEXT_MAX_LENGTH))
                field.widget.attrs["maxlength"] = TEXT_MAX_LENGTH

    def search(self, queryset, name, value):
        return queryset.filter(Q(summary__icontains=value) | Q(object_id=value))


def audit_log(*, user: User, filters) -> AuditEventFilter:
    """The audit log, newest first, for the audit administrator; 404 for everyone else."""
    if not reads_audit_log(user):
        raise Http404
    queryset: QuerySet[AuditEvent] = AuditEvent.objects.select_related("actor").order_by(
        "-at", "-pk"
    )
    return AuditEventFilter(filters, queryset=queryset)


HOME_LATEST = 10


def administrator_home(*, user: User) -> dict:
    """What the home page of a security or audit administrator shows: their own work, no ledger.
    The audit administrator: the latest audit events; the security administrator: the accounts
    by role (the locked ones are on the accounts page)."""
    if reads_audit_log(user):
        latest = AuditEvent.objects.select_related("actor").order_by("-at", "-pk")[:HOME_LATEST]
        return {"latest_events": list(latest)}
    if can_manage_security(user):
        counts = dict(
            User.objects.filter(is_active=True)
            .order_by()
            .values_list("role")
            .annotate(n=Count("pk"))
        )
        labels = dict(Role.choices)
        rows = [(labels.get(role, role) or _("No role yet"), n) for role, n in counts.items()]
        return {"accounts_by_role": sorted(rows, key=lambda row: str(row[0]))}
    return {}
