"""The knowledge base's pages (知识库): every reader lists and reads the active reply templates;
the party-building department writes, edits, retires and restores them (403 for the other
readers, 404 for anyone who reads none, for a missing template and, to its non-editors, for a
retired one); bad input is refused in Chinese with nothing written; two editors conflict."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.urls import reverse

from liaison.constants import TemplateUse
from liaison.models import AuditEvent, ReplyTemplate, ServiceItem
from liaison.services.knowledge import reply_template_create, reply_template_retire
from tests.fixtures.factories import make_user

EDITORS = ["party_building", "administrator"]
READERS = [
    "committee_staff",
    "branch_secretary",
    "leadership_cadre",
    "office_cadre",
    "grassroots_cadre",
    "party_member",
    "department_handler",
]


def items() -> list[ServiceItem]:
    return list(ServiceItem.objects.select_related("category").order_by("pk")[:3])


def template_of(world, *, item=None, title="电费电价政策解释", use=TemplateUse.REPLY, **extra):
    return reply_template_create(
        actor=world.users["party_building"],
        item=item,
        title=title,
        text=extra.pop("text", "您好！您反映的电费问题已核实。"),
        policy_refs=extra.pop("policy_refs", "《供电营业规则》"),
        use=use,
        **extra,
    )


@pytest.fixture
def templates(world):
    first, second, _third = items()
    return {
        "item": template_of(world, item=first, title="隐患整改答复"),
        "other": template_of(world, item=second, title="安全用品答复", use=TemplateUse.PLAN),
        "general": template_of(world, item=None, title="答复通用结构"),
        "retired": reply_template_retire(
            template=template_of(world, item=first, title="旧答复"),
            actor=world.users["party_building"],
        ),
    }


def titles(response) -> list[str]:
    return sorted(row.record.title for row in response.context["table"].page.object_list)


def valid_post(**changes) -> dict:
    data = {
        "item": str(items()[0].pk),
        "title": "低压业扩报装时限",
        "text": "您好！您的报装申请已受理。",
        "policy_refs": "本公司供电服务承诺",
        "use": TemplateUse.REPLY,
        "position": "1",
    }
    data.update(changes)
    return data


# -- who reads what -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", READERS)
def test_every_reader_lists_and_reads_the_active_templates(world, client_for, templates, role):
    client = client_for(world.users[role])
    response = client.get(reverse("liaison:knowledge_list"))
    assert response.status_code == HTTPStatus.OK
    assert titles(response) == ["安全用品答复", "答复通用结构", "隐患整改答复"]
    page = response.content.decode()
    assert 'data-testid="knowledge-new"' not in page
    detail = client.get(templates["item"].get_absolute_url())
    assert detail.status_code == HTTPStatus.OK
    assert "《供电营业规则》" in detail.content.decode()
    assert 'data-testid="template-actions"' not in detail.content.decode()
    # A retired template is gone for them, as a missing one.
    assert client.get(templates["retired"].get_absolute_url()).status_code == 404
    edit = reverse("liaison:knowledge_edit", args=[templates["retired"].pk])
    assert client.get(edit).status_code == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize("role", EDITORS)
def test_editors_also_list_and_open_the_retired_ones(world, client_for, templates, role):
    client = client_for(world.users[role])
    response = client.get(reverse("liaison:knowledge_list"))
    assert titles(response) == ["安全用品答复", "旧答复", "答复通用结构", "隐患整改答复"]
    assert 'data-testid="knowledge-new"' in response.content.decode()
    detail = client.get(templates["retired"].get_absolute_url()).content.decode()
    assert 'data-testid="retired"' in detail and 'data-testid="template-restore"' in detail
    only_retired = client.get(reverse("liaison:knowledge_list"), {"active": "false"})
    assert titles(only_retired) == ["旧答复"]


@pytest.mark.parametrize("role", READERS)
def test_readers_may_not_write_403_and_nothing_changes(world, client_for, templates, role):
    client = client_for(world.users[role])
    template = templates["item"]
    before = (ReplyTemplate.objects.count(), AuditEvent.objects.count())
    urls = [
        ("get", reverse("liaison:knowledge_create")),
        ("post", reverse("liaison:knowledge_create")),
        ("get", reverse("liaison:knowledge_edit", args=[template.pk])),
        ("post", reverse("liaison:knowledge_edit", args=[template.pk])),
        ("post", reverse("liaison:knowledge_retire", args=[template.pk])),
        ("post", reverse("liaison:knowledge_restore", args=[template.pk])),
    ]
    for method, url in urls:
        data = valid_post(version=str(template.version)) if method == "post" else None
        response = getattr(client, method)(url, data)
        assert response.status_code == HTTPStatus.FORBIDDEN, (method, url)
    assert (ReplyTemplate.objects.count(), AuditEvent.objects.count()) == before
    template.refresh_from_db()
    assert template.is_active and template.version == 1


def test_anyone_without_a_role_gets_404_and_the_anonymous_logs_in(world, client, templates):
    template = templates["item"]
    urls = [
        reverse("liaison:knowledge_list"),
        template.get_absolute_url(),
        reverse("liaison:knowledge_create"),
        reverse("liaison:knowledge_edit", args=[template.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == HTTPStatus.FOUND
        assert "/accounts/login/" in response["Location"]
    client.force_login(make_user(""))
    for url in urls:
        assert client.get(url).status_code == HTTPStatus.NOT_FOUND, url
    retire = reverse("liaison:knowledge_retire", args=[template.pk])
    assert client.post(retire).status_code == HTTPStatus.NOT_FOUND
    assert ReplyTemplate.objects.get(pk=template.pk).is_active


def test_a_missing_template_is_404_to_its_editors_too(world, client_for):
    client = client_for(world.users["party_building"])
    for name in ("knowledge_detail", "knowledge_edit"):
        assert client.get(reverse(f"liaison:{name}", args=[999_999])).status_code == 404
    for name in ("knowledge_retire", "knowledge_restore"):
        assert client.post(reverse(f"liaison:{name}", args=[999_999])).status_code == 404


def test_the_menu_offers_the_knowledge_base_to_its_editors(world, client_for):
    """The other readers open it from the template picker (test_knowledge_usage)."""
    url = reverse("liaison:knowledge_list")
    for role in EDITORS:
        page = client_for(world.users[role]).get(reverse("home")).content.decode()
        assert f'href="{url}"' in page, role
    page = client_for(world.users["branch_secretary"]).get(reverse("home")).content.decode()
    assert f'href="{url}"' not in page


# -- writing ------------------------------------------------------------------------------------


def test_the_party_building_department_writes_a_template(world, client_for):
    client = client_for(world.users["party_building"])
    assert client.get(reverse("liaison:knowledge_create")).status_code == HTTPStatus.OK
    response = client.post(reverse("liaison:knowledge_create"), valid_post())
    template = ReplyTemplate.objects.get()
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == template.get_absolute_url()
    assert (template.item, template.title, template.use, template.position) == (
        items()[0], "低压业扩报装时限", TemplateUse.REPLY, 1
    )  # fmt: skip
    assert template.created_by == world.users["party_building"] and template.usage_count == 0
    event = AuditEvent.objects.get(object_type="liaison.replytemplate")
    assert event.action == AuditEvent.Action.CREATED and event.object_id == str(template.pk)
    assert event.data["after"]["title"] == "低压业扩报装时限"


def test_a_template_for_every_item_has_no_item(world, client_for):
    client = client_for(world.users["party_building"])
    client.post(reverse("liaison:knowledge_create"), valid_post(item=""))
    assert ReplyTemplate.objects.get().item is None


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": "  "}, "title", "这个字段是必填项。"),
        ({"text": ""}, "text", "这个字段是必填项。"),
        ({"text": "答" * 2001}, "text", "2000"),
        ({"policy_refs": "规" * 1001}, "policy_refs", "1000"),
        ({"use": "everything"}, "use", "选择一个有效的选项"),
        ({"position": "-1"}, "position", "0"),
        ({"item": "999999"}, "item", "选择一个有效的选项"),
        ({"item": "abc"}, "item", "选择一个有效的选项"),
    ],
)
def test_bad_input_is_400_in_chinese_and_writes_nothing(world, client_for, changes, field, message):
    client = client_for(world.users["party_building"])
    events = AuditEvent.objects.count()
    response = client.post(reverse("liaison:knowledge_create"), valid_post(**changes))
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert message in " ".join(response.context["form"].errors[field])
    assert "部分内容填写有误，未作任何保存" in response.content.decode()
    assert not ReplyTemplate.objects.exists() and AuditEvent.objects.count() == events


def test_two_active_templates_of_one_item_may_not_share_a_title(world, client_for, templates):
    client = client_for(world.users["party_building"])
    data = valid_post(title="隐患整改答复")
    response = client.post(reverse("liaison:knowledge_create"), data)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "该服务事项已有同名的在用模板" in response.content.decode()
    assert ReplyTemplate.objects.filter(title="隐患整改答复").count() == 1
    # A retired one's title is free again; restoring that one is then refused.
    data = valid_post(title="旧答复")
    assert client.post(reverse("liaison:knowledge_create"), data).status_code == 302
    restore = reverse("liaison:knowledge_restore", args=[templates["retired"].pk])
    response = client.post(restore)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert not ReplyTemplate.objects.get(pk=templates["retired"].pk).is_active


def test_an_edit_is_audited_before_and_after_and_bumps_the_version(world, client_for, templates):
    client = client_for(world.users["party_building"])
    template = templates["item"]
    url = reverse("liaison:knowledge_edit", args=[template.pk])
    assert 'value="1"' in client.get(url).content.decode()  # the version the page shows
    data = valid_post(item=str(template.item_id), title=template.title, version="1")
    data["text"] = "您好！经核实，隐患已列入本月检修计划。"
    assert client.post(url, data).status_code == HTTPStatus.FOUND
    template.refresh_from_db()
    assert template.text == "您好！经核实，隐患已列入本月检修计划。" and template.version == 2
    assert template.updated_by == world.users["party_building"]
    event = AuditEvent.objects.filter(object_id=str(template.pk)).latest("pk")
    assert event.action == AuditEvent.Action.UPDATED
    assert event.data["changes"]["text"] == ["您好！您反映的电费问题已核实。", template.text]


def test_the_second_of_two_editors_gets_a_conflict_and_keeps_the_text(world, client_for, templates):
    template = templates["item"]
    url = reverse("liaison:knowledge_edit", args=[template.pk])
    client = client_for(world.users["party_building"])
    first = valid_post(item=str(template.item_id), title=template.title, version="1", text="甲")
    assert client.post(url, first).status_code == HTTPStatus.FOUND
    second = {**first, "text": "乙"}  # the second editor's page still shows version 1
    response = client.post(url, second)
    assert response.status_code == HTTPStatus.CONFLICT
    page = response.content.decode()
    assert "已被他人修改" in page and "\n乙</textarea>" in page
    template.refresh_from_db()
    assert (template.text, template.version) == ("甲", 2)
    assert client.post(url, {**second, "version": "2"}).status_code == HTTPStatus.FOUND
    template.refresh_from_db()
    assert (template.text, template.version) == ("乙", 3)


def test_retire_and_restore_keep_the_counts_and_are_audited(world, client_for, templates):
    client = client_for(world.users["administrator"])
    template = templates["item"]
    ReplyTemplate.objects.filter(pk=template.pk).update(usage_count=7)
    response = client.post(reverse("liaison:knowledge_retire", args=[template.pk]))
    assert response.status_code == HTTPStatus.FOUND
    template.refresh_from_db()
    assert not template.is_active and template.usage_count == 7
    event = AuditEvent.objects.filter(object_id=str(template.pk)).latest("pk")
    assert event.action == AuditEvent.Action.DEACTIVATED
    assert client.post(reverse("liaison:knowledge_restore", args=[template.pk])).status_code == 302
    template.refresh_from_db()
    assert template.is_active and template.usage_count == 7
    assert client.get(reverse("liaison:knowledge_retire", args=[template.pk])).status_code == 405


# -- the list -----------------------------------------------------------------------------------


def test_the_filters_narrow_the_list(world, client_for, templates):
    client = client_for(world.users["branch_secretary"])
    url = reverse("liaison:knowledge_list")
    first, second, _third = items()
    assert titles(client.get(url, {"q": "安全用品"})) == ["安全用品答复"]
    assert titles(client.get(url, {"q": "供电营业规则"})) == [
        "安全用品答复", "答复通用结构", "隐患整改答复"
    ]  # fmt: skip
    # An item's templates come with the ones for every item (what its entries are offered).
    assert titles(client.get(url, {"item": first.pk})) == ["答复通用结构", "隐患整改答复"]
    assert titles(client.get(url, {"category": second.category_id})) == [
        t.title for t in ReplyTemplate.objects.filter(
            item__category=second.category_id, is_active=True
        ).order_by("title")
    ]  # fmt: skip
    # "Reply" lists what a reply is offered: the reply templates and those for both.
    assert titles(client.get(url, {"use": TemplateUse.PLAN})) == ["安全用品答复"]
    assert titles(client.get(url, {"use": TemplateUse.REPLY})) == ["答复通用结构", "隐患整改答复"]
    sorted_page = client.get(url, {"sort": "-usage_count"})
    assert sorted_page.status_code == HTTPStatus.OK


@pytest.mark.parametrize(
    "params",
    [
        {"item": "abc"},
        {"use": "all"},
        {"sort": "text"},
        {"page": "0"},
        {"active": "false"},
        {"x": 1},
    ],
)
def test_bad_list_parameters_are_400(world, client_for, templates, params):
    client = client_for(world.users["branch_secretary"])  # "active" is the editors' filter
    response = client.get(reverse("liaison:knowledge_list"), params)
    assert response.status_code == HTTPStatus.BAD_REQUEST


def test_the_list_shows_how_often_and_when_each_was_last_used(world, client_for, templates):
    from django.utils import timezone

    at = timezone.now()
    ReplyTemplate.objects.filter(pk=templates["item"].pk).update(usage_count=12, last_used_at=at)
    page = client_for(world.users["party_member"]).get(reverse("liaison:knowledge_list"))
    html = page.content.decode()
    assert ">12<" in html and timezone.localtime(at).strftime("%Y-%m-%d") in html


def test_the_list_runs_the_same_queries_for_3_templates_as_for_40(
    world, client_for, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    all_items = list(ServiceItem.objects.all())
    client = client_for(world.users["party_building"])
    url = reverse("liaison:knowledge_list")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, {"sort": "item"}).status_code == HTTPStatus.OK
        return len(queries)

    for n in range(3):
        template_of(world, item=all_items[n], title=f"模板{n}")
    small = count()
    for n in range(3, 40):
        template_of(world, item=all_items[n % len(all_items)], title=f"模板{n}")
    # Session and user, the menu's unread count, the count and the page of templates with
    # their items and categories, the filter's category and item choices.
    with django_assert_max_num_queries(7):
        assert count() == small
