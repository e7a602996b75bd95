"""The figures of R19–R21, worked out by hand: of four entries recorded this month in branch A,
one is extended, one suspended (and resumed); three are rated — one through the informant's
link, one by the branch secretary on a return visit, one by the owner himself. The roll-ups,
the dashboard and `ledger_report --json` must say: extended 1 (25%), suspended 1, ratings by
channel link 1 · return visit 1 · owner 1, the owner's share one third."""

from __future__ import annotations

import datetime as dt
import io
import json

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from feedback.constants import RatingChannel, Satisfaction
from feedback.selectors.ratings import rating_link_current
from feedback.services.rating_links import rating_link_issue, rating_link_rate
from feedback.services.ratings import rating_record
from feedback.services.rollups import rollups_rebuild, rollups_refresh
from liaison.constants import Decision, Role, SuspendReason
from liaison.services.workflow import Action
from tests.fixtures.factories import make_entry
from tests.fixtures.walks import act


def _story(world):
    cadre = world.users[Role.GRASSROOTS_CADRE]
    secretary = world.users[Role.BRANCH_SECRETARY]
    today = timezone.localdate()

    def record(title):
        return make_entry(cadre, informant=world.special_a, recorded_on=today, title=title)

    extended = record("延期的")
    extended = act(world, extended, Action.REQUEST_EXTENSION, cadre,
                   due_on=extended.due_on + dt.timedelta(days=10), reason="等材料")  # fmt: skip
    act(world, extended, Action.DECIDE_EXTENSION, secretary, decision=Decision.APPROVE, note="")
    suspended = record("挂起的")
    suspended = act(world, suspended, Action.SUSPEND, cadre, reason=SuspendReason.AWAITING_BUDGET,
                    note="等预算", review_on=today + dt.timedelta(days=7))  # fmt: skip
    suspended = act(world, suspended, Action.DECIDE_SUSPENSION, secretary,
                    decision=Decision.APPROVE, note="")  # fmt: skip
    act(world, suspended, Action.RESUME, cadre)

    def replied(title):
        entry = act(world, record(title), Action.RESOLVE_ON_SPOT, cadre)
        return act(world, entry, Action.REPLY, cadre)

    by_link = replied("链接评价")
    link = rating_link_current(entry=by_link) or rating_link_issue(entry=by_link, actor=cadre)
    rating_link_rate(link=link, value=Satisfaction.SATISFIED, comment="",
                     expected_version=by_link.version)  # fmt: skip
    by_secretary = replied("书记回访")
    rating_record(entry=by_secretary, value=Satisfaction.VERY_SATISFIED, comment="",
                  channel=RatingChannel.RETURN_VISIT, actor=secretary,
                  expected_version=by_secretary.version)  # fmt: skip
    by_owner = replied("本人记录")
    rating_record(entry=by_owner, value=Satisfaction.SATISFIED, comment="",
                  channel=RatingChannel.RETURN_VISIT, actor=cadre,
                  expected_version=by_owner.version)  # fmt: skip


def test_roll_ups_report_and_dashboard_give_the_hand_worked_figures(world, client_for):
    _story(world)
    rollups_refresh()  # the frequent job and the nightly rebuild agree
    refreshed = _json(world)
    rollups_rebuild()
    data = _json(world)
    same = {"as_of": None, "until": None}  # when each was made
    assert {**refreshed, **same} == {**data, **same}
    assert (data["recorded"], data["extended"], data["suspended"]) == (5, 1, 1)
    assert data["extension_rate"] == 0.2
    assert data["ratings_by_channel"] == {"return_visit": 1, "link": 1, "owner": 1}
    assert round(data["owner_rated_share"], 4) == 0.3333
    page = client_for(world.users[Role.PARTY_BUILDING]).get(
        reverse("feedback:dashboard"), {"org": world.branch_a.pk}
    )
    body = page.content.decode()
    assert 'data-testid="extended">1<' in body and 'data-testid="suspended">1<' in body
    assert 'data-testid="rated-owner">1<' in body and 'data-testid="rated-link">1<' in body


def _json(world) -> dict:
    first = timezone.localdate().replace(day=1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    out = io.StringIO()
    call_command("ledger_report", "--org", world.branch_a.code, "--from", first.isoformat(),
                 "--to", last.isoformat(), "--json", stdout=out)  # fmt: skip
    return json.loads(out.getvalue())
