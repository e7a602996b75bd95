"""django-tables2 tables: only the listed columns can be sorted."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from liaison.models import Pairing, Person
from liaison.permissions import Visibility
from liaison.templatetags.liaison_tags import side_html

# Columns a phone screen leaves out, so that what is left stays readable.
WIDE_ONLY = {"th": {"class": "d-none d-md-table-cell"}, "td": {"class": "d-none d-md-table-cell"}}
NO_WRAP = {"td": {"class": "text-nowrap"}}


class PersonTable(tables.Table):
    code = tables.Column(verbose_name=_("Code"), attrs=WIDE_ONLY)
    name = tables.Column(verbose_name=_("Name"), linkify=True, attrs=NO_WRAP)
    kind = tables.Column(verbose_name=_("Kind"), attrs=WIDE_ONLY)
    org = tables.Column(verbose_name=_("Organisation"), order_by=("org__path",))
    unit = tables.Column(verbose_name=_("Unit"), order_by=("unit__name",), attrs=WIDE_ONLY)
    flags = tables.TemplateColumn(
        template_name="liaison/_person_flags.html", verbose_name=_("Tags"), orderable=False
    )
    phone = tables.Column(verbose_name=_("Phone"), orderable=False, attrs=WIDE_ONLY)

    class Meta:
        model = Person
        fields = ("code", "name", "kind", "org", "unit", "flags", "phone")
        order_by = ("code",)
        empty_text = _("No one matches these filters.")


class PairingTable(tables.Table):
    kind = tables.Column(verbose_name=_("Kind"))
    subject = tables.Column(
        verbose_name=_("Liaison side"), accessor="pk", order_by=("person__name", "org__name")
    )
    target = tables.Column(
        verbose_name=_("Paired with"),
        accessor="pk",
        orderable=False,
    )
    start_on = tables.DateColumn(verbose_name=_("Start"), format="Y-m-d", attrs=WIDE_ONLY)
    end_on = tables.DateColumn(verbose_name=_("End"), format="Y-m-d", default="—", attrs=WIDE_ONLY)

    class Meta:
        model = Pairing
        fields = ("kind", "subject", "target", "start_on", "end_on")
        order_by = ("kind", "start_on")
        empty_text = _("No pairing matches these filters.")

    def __init__(self, *args, visibility: Visibility, **kwargs):
        super().__init__(*args, **kwargs)
        self.visibility = visibility

    def render_subject(self, record):
        return side_html(record.subject, self.visibility)

    def render_target(self, record):
        return side_html(record.target, self.visibility)
