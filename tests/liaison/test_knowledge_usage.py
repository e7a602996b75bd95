"""Reply templates on the entry page: the picker on the reply and plan forms lists the active
templates of the entry's service item (and those for every item) written for that step; a saved
reply or plan that carried a template's id counts one use of it; a template of another item, a
retired one or a forged id counts nothing and never stops the reply; the page's queries do not
grow with the templates."""

from __future__ import annotations

import re
from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from liaison.constants import EntryStatus, ReplyMethod, Role, TemplateUse
from liaison.models import Entry, ReplyTemplate, ServiceItem
from liaison.services.knowledge import (
    reply_template_create,
    reply_template_retire,
    reply_template_use,
)
from liaison.services.workflow import Action
from tests.fixtures.walks import entry_in

S = EntryStatus


def make_template(world, *, item, title, use=TemplateUse.REPLY) -> ReplyTemplate:
    return reply_template_create(
        actor=world.users[Role.PARTY_BUILDING],
        item=item,
        title=title,
        text=f"{title}的标准答复。",
        policy_refs=f"{title}的政策依据",
        use=use,
    )


@pytest.fixture
def kb(world):
    """Templates around the service item the test entries are recorded under."""
    item = ServiceItem.objects.order_by("pk").first()
    other = ServiceItem.objects.exclude(pk=item.pk).order_by("pk").first()
    return {
        "reply": make_template(world, item=item, title="本事项答复"),
        "plan": make_template(world, item=item, title="本事项方案", use=TemplateUse.PLAN),
        "both": make_template(world, item=item, title="本事项通用", use=TemplateUse.BOTH),
        "general": make_template(world, item=None, title="通用答复结构"),
        "other": make_template(world, item=other, title="他事项答复"),
        "retired": reply_template_retire(
            template=make_template(world, item=item, title="旧答复"),
            actor=world.users[Role.PARTY_BUILDING],
        ),
    }


def picker(page: str, action: str) -> list[str]:
    """The titles the picker of `action`'s form offers, in order."""
    form = page.split(f'data-action="{action}"', 1)[1].split("</form>", 1)[0]
    return re.findall(r'<span class="fw-semibold small" id="template-\w+-\d+">([^<]+)</span>', form)


def reply(client, entry: Entry, **data):
    url = reverse("liaison:entry_act", args=[entry.pk, Action.REPLY])
    post = {"version": entry.version, "text": "已处理，请知悉。", "method": ReplyMethod.PHONE}
    return client.post(url, {**post, **data})


def uses(template: ReplyTemplate) -> int:
    return ReplyTemplate.objects.get(pk=template.pk).usage_count


# -- the picker ---------------------------------------------------------------------------------


def test_the_reply_form_offers_the_items_reply_templates_then_the_general(world, client_for, kb):
    entry = entry_in(world, S.RESOLVED)
    page = client_for(entry.owner).get(entry.get_absolute_url()).content.decode()
    assert picker(page, Action.REPLY) == ["本事项答复", "本事项通用", "通用答复结构"]
    assert "本事项方案的标准答复" not in page and "他事项答复" not in page and "旧答复" not in page
    assert "本事项答复的政策依据" in page  # the policy shows beside the answer
    assert 'src="/static/js/reply_templates.js"' in page
    # The picker names the form's own text box and hidden field.
    assert 'data-target="id_replyform_text" data-field="id_replyform_template"' in page
    assert 'name="template" id="id_replyform_template"' in page
    # The way into the knowledge base for those who reply: the item's templates there.
    assert f'href="/knowledge/?item={entry.item_id}"' in page


def test_the_plan_form_offers_the_plan_templates(world, client_for, kb):
    entry = entry_in(world, S.REFERRED)
    page = client_for(world.users[Role.DEPARTMENT_HANDLER]).get(entry.get_absolute_url())
    assert picker(page.content.decode(), Action.RECORD_PLAN) == ["本事项方案", "本事项通用"]


def test_no_picker_and_no_script_without_templates(world, client_for):
    entry = entry_in(world, S.RESOLVED)
    page = client_for(entry.owner).get(entry.get_absolute_url()).content.decode()
    assert 'data-testid="template-picker"' not in page
    assert "reply_templates.js" not in page
    assert 'name="template"' in page  # the hidden field is there all the same, empty


def test_a_reader_without_the_reply_form_sees_no_picker(world, client_for, kb):
    entry = entry_in(world, S.RESOLVED)
    page = client_for(world.users[Role.DEPARTMENT_HANDLER]).get(entry.get_absolute_url())
    assert 'data-testid="template-picker"' not in page.content.decode()


# -- counting -----------------------------------------------------------------------------------


def test_a_reply_from_a_template_counts_one_use_and_names_it_on_the_timeline(world, client_for, kb):
    entry = entry_in(world, S.RESOLVED)
    client = client_for(entry.owner)
    text = "本事项答复的标准答复。另：已于周三上门核实。"  # inserted, then edited
    response = reply(client, entry, text=text, template=str(kb["reply"].pk))
    assert response.status_code == HTTPStatus.FOUND
    entry.refresh_from_db()
    assert entry.status == S.REPLIED and entry.reply_text == text
    template = ReplyTemplate.objects.get(pk=kb["reply"].pk)
    assert template.usage_count == 1 and template.last_used_at is not None
    assert template.version == 1  # a use is no edit
    event = entry.events.latest("pk")
    assert event.after["template"] == "本事项答复"
    page = client.get(entry.get_absolute_url()).content.decode()
    assert "所用答复模板: 本事项答复" in page
    assert [uses(kb[k]) for k in ("plan", "both", "general", "other")] == [0, 0, 0, 0]


def test_a_general_template_and_one_for_both_steps_count_too(world, client_for, kb):
    first, second = entry_in(world, S.RESOLVED), entry_in(world, S.RESOLVED)
    client = client_for(first.owner)
    assert reply(client, first, template=str(kb["general"].pk)).status_code == 302
    assert reply(client, second, template=str(kb["both"].pk)).status_code == 302
    assert (uses(kb["general"]), uses(kb["both"])) == (1, 1)


def test_a_plan_from_a_template_counts_one_use(world, client_for, kb):
    entry = entry_in(world, S.REFERRED)
    client = client_for(world.users[Role.DEPARTMENT_HANDLER])
    url = reverse("liaison:entry_act", args=[entry.pk, Action.RECORD_PLAN])
    data = {"version": entry.version, "plan": "一、勘察；二、整改", "template": kb["plan"].pk}
    assert client.post(url, data).status_code == HTTPStatus.FOUND
    assert Entry.objects.get(pk=entry.pk).status == S.PLANNED
    assert uses(kb["plan"]) == 1


@pytest.mark.parametrize(
    "template",
    ["other", "retired", "plan", "missing", "forged", "negative", "huge"],
)
def test_a_template_that_does_not_apply_counts_nothing_and_the_reply_is_saved(
    world, client_for, kb, template
):
    entry = entry_in(world, S.RESOLVED)
    value = {
        "missing": "999999",
        "forged": "1 OR 1=1",
        "negative": "-3",
        "huge": "99999999999999999999",
    }.get(template) or str(kb[template].pk)
    response = reply(client_for(entry.owner), entry, template=value)
    assert response.status_code == HTTPStatus.FOUND
    entry.refresh_from_db()
    assert entry.status == S.REPLIED and "template" not in entry.events.latest("pk").after
    assert ReplyTemplate.objects.filter(usage_count__gt=0).count() == 0


def test_a_refused_reply_counts_nothing(world, client_for, kb):
    entry = entry_in(world, S.RESOLVED)
    client = client_for(entry.owner)
    empty = reply(client, entry, text="  ", template=str(kb["reply"].pk))
    assert empty.status_code == HTTPStatus.BAD_REQUEST
    stale = reply(client, entry, version=entry.version - 1, template=str(kb["reply"].pk))
    assert stale.status_code == HTTPStatus.CONFLICT
    assert uses(kb["reply"]) == 0
    # After the conflict the page offers the typed reply again, with the template still named.
    assert f'name="template" value="{kb["reply"].pk}"' in stale.content.decode()


def test_the_count_adds_in_the_database(world, kb):
    """Two replies saved at once both count: the service adds one in the UPDATE, never writes a
    count it read before."""
    entry = entry_in(world, S.RESOLVED)
    ReplyTemplate.objects.filter(pk=kb["reply"].pk).update(usage_count=41)
    title = reply_template_use(template_id=kb["reply"].pk, entry=entry, step=TemplateUse.REPLY)
    assert title == "本事项答复" and uses(kb["reply"]) == 42


# -- queries ------------------------------------------------------------------------------------


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == HTTPStatus.OK
    return len(queries)


def test_the_entry_page_reads_the_templates_in_one_query_whatever_their_number(
    world, client_for, django_assert_max_num_queries
):
    entry = entry_in(world, S.RESOLVED)
    client = client_for(entry.owner)
    url = entry.get_absolute_url()
    none = count_queries(client, url)
    for n in range(3):
        make_template(world, item=entry.item, title=f"答复{n}")
    few = count_queries(client, url)
    for n in range(3, 30):
        make_template(world, item=entry.item if n % 2 else None, title=f"答复{n}")
    assert none == few == count_queries(client, url)
    # The page of a resolved entry, with the reply form: 20 queries before the knowledge base
    # (attachments and related entries included; the entry's category, informant, its org and
    # visit prefetched), and one more for the reply form's picker.
    with django_assert_max_num_queries(21):
        assert client.get(url).status_code == HTTPStatus.OK
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    assert len([q for q in queries.captured_queries if "liaison_replytemplate" in q["sql"]]) == 1


def test_an_entry_page_without_a_reply_or_plan_form_reads_no_template(world, client_for, kb):
    entry = entry_in(world, S.RECORDED)
    client = client_for(entry.owner)
    with CaptureQueriesContext(connection) as queries:
        client.get(entry.get_absolute_url())
    assert not [q for q in queries.captured_queries if "liaison_replytemplate" in q["sql"]]
