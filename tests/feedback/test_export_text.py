"""Issue 14, item 1: the dashboard's and the assessment's Excel exports never carry a formula:
unit, branch and cadre names come back as typed, in text cells."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from feedback.services.assessment import assessment_compute
from feedback.services.rollups import rollups_rebuild
from liaison.constants import Role
from liaison.models import OrgNode, Person
from tests.feedback.test_evaluation_assessment import campaign, people  # noqa: F401 (fixtures)
from tests.fixtures.factories import make_entry
from tests.fixtures.spreadsheets import HOSTILE_TEXTS, assert_typed_as_text, workbook_bytes


def test_the_dashboard_export_writes_names_as_text(world, client_for):
    make_entry(world.users[Role.BRANCH_SECRETARY], recorded_on=dt.date(2026, 3, 2))
    rollups_rebuild()
    hyperlink, plus, minus, at, *_rest = HOSTILE_TEXTS
    OrgNode.objects.filter(pk=world.company.pk).update(name=hyperlink)
    OrgNode.objects.filter(pk=world.committee_a.pk).update(name=plus)
    OrgNode.objects.filter(pk=world.committee_b.pk).update(name=minus)
    OrgNode.objects.filter(pk=world.branch_a.pk).update(name=at)
    client = client_for(world.users[Role.PARTY_BUILDING])
    response = client.get(reverse("feedback:dashboard_export"), {"period": "2026-Q1"})
    assert response.status_code == 200
    assert_typed_as_text(workbook_bytes(response), [hyperlink, plus, minus])


def test_the_assessment_export_writes_names_as_text(world, campaign, client_for):  # noqa: F811
    assessment_compute(campaign=campaign)
    hyperlink, plus, minus, at, *_rest = HOSTILE_TEXTS
    OrgNode.objects.filter(name="变电运维党支部").update(name=hyperlink, code=plus)
    Person.objects.filter(name="萧领导").update(name=at)
    Person.objects.filter(name="姜干部").update(name=minus)
    client = client_for(world.users[Role.PARTY_BUILDING])
    response = client.get(reverse("feedback:evaluations:assessment_export", args=[campaign.pk]))
    assert response.status_code == 200
    assert_typed_as_text(workbook_bytes(response), [hyperlink, plus, minus, at])
