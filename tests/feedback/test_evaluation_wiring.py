"""How the reverse evaluation's parts meet: closing a campaign computes the year's assessment
table; the menu offers the campaigns to the department and the results to the readers of a
subtree; the informant's /r/ prefix holds only the token pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import resolve, reverse

from feedback.models import AssessmentRow
from feedback.services.campaigns import campaign_close, campaign_close_due, campaign_create
from liaison.constants import Role


def test_closing_a_campaign_computes_its_assessment_table(world):
    department = world.users[Role.PARTY_BUILDING]
    campaign = campaign_create(actor=department, year=2026, propose=False)
    assert not AssessmentRow.objects.exists()
    campaign.status = "open"
    campaign.closes_on = dt.date(2026, 12, 20)
    campaign.save()
    campaign_close(actor=department, campaign=campaign)
    rows = AssessmentRow.objects.filter(campaign=campaign)
    assert rows.filter(org=world.branch_a).exists()  # every branch has a line
    assert rows.filter(org__isnull=False).count() == 3


def test_the_nightly_close_computes_it_too(world):
    department = world.users[Role.PARTY_BUILDING]
    campaign = campaign_create(actor=department, year=2026, propose=False)
    campaign.status, campaign.closes_on = "open", dt.date(2026, 11, 1)
    campaign.save()
    assert campaign_close_due(today=dt.date(2026, 11, 2)) == [2026]
    assert AssessmentRow.objects.filter(campaign=campaign).exists()
    assert campaign_close_due(today=dt.date(2026, 11, 3)) == []


@pytest.mark.parametrize(
    ("role", "items"),
    [
        (Role.PARTY_BUILDING, {"evaluations"}),
        (Role.ADMINISTRATOR, {"evaluations"}),
        (Role.COMMITTEE_STAFF, {"evaluation_results"}),
        (Role.BRANCH_SECRETARY, {"evaluation_results"}),
        (Role.PARTY_MEMBER, set()),
        (Role.DEPARTMENT_HANDLER, set()),
    ],
)
def test_the_menu_offers_campaigns_or_results(world, client_for, role, items):
    context = client_for(world.users[role]).get(reverse("home")).context
    keys = {key for key, _label, _url in context["nav_items"]}
    assert keys & {"evaluations", "evaluation_results"} == items


@pytest.mark.parametrize("path", ["/r/dashboard/", "/r/evaluations/", "/r/x/thanks/"])
def test_the_informants_prefix_holds_only_token_pages(path):
    assert resolve(path).url_name in {"link", "thanks"}
