"""The Excel import: template, dry run, all-or-nothing apply, large files on the worker, access."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from http import HTTPStatus

import openpyxl
import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from kombu.exceptions import OperationalError
from openpyxl.chart import BarChart, Reference

from liaison import tasks
from liaison.constants import (
    BRANCH_TYPE_IMPORT_LABELS,
    ORG_KIND_IMPORT_LABELS,
    PAIRING_KIND_IMPORT_LABELS,
    PERSON_KIND_IMPORT_LABELS,
    UNIT_KIND_IMPORT_LABELS,
    BranchType,
    OrgKind,
    PairingKind,
    PersonKind,
    Role,
    UnitKind,
)
from liaison.models import AuditEvent, ImportJob, OrgNode, Pairing, Person, Unit
from liaison.services import imports
from liaison.services.imports import jobs
from liaison.services.imports.workbook import SHEETS
from tests.fixtures.factories import PairingFactory
from tests.fixtures.imports import XLSX, many_people, org, pairing, person, unit, upload, workbook

MAINTAINERS = [Role.PARTY_BUILDING, Role.ADMINISTRATOR]
OTHERS = [role for role in Role if role not in MAINTAINERS]


def valid_sheets() -> dict[str, list[dict]]:
    """A new committee with a grassroots branch (and a group) and an office branch, two units,
    three people, four pairings; and updates of an existing branch and an existing member."""
    return {
        "组织": [
            # Children before their parents: the import sorts them.
            org("G9", "第九党小组", "党小组", "B9"),
            org("B9", "新城供电所党支部", "党支部", "K9", "基层"),
            org("K9", "新城党委", "党委", "C"),
            org("BO9", "新城机关党支部", "党支部", "K9", "机关"),
            org("BA", "变电运维党支部（更名）", "党支部", "KA", "基层"),
        ],
        "单位": [
            unit("U10", "新城一班", "班组", "B9", "U9"),
            unit("U9", "新城供电所", "供电所", "B9"),
        ],
        "人员": [
            person("P9001", "王一", "职工", "G9", "U10", 职务="班长", 党员="是", 一线员工="是"),
            person("P9002", "赵二", "职工", "BO9", 职务="干部", 党员="是"),
            person("P9003", "新城家具厂", "企业", "B9", 联系人="钱三", 电话=13800000000),
        ],
        "结对": [
            pairing("基层干部联系班站", "P9002", "U9", "2026-01-01"),
            pairing("党员服务职工或客户", "P9001", "P9003", "2026/1/1"),
            pairing("机关支部与基层支部联建", "BO9", "B9", "2026-01-01"),
            pairing(
                "机关干部业务包保一线员工", "P9002", "P9001", "2026-02-01", "2026-12-31", "一年"
            ),
        ],
    }


def table_counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (OrgNode, Unit, Person, Pairing, AuditEvent)
    }


def last_job() -> ImportJob:
    return ImportJob.objects.order_by("-pk").first()


def counts_of(job: ImportJob) -> dict[str, tuple[int, int, int]]:
    return {
        line["sheet"]: (line["created"], line["updated"], line["unchanged"])
        for line in job.summary["counts"]
    }


@pytest.fixture
def maintainer_client(world, client_for):
    return client_for(world.users[Role.PARTY_BUILDING])


# -- labels and template ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("choices", "labels"),
    [
        (OrgKind, ORG_KIND_IMPORT_LABELS),
        (BranchType, BRANCH_TYPE_IMPORT_LABELS),
        (UnitKind, UNIT_KIND_IMPORT_LABELS),
        (PersonKind, PERSON_KIND_IMPORT_LABELS),
        (PairingKind, PAIRING_KIND_IMPORT_LABELS),
    ],
)
def test_every_enum_value_has_one_distinct_import_label(choices, labels):
    assert set(labels) == set(choices.values)
    assert len(set(labels.values())) == len(labels)


def test_template_downloads_as_a_workbook_with_every_sheet(maintainer_client):
    response = maintainer_client.get(reverse("liaison:import_template"))
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"].startswith("attachment;")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["说明", "组织", "单位", "人员", "结对"]
    for name, columns in SHEETS.items():
        rows = list(book[name].iter_rows(values_only=True))
        assert list(rows[0]) == [c.header for c in columns]
        assert len(rows) == 2  # headers and one example
    explained = {(r[0], r[1]) for r in book["说明"].iter_rows(values_only=True)}
    assert ("人员", "特需员工") in explained
    allowed = " ".join(str(r[4]) for r in book["说明"].iter_rows(values_only=True) if r[4])
    assert all(label in allowed for label in PAIRING_KIND_IMPORT_LABELS.values())


def test_the_template_itself_is_read_and_its_example_rows_checked(maintainer_client):
    template = maintainer_client.get(reverse("liaison:import_template")).content
    response = upload(maintainer_client, template)
    assert response.status_code == HTTPStatus.FOUND
    job = last_job()
    # The examples refer to codes that exist nowhere: reported, not a crash.
    assert job.status == ImportJob.Status.INVALID
    assert {e["sheet"] for e in job.errors} <= set(SHEETS)


# -- dry run and apply --------------------------------------------------------------------------


def test_dry_run_writes_nothing_and_reports_what_it_would_do(world, maintainer_client):
    before = table_counts()
    response = upload(maintainer_client, workbook(valid_sheets()))
    job = last_job()
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == reverse("liaison:import_detail", args=[job.pk])
    assert table_counts() == before
    assert job.status == ImportJob.Status.VALID
    assert job.dry_run
    assert job.errors == []
    assert job.total_rows == job.processed_rows == 14
    assert counts_of(job) == {
        "组织": (4, 1, 0),
        "单位": (2, 0, 0),
        "人员": (3, 0, 0),
        "结对": (4, 0, 0),
    }
    page = maintainer_client.get(response.url)
    assert page.status_code == HTTPStatus.OK
    assert b'data-testid="import-counts"' in page.content
    assert b'data-testid="apply-form"' in page.content


def test_apply_builds_the_tree_units_people_and_pairings(world, maintainer_client):
    upload(maintainer_client, workbook(valid_sheets()))
    check = last_job()
    response = maintainer_client.post(reverse("liaison:import_apply", args=[check.pk]))
    run = last_job()
    assert run.pk != check.pk
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == reverse("liaison:import_detail", args=[run.pk])
    assert run.status == ImportJob.Status.DONE
    assert not run.dry_run
    assert run.uploaded_by == world.users[Role.PARTY_BUILDING]

    committee = OrgNode.objects.get(code="K9")
    branch = OrgNode.objects.get(code="B9")
    group = OrgNode.objects.get(code="G9")
    office = OrgNode.objects.get(code="BO9")
    assert OrgNode.objects.get_parent(committee) == world.company
    assert OrgNode.objects.get_parent(branch) == committee
    assert OrgNode.objects.get_parent(office) == committee
    assert OrgNode.objects.get_parent(group) == branch
    assert group.path.startswith(branch.path) and branch.path.startswith(committee.path)
    assert (branch.kind, branch.branch_type) == (OrgKind.BRANCH, BranchType.GRASSROOTS)
    assert group.branch_type == BranchType.GRASSROOTS  # taken from its branch
    assert office.branch_type == BranchType.OFFICE
    world.branch_a.refresh_from_db()
    assert world.branch_a.name == "变电运维党支部（更名）"

    supply, team = Unit.objects.get(code="U9"), Unit.objects.get(code="U10")
    assert (supply.kind, supply.branch, supply.parent) == (UnitKind.SUPPLY_OFFICE, branch, None)
    assert (team.kind, team.parent) == (UnitKind.TEAM, supply)

    wang = Person.objects.get(code="P9001")
    assert (wang.org, wang.unit, wang.position) == (group, team, "班长")
    assert wang.is_party_member and wang.is_frontline and not wang.is_special_needs
    factory = Person.objects.get(code="P9003")
    assert (factory.kind, factory.phone, factory.contact_person) == (
        PersonKind.ENTERPRISE,
        "13800000000",
        "钱三",
    )

    zhao = Person.objects.get(code="P9002")
    assert Pairing.objects.filter(kind=PairingKind.CADRE_TEAM, person=zhao, target_unit=supply)
    assert Pairing.objects.filter(kind=PairingKind.BRANCH_JOINT, org=office, target_org=branch)
    ended = Pairing.objects.get(kind=PairingKind.OFFICE_CADRE_FRONTLINE)
    assert (ended.person, ended.target_person, ended.end_on.isoformat(), ended.note) == (
        zhao,
        wang,
        "2026-12-31",
        "一年",
    )
    assert Pairing.objects.filter(person=wang, target_person=factory).count() == 1

    event = AuditEvent.objects.get(action=AuditEvent.Action.IMPORTED)
    assert event.actor == world.users[Role.PARTY_BUILDING]
    assert event.data["counts"] == run.summary["counts"]
    # The check cannot be applied a second time.
    again = maintainer_client.post(reverse("liaison:import_apply", args=[check.pk]))
    assert again.status_code == HTTPStatus.CONFLICT
    assert ImportJob.objects.count() == 2


def test_reimport_updates_without_duplicating(world, maintainer_client):
    content = workbook(valid_sheets())
    upload(maintainer_client, content, dry_run=False)
    assert last_job().status == ImportJob.Status.DONE
    after_first = table_counts()

    upload(maintainer_client, content, dry_run=False)
    job = last_job()
    assert job.status == ImportJob.Status.DONE
    assert counts_of(job) == {
        "组织": (0, 0, 5),
        "单位": (0, 0, 2),
        "人员": (0, 0, 3),
        "结对": (0, 0, 4),
    }
    assert table_counts() == {**after_first, "AuditEvent": after_first["AuditEvent"] + 1}

    sheets = valid_sheets()
    sheets["人员"][0]["职务"] = "副班长"
    sheets["结对"][0]["结束日期"] = "2026-06-30"
    sheets["人员"].append(
        person(world.member_a.code, "张党员", "职工", "GA", world.team_a.code, 党员="是")
    )
    upload(maintainer_client, workbook(sheets), dry_run=False)
    job = last_job()
    assert job.status == ImportJob.Status.DONE
    assert counts_of(job)["人员"] == (0, 2, 2)
    assert counts_of(job)["结对"] == (0, 1, 3)
    assert Person.objects.get(code="P9001").position == "副班长"
    world.member_a.refresh_from_db()
    assert not world.member_a.is_frontline  # the row is the whole truth: empty means no
    assert Pairing.objects.get(kind=PairingKind.CADRE_TEAM).end_on.isoformat() == "2026-06-30"
    assert Pairing.objects.count() == after_first["Pairing"]


BAD_ROWS = {
    "组织": [
        org("K9", "新城党委", "党组", "C"),  # 2: unknown type label
        org("B9", "新城党支部", "党支部", "KA"),  # 3: a branch without its type
        org("G9", "小组", "党小组", "KA"),  # 4: a group cannot sit under a committee
        org("B9", "重复", "党支部", "KA", "基层"),  # 5: code used in row 3
        org("B8", "无上级", "党支部", "NOPE", "基层"),  # 6: unknown parent code
    ],
    "单位": [
        unit("U9", "新城供电所", "供电所", "XX"),  # 2: unknown branch code
        unit("U8", "机关部门", "部门", "BA"),  # 3: unknown unit type
        unit("U7", "归属党委", "班组", "KA"),  # 4: covered by a committee, not a branch
    ],
    "人员": [
        person("P9", "某企业", "企业", "BA", 党员="是"),  # 2: an outside party as member
        person("P8", "", "职工", "BA", 党员="是"),  # 3: no name
        person("P7", "某人", "职工", "BA", 一线员工="也许"),  # 4: neither yes nor no
    ],
    "结对": [
        pairing("党员服务职工或客户", "P8", "P9", "2026-13-01"),  # 2: bad date
        pairing("党员服务职工或客户", "P8", "P9", "2026-03-01", "2026-02-01"),  # 3: ends early
        pairing("随便联系", "P8", "P9", "2026-01-01"),  # 4: unknown kind
        pairing(
            "机关支部与基层支部联建", "BA", "BB", "2026-01-01"
        ),  # 5: BA is not an office branch
        pairing("基层干部联系班站", "P8", "NOPE", "2026-01-01"),  # 6: unknown unit
    ],
}
BAD_CELLS = {
    ("组织", 2, "类型"),
    ("组织", 3, "支部类别"),
    ("组织", 4, "类型"),
    ("组织", 5, "编码"),
    ("组织", 6, "上级编码"),
    ("单位", 2, "所属支部编码"),
    ("单位", 3, "类型"),
    ("单位", 4, "所属支部编码"),
    ("人员", 2, "党员"),
    ("人员", 3, "姓名/名称"),
    ("人员", 4, "一线员工"),
    ("结对", 2, "开始日期"),
    ("结对", 3, "结束日期"),
    ("结对", 4, "类型"),
    ("结对", 5, "联系人编码"),
    ("结对", 6, "对象编码"),
}


def test_every_bad_row_is_reported_with_row_and_column_and_nothing_is_written(
    world, maintainer_client
):
    before = table_counts()
    response = upload(maintainer_client, workbook(BAD_ROWS), dry_run=False)
    job = last_job()
    assert response.status_code == HTTPStatus.FOUND
    assert job.status == ImportJob.Status.INVALID
    assert {(e["sheet"], e["row"], e["column"]) for e in job.errors} == BAD_CELLS
    assert all(e["message"] for e in job.errors)
    assert job.summary["error_count"] == len(BAD_CELLS)
    assert table_counts() == before

    page = maintainer_client.get(response.url)
    assert b'data-testid="import-errors"' in page.content
    assert "所属支部编码".encode() in page.content
    assert b'data-testid="apply-form"' not in page.content
    refused = maintainer_client.post(reverse("liaison:import_apply", args=[job.pk]))
    assert refused.status_code == HTTPStatus.CONFLICT
    assert table_counts() == before


def test_a_bad_row_among_good_ones_blocks_the_whole_import(world, maintainer_client):
    sheets = valid_sheets()
    sheets["结对"].append(pairing("党员服务职工或客户", "P9001", "P9003", "2026-01-01"))
    before = table_counts()
    upload(maintainer_client, workbook(sheets), dry_run=False)
    job = last_job()
    assert job.status == ImportJob.Status.INVALID
    # Row 3 has 2026/1/1, the same date written differently: the same pairing twice.
    assert [(e["sheet"], e["row"], e["column"]) for e in job.errors] == [("结对", 6, "联系人编码")]
    assert table_counts() == before


def test_each_new_pairing_is_checked_against_the_rules_of_its_kind(world, maintainer_client):
    cadre, member_b = world.cadre_person.code, world.member_b.code
    sheets = {
        "人员": [
            person("P1", "王一", "职工", "BA"),  # 2: not a party member
            person("P2", "赵二", "职工", "BA", 一线员工="是"),  # 3: frontline, not special-needs
            person("P3", "某企业", "企业", "BA"),  # 4
            # 5: the workbook makes 李党员 a frontline employee: the pairing in row 10 may follow.
            person(member_b, "李党员", "职工", "BB", world.team_b.code, 党员="是", 一线员工="是"),
        ],
        "结对": [
            pairing("党员服务职工或客户", "P1", "P3", "2026-01-01"),  # 2: P1 is no member
            pairing("机关干部业务包保一线员工", cadre, "P3", "2026-01-01"),  # 3: not an employee
            pairing("支部书记联系特需员工", cadre, "P2", "2026-01-01"),  # 4: not special-needs
            pairing("基层干部联系班站", cadre, world.department.code, "2026-01-01"),  # 5: dept
            pairing("领导干部联系点", "P3", world.team_a.code, "2026-01-01"),  # 6: external leader
            pairing("党员服务职工或客户", world.member_a.code, world.member_a.code, "2026-01-01"),
            pairing("机关干部业务包保一线员工", cadre, world.special_a.code, "2026-01-01"),  # 8: ok
            pairing("机关支部与基层支部联建", "BO", "GA", "2026-01-01"),  # 9: a group
            pairing("机关干部业务包保一线员工", cadre, member_b, "2026-01-01"),  # 10: ok, row 5
            pairing("党员服务职工或客户", world.member_a.code, "P2", "2026-01-01"),  # 11: ok
        ],
    }
    upload(maintainer_client, workbook(sheets))
    job = last_job()
    assert job.status == ImportJob.Status.INVALID
    assert {(e["sheet"], e["row"], e["column"]) for e in job.errors} == {
        ("结对", 2, "联系人编码"),
        ("结对", 3, "对象编码"),
        ("结对", 4, "对象编码"),
        ("结对", 5, "对象编码"),
        ("结对", 6, "联系人编码"),
        ("结对", 7, "对象编码"),
        ("结对", 9, "对象编码"),
    }


def test_a_pairing_already_there_is_not_rechecked_against_the_rules(world, maintainer_client):
    # Made when 李党员 had a special need; the need has been met since.
    PairingFactory(
        kind=PairingKind.SECRETARY_SPECIAL_NEEDS,
        person=world.cadre_person,
        target_person=world.member_b,
        start_on=dt.date(2025, 1, 1),
    )
    row = pairing(
        "支部书记联系特需员工",
        world.cadre_person.code,
        world.member_b.code,
        "2025-01-01",
        "2025-12-31",
    )
    upload(maintainer_client, workbook({"结对": [row]}), dry_run=False)
    job = last_job()
    assert job.status == ImportJob.Status.DONE, job.errors
    assert counts_of(job)["结对"] == (0, 1, 0)


def test_a_cycle_of_parents_is_reported(world, maintainer_client):
    sheets = {
        "组织": [
            org("X1", "甲", "党总支", "X2"),
            org("X2", "乙", "党总支", "X1"),
        ],
        "单位": [unit("V1", "甲", "班组", "BA", "V2"), unit("V2", "乙", "班组", "BA", "V1")],
    }
    upload(maintainer_client, workbook(sheets))
    cells = {(e["sheet"], e["row"], e["column"]) for e in last_job().errors}
    assert {("组织", 2, "上级编码"), ("组织", 3, "上级编码")} <= cells
    assert {("单位", 2, "上级单位编码"), ("单位", 3, "上级单位编码")} <= cells


def test_the_import_neither_moves_nor_retypes_an_existing_node(world, maintainer_client):
    sheets = {
        "组织": [org("BA", "变电运维党支部", "党支部", "KB", "基层"), org("KB", "x", "党总支", "C")]
    }
    upload(maintainer_client, workbook(sheets))
    cells = {(e["row"], e["column"]) for e in last_job().errors}
    assert cells == {(2, "上级编码"), (3, "类型")}


def test_branch_types_never_change_and_groups_have_their_branchs(world, maintainer_client):
    sheets = {
        "组织": [
            org("BA", "变电运维党支部", "党支部", "KA", "机关"),  # 2: BA is grassroots
            org("BO", "机关第一党支部", "党支部", "KA"),  # 3: empty keeps the type
            org("GA", "第一党小组", "党小组", "BA", "机关"),  # 4: an existing group, retyped
            org("G1", "新小组一", "党小组", "BA", "机关"),  # 5: not its branch's type
            org("G2", "新小组二", "党小组", "BA", "基层"),  # 6: its branch's type
            org("G3", "新小组三", "党小组", "B9"),  # 7: empty: the branch's
            org("G4", "新小组四", "党小组", "B9", "基层"),  # 8: not its new branch's type
            org("B9", "新机关党支部", "党支部", "KA", "机关"),  # 9
        ]
    }
    upload(maintainer_client, workbook(sheets))
    job = last_job()
    assert {(e["row"], e["column"]) for e in job.errors} == {
        (2, "支部类别"),
        (4, "支部类别"),
        (5, "支部类别"),
        (8, "支部类别"),
    }

    del sheets["组织"][6]  # G4
    for row in (0, 2, 3):
        sheets["组织"][row]["支部类别"] = ""
    upload(maintainer_client, workbook(sheets), dry_run=False)
    job = last_job()
    assert job.status == ImportJob.Status.DONE, job.errors
    assert counts_of(job)["组织"] == (4, 0, 3)
    types = dict(OrgNode.objects.values_list("code", "branch_type"))
    assert (types["BA"], types["BO"], types["GA"]) == ("grassroots", "office", "grassroots")
    assert (types["G1"], types["G2"], types["G3"], types["B9"]) == (
        "grassroots",
        "grassroots",
        "office",
        "office",
    )


# -- bad files ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("名单.xlsx", "编码,名称\nK1,党委\n".encode()),  # a renamed text file
        ("名单.csv", "编码,名称\n".encode()),
        ("名单.xls", b"\xd0\xcf\x11\xe0" + b"\0" * 100),
        ("名单.xlsx", b"PK\x03\x04 broken zip"),
    ],
)
def test_a_file_that_is_not_a_workbook_is_refused_with_a_message(maintainer_client, name, content):
    response = upload(maintainer_client, content, name=name)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert b'data-testid="file-errors"' in response.content
    assert ImportJob.objects.count() == 0


def test_an_oversize_file_is_refused(maintainer_client):
    content = workbook(valid_sheets())
    with override_settings(IMPORT_MAX_UPLOAD_BYTES=len(content) - 1):
        response = upload(maintainer_client, content)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert b'data-testid="file-errors"' in response.content
    assert ImportJob.objects.count() == 0


def test_a_workbook_without_the_sheets_or_with_wrong_headers_is_refused(maintainer_client):
    response = upload(maintainer_client, workbook({}, extra_sheets=("Sheet1",)))
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "组织".encode() in response.content  # the message names the sheets expected

    book = openpyxl.Workbook()
    book.active.title = "人员"
    book.active.append(["编码", "名字", "类型"])
    out = io.BytesIO()
    book.save(out)
    response = upload(maintainer_client, out.getvalue())
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "所属组织编码".encode() in response.content  # a missing column is named
    assert ImportJob.objects.count() == 0


def with_chart_sheet(name: str) -> bytes:
    book = openpyxl.Workbook()
    data = book.active
    data.title = "数据"
    data.append([1])
    data.append([2])
    chart = BarChart()
    chart.add_data(Reference(data, min_col=1, min_row=1, max_row=2))
    book.create_chartsheet(name).add_chart(chart)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def with_damaged_cell() -> bytes:
    """A workbook that opens, but whose first cell points at a shared string that is not there."""
    content = workbook({"人员": [person("P1", "钱七", "职工", "BA")]})
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(out, "w") as target,
    ):
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                start, end = data.index(b'<c r="A1"'), data.index(b"</c>") + len(b"</c>")
                data = data[:start] + b'<c r="A1" t="s"><v>99</v></c>' + data[end:]
            target.writestr(info, data)
    return out.getvalue()


@pytest.mark.parametrize("sheet", list(SHEETS))
def test_a_chart_sheet_under_a_sheet_name_is_refused_with_a_message(maintainer_client, sheet):
    response = upload(maintainer_client, with_chart_sheet(sheet))
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert b'data-testid="file-errors"' in response.content
    assert sheet.encode() in response.content
    assert ImportJob.objects.count() == 0


def test_a_workbook_that_breaks_while_its_rows_are_read_is_refused(maintainer_client):
    response = upload(maintainer_client, with_damaged_cell())
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert b'data-testid="file-errors"' in response.content
    assert ImportJob.objects.count() == 0


def test_a_job_whose_workbook_breaks_while_read_is_invalid_not_failed(world):
    job = ImportJob.objects.create(
        uploaded_by=world.users[Role.PARTY_BUILDING],
        filename="x.xlsx",
        content=with_damaged_cell(),
    )
    imports.import_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.INVALID
    assert [e["sheet"] for e in job.errors] == [""]


def test_upload_without_a_file_is_a_form_error(maintainer_client):
    response = maintainer_client.post(reverse("liaison:import_start"), {"dry_run": "on"})
    assert response.status_code == HTTPStatus.BAD_REQUEST


def test_sheets_may_be_missing_or_empty_and_extra_columns_are_ignored(world, maintainer_client):
    book = openpyxl.Workbook()
    book.active.title = "组织"  # empty sheet
    people = book.create_sheet("人员")
    people.append(["序号", *[c.header for c in SHEETS["人员"]]])
    people.append([1, "P77", "钱七", "职工", "BA"])
    people.append([])
    people.append([2, 78, "孙八", "个人客户", "BA"])  # a code typed as a number
    out = io.BytesIO()
    book.save(out)
    upload(maintainer_client, out.getvalue(), dry_run=False)
    job = last_job()
    assert job.status == ImportJob.Status.DONE, job.errors
    assert job.total_rows == 2
    assert Person.objects.get(code="78").kind == PersonKind.INDIVIDUAL


# -- large workbooks go to the worker -----------------------------------------------------------


@override_settings(IMPORT_INLINE_MAX_ROWS=5)
def test_a_large_workbook_runs_as_a_task_after_commit(
    world, maintainer_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = upload(maintainer_client, many_people(30), dry_run=False)
    job = last_job()
    assert response.url == reverse("liaison:import_detail", args=[job.pk])
    assert job.status == ImportJob.Status.PENDING
    assert len(callbacks) == 1
    page = maintainer_client.get(response.url, headers={"HX-Request": "true"})
    assert b'hx-trigger="every 1s"' in page.content
    assert b"<html" not in page.content  # the fragment, not the page
    assert b'data-testid="import-progress"' in page.content

    callbacks[0]()  # the transaction commits: the task runs (eagerly in tests)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert job.processed_rows == job.total_rows == 30
    assert Person.objects.filter(code__startswith="M").count() == 30
    page = maintainer_client.get(response.url, headers={"HX-Request": "true"})
    assert b"hx-trigger" not in page.content  # finished: polling stops


@override_settings(IMPORT_INLINE_MAX_ROWS=5)
def test_a_large_dry_run_then_apply_both_go_through_the_task(
    world, maintainer_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        upload(maintainer_client, many_people(12))
    check = last_job()
    assert check.status == ImportJob.Status.VALID
    with django_capture_on_commit_callbacks(execute=True):
        maintainer_client.post(reverse("liaison:import_apply", args=[check.pk]))
    run = last_job()
    assert (run.status, run.processed_rows, run.total_rows) == (ImportJob.Status.DONE, 12, 12)


@override_settings(IMPORT_INLINE_MAX_ROWS=5)
def test_a_job_survives_a_broker_that_is_down(
    world, maintainer_client, django_capture_on_commit_callbacks, monkeypatch
):
    def broker_down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(tasks.import_run, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        upload(maintainer_client, many_people(10), dry_run=False)
    job = last_job()
    assert job.status == ImportJob.Status.DONE
    assert Person.objects.filter(code__startswith="M").count() == 10


def test_progress_is_saved_while_rows_are_checked(world, monkeypatch):
    saved = []
    real_set = jobs._set

    def spy(job, **fields):
        if "processed_rows" in fields:
            saved.append((fields.get("status", job.status), fields["processed_rows"]))
        real_set(job, **fields)

    monkeypatch.setattr(jobs, "PROGRESS_EVERY", 10)
    monkeypatch.setattr(jobs, "_set", spy)
    user = world.users[Role.PARTY_BUILDING]
    imports.import_job_submit(actor=user, filename="m.xlsx", content=many_people(35))
    assert saved[:3] == [(ImportJob.Status.RUNNING, n) for n in (10, 20, 30)]
    assert saved[-1] == (ImportJob.Status.VALID, 35)


def test_row_messages_come_in_the_site_language_from_model_validation(world, maintainer_client):
    long_name = "长" * 101
    with translation.override("en"):  # whatever the uploader's language
        upload(maintainer_client, workbook({"单位": [unit("U1", long_name, "班组", "BA")]}))
    [error] = last_job().errors
    assert (error["sheet"], error["row"], error["column"]) == ("单位", 2, "名称")
    assert "100" in error["message"] and "字符" in error["message"]  # Django's own zh-hans


def test_running_a_job_twice_does_the_work_once(world, maintainer_client):
    upload(maintainer_client, workbook(valid_sheets()), dry_run=False)
    job = last_job()
    before = table_counts()
    tasks.import_run(job.pk)
    imports.import_job_run(job_id=job.pk)
    assert table_counts() == before
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE


def test_two_thousand_people_take_a_fixed_number_of_queries(
    world, maintainer_client, django_assert_max_num_queries
):
    content = many_people(2000)
    user = world.users[Role.PARTY_BUILDING]
    with override_settings(IMPORT_INLINE_MAX_ROWS=5000), django_assert_max_num_queries(80):
        job = imports.import_job_submit(
            actor=user, filename="m.xlsx", content=content, dry_run=False
        )
    assert job.status == ImportJob.Status.DONE
    assert Person.objects.filter(code__startswith="M").count() == 2000


# -- lost messages and workers ------------------------------------------------------------------


def job_at(world, status, *, created_ago=0, started_ago=None, dry_run=True) -> ImportJob:
    """A job of valid_sheets() in `status`, created and started that many seconds ago."""
    now = timezone.now()
    job = ImportJob.objects.create(
        uploaded_by=world.users[Role.PARTY_BUILDING],
        filename="x.xlsx",
        content=workbook(valid_sheets()),
        dry_run=dry_run,
        status=status,
    )
    started_at = None if started_ago is None else now - dt.timedelta(seconds=started_ago)
    ImportJob.objects.filter(pk=job.pk).update(
        created_at=now - dt.timedelta(seconds=created_ago), started_at=started_at
    )
    return job


STALE = settings.IMPORT_STALE_AFTER_SECONDS


def test_a_job_whose_worker_died_is_claimed_again_and_run(world):
    job = job_at(world, ImportJob.Status.RUNNING, created_ago=STALE + 70, started_ago=STALE + 60)
    tasks.import_run(job.pk)  # the task, delivered again after the worker died
    job.refresh_from_db()
    assert job.status == ImportJob.Status.VALID
    assert timezone.now() - job.started_at < dt.timedelta(seconds=60)


def test_a_job_still_running_is_not_run_a_second_time(world):
    job = job_at(world, ImportJob.Status.RUNNING, dry_run=False, started_ago=STALE - 60)
    before = table_counts()
    tasks.import_run(job.pk)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.RUNNING
    assert table_counts() == before


def test_requeue_enqueues_the_jobs_lost_waiting_or_running(world, monkeypatch):
    enqueued = []
    monkeypatch.setattr(
        tasks.import_run, "apply_async", lambda args, kwargs=None, **options: enqueued.extend(args)
    )
    Status = ImportJob.Status
    lost = job_at(world, Status.PENDING, created_ago=180)
    job_at(world, Status.PENDING, created_ago=30)  # its message is on its way
    stalled = job_at(world, Status.RUNNING, created_ago=STALE + 70, started_ago=STALE + 60)
    job_at(world, Status.RUNNING, created_ago=STALE + 70, started_ago=60)  # running fine
    job_at(world, Status.VALID, created_ago=STALE + 70, started_ago=STALE + 60)  # finished

    tasks.import_requeue()

    assert enqueued == [lost.pk, stalled.pk]


def test_requeued_jobs_run_once(world):
    lost = job_at(world, ImportJob.Status.PENDING, created_ago=180, dry_run=False)
    before = table_counts()
    assert imports.import_job_requeue() == [lost.pk]  # the task runs eagerly in tests
    lost.refresh_from_db()
    assert lost.status == ImportJob.Status.DONE
    assert imports.import_job_requeue() == []
    assert table_counts()["Pairing"] == before["Pairing"] + 4


def test_beat_runs_the_requeue_every_five_minutes():
    from ledger_site.celery import app

    [entry] = [
        e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "liaison.import_requeue"
    ]
    assert entry["task"] in app.tasks
    assert entry["schedule"] == dt.timedelta(minutes=5)


def test_checking_and_writing_pairings_takes_no_query_per_pairing(world):
    def import_pairings(n: int) -> int:
        people = [person(f"S{n}-{i}", f"职工{i}", "职工", "BA") for i in range(n)]
        pairings = [
            pairing("党员服务职工或客户", world.member_a.code, f"S{n}-{i}", "2026-01-01")
            for i in range(n)
        ]
        content = workbook({"人员": people, "结对": pairings})
        with CaptureQueriesContext(connection) as queries:
            job = imports.import_job_submit(
                actor=world.users[Role.PARTY_BUILDING],
                filename="x.xlsx",
                content=content,
                dry_run=False,
            )
        assert job.status == ImportJob.Status.DONE, job.errors
        return len(queries)

    # 40 people still go in one INSERT on SQLite, whose statements take at most 999 values.
    assert import_pairings(10) == import_pairings(40)
    assert Pairing.objects.filter(person=world.member_a).count() == 50


# -- pages and access ---------------------------------------------------------------------------


def test_import_page_lists_my_recent_jobs(world, maintainer_client, client_for):
    upload(maintainer_client, workbook(valid_sheets()))
    mine = maintainer_client.get(reverse("liaison:import_start"))
    assert mine.status_code == HTTPStatus.OK
    assert "名单.xlsx".encode() in mine.content
    theirs = client_for(world.users[Role.ADMINISTRATOR]).get(reverse("liaison:import_start"))
    assert "名单.xlsx".encode() not in theirs.content


def job_for(world) -> ImportJob:
    return ImportJob.objects.create(
        uploaded_by=world.users[Role.PARTY_BUILDING], filename="x.xlsx", content=b"x"
    )


def import_urls(world) -> list[tuple[str, str]]:
    job = job_for(world)
    return [
        ("get", reverse("liaison:import_start")),
        ("get", reverse("liaison:import_template")),
        ("get", reverse("liaison:import_detail", args=[job.pk])),
        ("post", reverse("liaison:import_apply", args=[job.pk])),
    ]


def test_anonymous_is_sent_to_login_from_every_import_url(world, client):
    for method, url in import_urls(world):
        response = getattr(client, method)(url)
        assert response.status_code == HTTPStatus.FOUND, url
        assert response.url.startswith(reverse("login")), url


@pytest.mark.parametrize("role", OTHERS)
def test_other_roles_get_404_on_every_import_url(world, client_for, role):
    client = client_for(world.users[role])
    for method, url in import_urls(world):
        assert getattr(client, method)(url).status_code == HTTPStatus.NOT_FOUND, url
    assert ImportJob.objects.filter(dry_run=False).count() == 0


@pytest.mark.parametrize("role", MAINTAINERS)
def test_maintainers_reach_every_import_page(world, client_for, role):
    client = client_for(world.users[role])
    for method, url in import_urls(world)[:3]:
        assert getattr(client, method)(url).status_code == HTTPStatus.OK, url


def test_a_missing_job_is_404(maintainer_client):
    assert maintainer_client.get(reverse("liaison:import_detail", args=[999])).status_code == 404


def test_apply_is_post_only(world, maintainer_client):
    upload(maintainer_client, workbook(valid_sheets()))
    job = last_job()
    before = table_counts()
    response = maintainer_client.get(reverse("liaison:import_apply", args=[job.pk]))
    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert table_counts() == before
    assert ImportJob.objects.count() == 1


def test_the_import_menu_item_shows_for_maintainers_only(world, client_for):
    url = reverse("liaison:import_start").encode()
    assert url in client_for(world.users[Role.PARTY_BUILDING]).get(reverse("home")).content
    assert url not in client_for(world.users[Role.BRANCH_SECRETARY]).get(reverse("home")).content
