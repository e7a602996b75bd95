"""Ratings of replied entries (R8): the service, its page, its admin."""

from __future__ import annotations

import re
from http import HTTPStatus

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse

from feedback.constants import RatingChannel, Satisfaction
from feedback.models import Rating
from feedback.permissions import rating_may_record
from feedback.services.ratings import rating_record
from liaison.constants import ClosedReason, EntryStatus, EventKind, Role
from liaison.models import Entry
from liaison.services import workflow
from tests.fixtures.factories import make_user
from tests.fixtures.walks import entry_in, snapshot


def rate(entry, actor, value=Satisfaction.SATISFIED, **extra):
    options = {
        "comment": "",
        "channel": RatingChannel.RETURN_VISIT,
        "expected_version": entry.version,
        **extra,
    }
    return rating_record(entry=entry, value=value, actor=actor, **options)


@pytest.mark.parametrize(
    "value",
    [Satisfaction.VERY_SATISFIED, Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED],
)
def test_a_rating_other_than_unsatisfied_closes_the_entry_as_rated(world, value):
    entry = entry_in(world, EntryStatus.REPLIED)
    rating = rate(entry, entry.owner, value, comment="谢谢")
    entry.refresh_from_db()
    assert (entry.status, entry.closed_reason) == (EntryStatus.CLOSED, ClosedReason.RATED)
    assert (rating.value, rating.round, rating.recorded_by, rating.comment) == (
        value,
        0,
        entry.owner,
        "谢谢",
    )
    rated = entry.events.get(kind=EventKind.RATED)
    # Heard by the owner: allowed, and marked as the owner's own (R21).
    assert rated.after == {"rating": value, "round": 0, "channel": RatingChannel.OWNER}
    assert rated.note == "谢谢"


def test_unsatisfied_reopens_the_entry(world):
    entry = entry_in(world, EntryStatus.REPLIED)
    rate(entry, entry.owner, Satisfaction.UNSATISFIED)
    entry.refresh_from_db()
    assert (entry.status, entry.reopen_count) == (EntryStatus.IN_PROGRESS, 1)
    assert entry.ratings.get().round == 0


def test_a_maintainer_or_the_informant_by_link_may_rate(world):
    entry = entry_in(world, EntryStatus.REPLIED)
    rate(entry, world.users[Role.PARTY_BUILDING])
    other = entry_in(world, EntryStatus.REPLIED)
    rating = rate(other, None, channel=RatingChannel.LINK)
    assert rating.recorded_by is None
    assert Entry.objects.get(pk=other.pk).status == EntryStatus.CLOSED


@pytest.mark.parametrize(
    "role",
    [Role.COMMITTEE_STAFF, Role.GRASSROOTS_CADRE, Role.LEADERSHIP_CADRE, Role.DEPARTMENT_HANDLER],
)
def test_anyone_else_is_refused_and_nothing_is_written(world, role):
    entry = entry_in(world, EntryStatus.REPLIED)
    before = snapshot(entry)
    assert not rating_may_record(entry=entry, actor=world.users[role])
    with pytest.raises(workflow.WorkflowRefused):
        rate(entry, world.users[role])
    assert snapshot(entry) == before
    assert not Rating.objects.exists()


@pytest.mark.parametrize(
    "status",
    [s for s in EntryStatus if s != EntryStatus.REPLIED],
)
def test_only_a_replied_entry_can_be_rated(world, status):
    entry = entry_in(world, status)
    before = snapshot(entry)
    with pytest.raises(workflow.WorkflowError):
        rate(entry, world.users[Role.PARTY_BUILDING])
    assert snapshot(entry) == before
    assert not Rating.objects.exists()


def test_a_second_rating_of_the_same_reply_is_a_conflict(world):
    entry = entry_in(world, EntryStatus.REPLIED)
    stale = Entry.objects.get(pk=entry.pk)
    rate(entry, entry.owner)
    with pytest.raises(workflow.EntryConflict):
        rate(stale, stale.owner, Satisfaction.UNSATISFIED)
    assert Rating.objects.count() == 1
    assert Entry.objects.get(pk=entry.pk).status == EntryStatus.CLOSED


def test_a_value_off_the_scale_or_a_return_visit_without_a_user_is_refused(world):
    entry = entry_in(world, EntryStatus.REPLIED)
    with pytest.raises(ValidationError):
        rate(entry, entry.owner, "great")
    with pytest.raises(ValidationError):
        rate(entry, None, channel=RatingChannel.RETURN_VISIT)
    assert not Rating.objects.exists()


# --- the page ----------------------------------------------------------------------------------


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def rating_url(entry) -> str:
    return reverse("feedback:rating_record", args=[entry.pk])


def test_the_owner_records_a_rating_from_the_entry_page(world, client_for, english):
    entry = entry_in(world, EntryStatus.REPLIED)
    client = client_for(entry.owner)
    page = client.get(entry.get_absolute_url()).content.decode()
    assert 'data-action="rating"' in page and rating_url(entry) in page
    response = client.post(
        rating_url(entry), {"version": entry.version, "value": "very_satisfied", "comment": "好"}
    )
    assert response.status_code == HTTPStatus.FOUND
    page = client.get(entry.get_absolute_url()).content.decode()
    assert "Rating recorded" in page and "Very satisfied" in page
    assert 'data-action="rating"' not in page
    assert Entry.objects.get(pk=entry.pk).status == EntryStatus.CLOSED


def test_an_unsatisfied_rating_from_the_page_reopens(world, client_for, english):
    entry = entry_in(world, EntryStatus.REPLIED)
    response = client_for(entry.owner).post(
        rating_url(entry), {"version": entry.version, "value": "unsatisfied"}, follow=True
    )
    assert "reopened" in response.content.decode()
    assert Entry.objects.get(pk=entry.pk).status == EntryStatus.IN_PROGRESS


def test_the_rating_form_is_offered_only_to_who_may_rate(world, client_for):
    entry = entry_in(world, EntryStatus.REPLIED)
    page = client_for(world.users[Role.COMMITTEE_STAFF]).get(entry.get_absolute_url())
    assert 'data-action="rating"' not in page.content.decode()


@pytest.mark.parametrize(
    ("post", "status"),
    [
        ({"value": "satisfied"}, HTTPStatus.BAD_REQUEST),  # no version
        ({"version": "x", "value": "satisfied"}, HTTPStatus.BAD_REQUEST),
        ({"version": 1, "value": "great"}, HTTPStatus.BAD_REQUEST),
    ],
)
def test_an_invalid_rating_form_answers_400(world, client_for, post, status):
    entry = entry_in(world, EntryStatus.REPLIED)
    before = snapshot(entry)
    response = client_for(entry.owner).post(rating_url(entry), post)
    assert response.status_code == status
    assert snapshot(entry) == before


def test_refused_conflicting_and_forged_ratings(world, client_for, english):
    entry = entry_in(world, EntryStatus.REPLIED)
    before = snapshot(entry)
    good = {"version": entry.version, "value": "satisfied"}
    staff = client_for(world.users[Role.COMMITTEE_STAFF])
    response = staff.post(rating_url(entry), good)
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "Only" in response.content.decode()
    member = client_for(world.users[Role.PARTY_MEMBER])  # outside branch A
    assert member.post(rating_url(entry), good).status_code == HTTPStatus.NOT_FOUND
    forged = reverse("feedback:rating_record", args=[999_999])
    assert client_for(entry.owner).post(forged, good).status_code == HTTPStatus.NOT_FOUND
    stale = {**good, "version": entry.version - 1}
    response = client_for(entry.owner).post(rating_url(entry), stale)
    assert response.status_code == HTTPStatus.CONFLICT
    assert "changed by someone else" in response.content.decode()
    assert snapshot(entry) == before
    assert client_for(entry.owner).get(rating_url(entry)).status_code == (
        HTTPStatus.METHOD_NOT_ALLOWED
    )


def _rating_details(page: str) -> str:
    found = re.search(r'<details[^>]*data-action="rating"[^>]*>.*?</details>', page, re.S)
    assert found, "no rating form on the page"
    return found.group(0)


def test_after_a_conflict_the_rating_and_its_comment_are_offered_again(world, client, english):
    entry = entry_in(world, EntryStatus.REPLIED)
    seen = entry.version
    workflow.entry_act(
        action=workflow.Action.PROGRESS_NOTE,
        entry=entry,
        actor=world.users[Role.PARTY_BUILDING],
        expected_version=entry.version,
        note="已电话回访",
    )
    client.force_login(entry.owner)
    typed = {"version": seen, "value": "basically_satisfied", "comment": "希望以后提前通知"}
    response = client.post(rating_url(entry), typed)
    assert response.status_code == HTTPStatus.CONFLICT
    page = response.content.decode()
    assert "changed by someone else" in page
    form = _rating_details(page)
    assert form.startswith('<details open data-action="rating"')
    assert "What you typed is kept here" in form
    assert "希望以后提前通知</textarea>" in form
    assert re.search(r'value="basically_satisfied"[^>]*checked', form)
    assert f'name="version" value="{seen + 1}"' in form
    assert not Rating.objects.exists()
    again = {**typed, "version": seen + 1}
    assert client.post(rating_url(entry), again).status_code == HTTPStatus.FOUND
    assert Rating.objects.get().comment == "希望以后提前通知"


def test_a_rating_beaten_by_another_shows_the_comment_to_copy(world, client, english):
    entry = entry_in(world, EntryStatus.REPLIED)
    seen = entry.version
    rate(entry, world.users[Role.PARTY_BUILDING])  # closes the entry
    client.force_login(entry.owner)
    typed = {"version": seen, "value": "satisfied", "comment": "回访时反映人很满意"}
    response = client.post(rating_url(entry), typed)
    assert response.status_code == HTTPStatus.CONFLICT
    page = response.content.decode()
    assert 'data-action="rating"' not in page
    kept = re.search(r'data-testid="kept-text".*?</section>', page, re.S).group(0)
    assert "回访时反映人很满意</textarea>" in kept
    assert Rating.objects.count() == 1


def test_the_rating_admin_is_read_only(world, client_for):
    entry = entry_in(world, EntryStatus.REPLIED)
    rating = rate(entry, entry.owner)
    # Read-only whoever reads it: even the installation's superuser (the system administrator
    # keeps accounts and master data, not the ledger's rows, in the admin).
    admin = client_for(make_user("", username="root", is_staff=True, is_superuser=True))
    assert admin.get(reverse("admin:feedback_rating_changelist")).status_code == HTTPStatus.OK
    assert admin.get(reverse("admin:feedback_rating_add")).status_code == HTTPStatus.FORBIDDEN
    change = reverse("admin:feedback_rating_change", args=[rating.pk])
    assert admin.get(change).status_code == HTTPStatus.OK  # view only
    assert admin.post(change, {"value": "unsatisfied"}).status_code == HTTPStatus.FORBIDDEN
    delete = reverse("admin:feedback_rating_delete", args=[rating.pk])
    assert admin.post(delete, {"post": "yes"}).status_code == HTTPStatus.FORBIDDEN
    assert Rating.objects.get().value == Satisfaction.SATISFIED
