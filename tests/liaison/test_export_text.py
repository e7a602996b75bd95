"""Issue 14, item 1: the entry lists' Excel exports never carry a formula. Whatever a user typed
(title, description, informant, organisation, service item, channel, owner, department) comes
back as the text typed, in a text cell, with Excel's quote prefix where it starts like one."""

from __future__ import annotations

import pytest
from django.urls import reverse

from common.spreadsheets import sheet_append, text_cell
from liaison.constants import EntryScope, Role
from liaison.models import Channel, OrgNode, Person, ServiceItem, User
from tests.fixtures.factories import make_entry
from tests.fixtures.spreadsheets import HOSTILE_TEXTS, assert_typed_as_text, workbook_bytes

ROLE_OF = {
    EntryScope.BRANCH: Role.BRANCH_SECRETARY,
    EntryScope.MINE: Role.BRANCH_SECRETARY,
    EntryScope.ALL: Role.PARTY_BUILDING,
}


@pytest.fixture
def hostile_entry(world):
    secretary = world.users[Role.BRANCH_SECRETARY]
    hyperlink, plus, minus, at, tab, error = HOSTILE_TEXTS
    entry = make_entry(secretary, informant=world.member_a, title=hyperlink, description=plus)
    Person.objects.filter(pk=world.member_a.pk).update(name=minus)
    OrgNode.objects.filter(pk=entry.org_id).update(name=at)
    ServiceItem.objects.filter(pk=entry.item_id).update(name=tab)
    Channel.objects.filter(pk=entry.channel_id).update(name="=1+2")
    User.objects.filter(pk=secretary.pk).update(first_name=error, last_name="")
    return entry


@pytest.mark.parametrize("scope", list(ROLE_OF))
def test_every_entry_export_writes_typed_text_as_text(world, client_for, hostile_entry, scope):
    client = client_for(world.users[ROLE_OF[scope]])
    response = client.get(reverse(f"liaison:ledger_{scope}_export"))
    assert response.status_code == 200
    assert_typed_as_text(workbook_bytes(response), [*HOSTILE_TEXTS, "=1+2"])


def test_the_department_inbox_export_too(world, client_for, hostile_entry):
    from liaison.services.workflow.actions import entry_refer

    secretary = world.users[Role.BRANCH_SECRETARY]
    entry = hostile_entry
    entry_refer(
        actor=secretary, entry=entry, department=world.department, expected_version=entry.version
    )
    client = client_for(world.users[Role.DEPARTMENT_HANDLER])
    response = client.get(reverse("liaison:ledger_department_export"))
    assert_typed_as_text(workbook_bytes(response), [HOSTILE_TEXTS[0]])


def test_text_cell_keeps_the_text_and_marks_only_formula_starts():
    from openpyxl import Workbook

    sheet = Workbook().active
    cell = text_cell(sheet, "=1+1")
    assert (cell.value, cell.data_type, cell.quotePrefix) == ("=1+1", "s", True)
    plain = text_cell(sheet, "变压器增容")
    assert (plain.value, plain.data_type, plain.quotePrefix) == ("变压器增容", "s", False)
    sheet_append(sheet, ["=A1", 3, 0.5, None])  # numbers stay numbers
    assert [c.data_type for c in sheet[1]] == ["s", "n", "n", "n"]
