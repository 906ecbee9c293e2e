"""案卷集中评查 through its pages: listing, checklist, sampling and replay, panel and assignment, scoring, derivation."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from kaohe.core.models import AuditEvent
from kaohe.inspections.casefiles import services
from kaohe.inspections.casefiles.models import (
    CaseFile,
    CaseReviewer,
    ChecklistItem,
    ItemDeduction,
    ListingExtension,
    Sample,
    SampledFile,
)
from kaohe.organisations.models import Membership, Organisation
from kaohe.organisations.roles import Role
from kaohe.plans.models import PlanUnit
from kaohe.scoring.models import Evaluation, EvaluationChange


def _unit(plan, name: str) -> PlanUnit:
    return PlanUnit.objects.select_related("organisation", "category").get(plan=plan, organisation__name=name)


def _url(name: str, plan, **kwargs) -> str:
    return reverse(f"casefiles:{name}", kwargs={"plan_id": plan.pk, **kwargs})


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


def _xlsx(rows: Sequence[Sequence[object]]) -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("list.xlsx", buffer.getvalue())


def _open_listing(plan) -> None:
    plan.case_files_deadline = timezone.localdate() + dt.timedelta(days=10)
    plan.save(update_fields=["case_files_deadline"])


def _panel(plan, personas) -> tuple[CaseReviewer, CaseReviewer]:
    a = services.reviewer_add(actor=personas.office, plan=plan, membership=Membership.objects.get(user=personas.reviewer))
    b = services.reviewer_add(actor=personas.office, plan=plan, membership=Membership.objects.get(user=personas.reviewer2))
    return a, b


def _sample(plan, personas, *names: str, n: int = 3) -> list[Sample]:
    units = [_unit(plan, name) for name in names]
    outcome = services.sample_draw(
        actor=personas.office, plan=plan, units=units, requested=n, stratified=True, take_all_if_fewer=False
    )
    return outcome.samples


# --- listing (案卷目录) ---------------------------------------------------------------------------------


def test_unit_lists_files_by_form_and_duplicates_are_refused(personas, listed):
    _open_listing(listed)
    wugang = _unit(listed, "舞钢市人民政府")
    client = personas.client(personas.unit)
    assert client.get(_url("index", listed)).url == _url("unit_list", listed, unit_id=wugang.pk)
    page = client.get(_url("unit_list", listed, unit_id=wugang.pk))
    assert page.status_code == 200 and "舞罚决字〔2020〕1号" in page.content.decode()
    data = {"number": "舞罚决字〔2020〕99号", "kind": "reconsideration", "decided_on": "2020-11-02", "handler": "工作人员09"}
    response = client.post(_url("file_add", listed, unit_id=wugang.pk), data, follow=True)
    assert "已登记案卷 舞罚决字〔2020〕99号" in _messages(response)
    added = CaseFile.objects.get(unit=wugang, number="舞罚决字〔2020〕99号")
    assert (added.kind, added.decided_on, added.listed_by) == ("reconsideration", dt.date(2020, 11, 2), personas.unit)
    again = client.post(_url("file_add", listed, unit_id=wugang.pk), data, follow=True)
    assert "案号“舞罚决字〔2020〕99号”已在本单位案卷目录中，不能重复登记" in _messages(again)
    assert CaseFile.objects.filter(unit=wugang, number=data["number"]).count() == 1
    # edit and delete (own file only)
    client.post(_url("file_edit", listed, file_id=added.pk), {**data, "handler": "工作人员10"})
    added.refresh_from_db()
    assert added.handler == "工作人员10"
    client.post(_url("file_delete", listed, file_id=added.pk))
    assert not CaseFile.objects.filter(pk=added.pk).exists()
    assert AuditEvent.objects.filter(action="casefile.list_add", object_id=str(added.pk)).exists()


def test_listing_locks_at_the_end_of_the_deadline_day_and_the_office_may_extend(personas, listed):
    wugang = _unit(listed, "舞钢市人民政府")
    client = personas.client(personas.unit)
    data = {"number": "舞罚决字〔2021〕1号", "kind": "enforcement", "decided_on": "2020-12-30", "handler": "工作人员01"}
    late = client.post(_url("file_add", listed, unit_id=wugang.pk), data, follow=True)
    assert "案卷目录报送已于 2021-01-13 截止" in _messages(late)
    assert not CaseFile.objects.filter(number=data["number"]).exists()
    page = client.get(_url("unit_list", listed, unit_id=wugang.pk)).content.decode()
    assert 'data-testid="add-form"' not in page and 'data-testid="locked"' in page
    # a unit cannot extend its own deadline; the office can
    assert (
        client.post(_url("extend", listed, unit_id=wugang.pk), {"new_deadline": "2099-01-01", "reason": "x"}).status_code == 403
    )
    until = timezone.localdate() + dt.timedelta(days=3)
    office = personas.client(personas.office)
    office.post(_url("extend", listed, unit_id=wugang.pk), {"new_deadline": until.isoformat(), "reason": "系统故障补报"})
    assert ListingExtension.objects.get(unit=wugang).new_deadline == until
    assert "已登记案卷" in _messages(client.post(_url("file_add", listed, unit_id=wugang.pk), data, follow=True))
    # the extension is the unit's only: another unit stays locked
    sfj_client = personas.client(personas.unit2)
    sfj = _unit(listed, "市司法局")
    refused = sfj_client.post(_url("file_add", listed, unit_id=sfj.pk), {**data, "number": "平司罚决字〔2021〕1号"}, follow=True)
    assert "截止" in _messages(refused)


def test_deadline_is_the_end_of_the_day_in_shanghai(listed, personas):
    wugang = _unit(listed, "舞钢市人民政府")
    # 2021-01-13 23:59 Beijing time is still open; 2021-01-14 00:00 is not.
    from zoneinfo import ZoneInfo

    sh = ZoneInfo("Asia/Shanghai")
    assert services.listing_refusal(listed, wugang, dt.datetime(2021, 1, 13, 23, 59, tzinfo=sh)) == ""
    assert "截止" in services.listing_refusal(listed, wugang, dt.datetime(2021, 1, 14, 0, 0, tzinfo=sh))


def test_unit_cannot_see_or_change_another_units_list(personas, listed):
    _open_listing(listed)
    sfj = _unit(listed, "市司法局")
    client = personas.client(personas.unit)  # 舞钢市人民政府
    assert client.get(_url("unit_list", listed, unit_id=sfj.pk)).status_code == 404
    assert client.post(_url("file_add", listed, unit_id=sfj.pk), {"number": "x"}).status_code == 404
    other_file = CaseFile.objects.filter(unit=sfj).first()
    assert client.post(_url("file_edit", listed, file_id=other_file.pk), {}).status_code == 404
    assert client.post(_url("file_delete", listed, file_id=other_file.pk)).status_code == 404
    assert CaseFile.objects.filter(pk=other_file.pk).exists()
    # desk → 403, another city's office → 404; the office reads any list but does not write it
    assert personas.client(personas.desk).get(_url("unit_list", listed, unit_id=sfj.pk)).status_code == 403
    assert personas.client(personas.other_office).get(_url("unit_list", listed, unit_id=sfj.pk)).status_code == 404
    office = personas.client(personas.office)
    assert office.get(_url("unit_list", listed, unit_id=sfj.pk)).status_code == 200
    assert office.post(_url("file_add", listed, unit_id=sfj.pk), {"number": "x"}).status_code == 403


def test_xlsx_import_adds_all_rows_or_none_with_row_numbers(personas, listed):
    _open_listing(listed)
    wugang = _unit(listed, "舞钢市人民政府")
    client = personas.client(personas.unit)
    url = _url("file_import", listed, unit_id=wugang.pk)
    before = CaseFile.objects.filter(unit=wugang).count()
    header = ["案号", "案卷类型", "决定日期", "承办人", "备注"]
    good = _xlsx(
        [
            header,
            ["舞罚决字〔2020〕20号", "行政执法", dt.date(2020, 3, 4), "工作人员11", ""],
            ["舞复决字〔2020〕20号", "行政复议", "2020/7/8", "工作人员12", "已结案"],
        ]
    )
    response = client.post(url, {"file": good}, follow=True)
    assert "已导入 2 卷案卷" in _messages(response)
    assert CaseFile.objects.get(unit=wugang, number="舞复决字〔2020〕20号").decided_on == dt.date(2020, 7, 8)
    bad = _xlsx(
        [
            header,
            ["舞罚决字〔2020〕30号", "行政执法", "2020-02-30", "工作人员13", ""],
            ["舞罚决字〔2020〕31号", "行政处罚", "2020-02-03", "", ""],
            ["舞罚决字〔2020〕1号", "行政执法", "2020-02-03", "工作人员14", ""],
            ["舞罚决字〔2020〕32号", "行政执法", "2020-02-03", "工作人员15", ""],
        ]
    )
    text = _messages(client.post(url, {"file": bad}, follow=True))
    assert "导入失败，未登记任何案卷" in text
    assert "第2行：决定日期“2020-02-30”不是有效日期" in text
    assert "第3行：案卷类型“行政处罚”应为“行政执法”、“行政复议”、“规范性文件”、“重大行政决策”之一；承办人为空" in text
    assert "第4行：案号“舞罚决字〔2020〕1号”已在本单位案卷目录中" in text
    assert not CaseFile.objects.filter(unit=wugang, number="舞罚决字〔2020〕32号").exists()
    assert CaseFile.objects.filter(unit=wugang).count() == before + 2
    missing = _xlsx([["案号", "类型", "备注"], ["舞罚决字〔2020〕40号", "行政执法", ""]])
    assert "表格缺少必需的列：决定日期、承办人" in _messages(client.post(url, {"file": missing}, follow=True))
    not_xlsx = SimpleUploadedFile("a.xlsx", b"%PDF-1.4 hello")
    assert "不是有效的 .xlsx 文件（这是 PDF 文件）" in _messages(client.post(url, {"file": not_xlsx}, follow=True))


# --- checklist (评查表) ---------------------------------------------------------------------------------


def test_checklist_is_editable_importable_and_frozen_once_scoring_starts(personas, listed):
    office = personas.client(personas.office)
    assert [i.name for i in ChecklistItem.objects.filter(plan=listed, kind="enforcement")][:3] == [
        "主体合法",
        "事实清楚",
        "证据确凿",
    ]
    assert sum(i.max_deduction for i in ChecklistItem.objects.filter(plan=listed, kind="enforcement")) == D(100)
    office.post(_url("checklist_add", listed), {"name": "裁量适当", "max_deduction": "5", "description": ""})
    item = ChecklistItem.objects.get(plan=listed, name="裁量适当")
    office.post(
        _url("checklist_edit", listed, item_id=item.pk), {"name": "裁量适当", "max_deduction": "8.5", "description": "说明"}
    )
    item.refresh_from_db()
    assert item.max_deduction == D("8.5")
    bad = _xlsx([["评查项目", "最高扣分"], ["主体合法", "十"], ["", "5"]])
    text = _messages(office.post(_url("checklist_import", listed), {"file": bad}, follow=True))
    assert "第2行：最高扣分“十”不是数字" in text and "第3行：评查项目为空" in text
    assert ChecklistItem.objects.filter(plan=listed, name="裁量适当").exists()  # unchanged
    missing = _xlsx([["项目名称", "说明"], ["主体合法", "x"]])
    assert "表格缺少必需的列：评查项目、最高扣分" in _messages(
        office.post(_url("checklist_import", listed), {"file": missing}, follow=True)
    )
    good = _xlsx([["评查项目", "最高扣分", "评查标准"], ["实体", 60, "事实、证据、法律适用"], ["程序", 40, ""]])
    office.post(_url("checklist_import", listed), {"file": good})
    assert [(i.name, i.max_deduction) for i in ChecklistItem.objects.filter(plan=listed, kind="enforcement")] == [
        ("实体", D(60)),
        ("程序", D(40)),
    ]

    # once a reviewer saves a score, every change is refused with a message
    _panel(listed, personas)
    (sample,) = _sample(listed, personas, "市司法局")
    services.files_assign_auto(actor=personas.office, plan=listed)
    sampled = sample.files.first()
    reviewer = sampled.reviewer.user
    services.case_review_save(actor=reviewer, plan=listed, sampled=sampled, values={}, overall_comment="", submit=False)
    assert sampled.case_file.kind == "enforcement"
    page = office.get(_url("checklist", listed)).content.decode()
    assert 'data-testid="frozen"' in page and 'data-testid="item-add-form"' not in page
    # the other kinds' checklists stay editable (only the full mark, shared by all kinds, is frozen)
    normative = office.get(_url("checklist", listed) + "?kind=normative").content.decode()
    assert 'data-testid="frozen"' not in normative and 'data-testid="item-add-form"' in normative
    first = ChecklistItem.objects.filter(plan=listed, kind="enforcement").first()
    for name, kwargs, data in (
        ("checklist_add", {}, {"name": "新增", "max_deduction": "5"}),
        ("checklist_edit", {"item_id": first.pk}, {"name": "实体", "max_deduction": "50"}),
        ("checklist_delete", {"item_id": first.pk}, {}),
        ("checklist_default", {}, {}),
        ("setting", {}, {"full_mark": "120"}),
    ):
        text = _messages(office.post(_url(name, listed, **kwargs), data, follow=True))
        assert "已冻结" in text, name
    assert [(i.name, i.max_deduction) for i in ChecklistItem.objects.filter(plan=listed, kind="enforcement")] == [
        ("实体", D(60)),
        ("程序", D(40)),
    ]
    # blind review may still be switched
    office.post(_url("setting", listed), {"full_mark": "100", "blind": "on"})
    assert services.setting_of(listed).blind


# --- sampling (抽取) ------------------------------------------------------------------------------------


def test_sampling_is_stratified_stored_and_replayable(personas, listed):
    office = personas.client(personas.office)
    wugang = _unit(listed, "舞钢市人民政府")
    response = office.post(_url("sample", listed), {"requested": "3", "stratified": "on", "unit": wugang.pk}, follow=True)
    assert "已为 1 个考核对象抽取 3 卷案卷" in _messages(response)
    sample = Sample.objects.get(unit=wugang)
    assert len(sample.seed) == 32 and len(sample.digest) == 64 and len(sample.snapshot) == 7
    kinds = [CaseFile.objects.get(pk=i).kind for i in sample.result]
    assert kinds == ["enforcement", "enforcement", "reconsideration"]  # 5 + 2 listed → 2 + 1
    assert [f.case_file_id for f in sample.files.order_by("position")] == sample.result
    codes = {f.code for f in SampledFile.objects.filter(plan=listed)}
    assert len(codes) == 3 and all(c.startswith("卷-") for c in codes)
    event = AuditEvent.objects.get(action="casefile.sample", object_id=str(sample.pk))
    assert event.after["seed"] == sample.seed and event.after["digest"] == sample.digest
    # the unit's list is locked after sampling
    _open_listing(listed)
    assert "已抽取本单位案卷" in services.listing_refusal(listed, wugang)
    # 复核抽取: 一致; a tampered stored result: 不一致
    replay = office.post(_url("sample_replay", listed, sample_id=sample.pk), follow=True)
    assert "复核抽取：舞钢市人民政府 一致" in _messages(replay)
    other = next(i for i in (f["id"] for f in sample.snapshot) if i not in sample.result)
    Sample.objects.filter(pk=sample.pk).update(result=[other, *sample.result[1:]])
    replay = office.post(_url("sample_replay", listed, sample_id=sample.pk), follow=True)
    assert "复核抽取：舞钢市人民政府 不一致" in _messages(replay)
    assert [e.after["matches"] for e in AuditEvent.objects.filter(action="casefile.sample_replay").order_by("seq")] == [
        True,
        False,
    ]


def test_replay_uses_the_snapshot_not_the_current_list(personas, listed):
    (sample,) = _sample(listed, personas, "宝丰县人民政府")
    unit = sample.unit
    CaseFile.objects.filter(unit=unit).exclude(pk__in=sample.result).delete()  # the list changes afterwards
    report = services.sample_replay(actor=personas.office, plan=listed, sample=sample)
    assert report.matches and report.list_changed


def test_sampling_more_than_listed_stores_nothing_unless_take_all(personas, listed):
    office = personas.client(personas.office)
    jiaxian = _unit(listed, "郏县人民政府")  # 4 files listed
    wugang = _unit(listed, "舞钢市人民政府")  # 7 files listed
    response = office.post(_url("sample", listed), {"requested": "5"}, follow=True)
    text = _messages(response)
    assert "以下考核对象报送的案卷少于每单位 5 卷，未抽取任何案卷" in text and "郏县人民政府（仅报送 4 卷）" in text
    assert not Sample.objects.filter(plan=listed).exists()
    response = office.post(_url("sample", listed), {"requested": "5", "take_all_if_fewer": "on"}, follow=True)
    assert Sample.objects.get(unit=jiaxian).result and len(Sample.objects.get(unit=jiaxian).result) == 4
    assert len(Sample.objects.get(unit=wugang).result) == 5
    assert "未报送案卷目录" in _messages(response)  # units that listed nothing are reported


def test_sampling_waits_for_the_listing_deadline(personas, listed):
    _open_listing(listed)
    outcome = services.sample_draw(
        actor=personas.office,
        plan=listed,
        units=[_unit(listed, "舞钢市人民政府")],
        requested=3,
        stratified=True,
        take_all_if_fewer=False,
    )
    assert outcome.samples == [] and "报送尚未截止" in outcome.skipped[0]


# --- panel and assignment -------------------------------------------------------------------------------


def test_reviewers_are_never_given_files_of_their_own_organisation(personas, listed):
    office = personas.client(personas.office)
    assert personas.client(personas.reviewer).get(_url("assigned", listed)).status_code == 404  # not on the panel yet
    a, b = _panel(listed, personas)  # 市司法局, 市公安局
    assert personas.client(personas.reviewer).get(_url("assigned", listed)).status_code == 200
    _sample(listed, personas, "市司法局", "市公安局", "舞钢市人民政府")
    sfj_file = SampledFile.objects.filter(case_file__unit__organisation__name="市司法局").first()
    response = office.post(_url("assign", listed, sampled_id=sfj_file.pk), {"reviewer": a.pk}, follow=True)
    assert "不能评查本单位案卷" in _messages(response)
    sfj_file.refresh_from_db()
    assert sfj_file.reviewer is None
    # a reviewer from a section of the unit (市司法局依法行政指导科) is refused too
    section = Organisation.objects.get(name="市司法局依法行政指导科")
    from kaohe.accounts.models import User

    user = User.objects.create_user(username="reviewer_c", password="x", display_name="评查员丙")
    membership = Membership.objects.create(user=user, organisation=section, role=Role.CASE_REVIEWER)
    c = services.reviewer_add(actor=personas.office, plan=listed, membership=membership)
    assert "不能评查本单位案卷" in _messages(
        office.post(_url("assign", listed, sampled_id=sfj_file.pk), {"reviewer": c.pk}, follow=True)
    )
    office.post(_url("assign", listed, sampled_id=sfj_file.pk), {"reviewer": b.pk})
    sfj_file.refresh_from_db()
    assert sfj_file.reviewer == b
    # automatic assignment: balanced, never own organisation
    response = office.post(_url("assign_auto", listed), follow=True)
    assert "已自动分配 8 卷案卷" in _messages(response)
    files = SampledFile.objects.filter(plan=listed).select_related("reviewer__organisation", "case_file__unit__organisation")
    for f in files:
        assert f.reviewer is not None
        assert services.conflict(f.reviewer, f.case_file.unit.organisation) == ""
    loads = sorted(CaseReviewer.objects.filter(plan=listed).values_list("pk", flat=True))
    counts = [files.filter(reviewer_id=pk).count() for pk in loads]
    assert sum(counts) == 9 and max(counts) - min(counts) <= 1
    # a reviewer with files cannot be removed
    assert "还有分配的案卷" in _messages(office.post(_url("reviewer_remove", listed, reviewer_id=a.pk), follow=True))


def test_only_region_reviewers_can_join_the_panel(personas, listed, other_plan):
    office = personas.client(personas.office)
    page = office.get(_url("panel", listed)).content.decode()
    assert personas.reviewer.display_name in page and personas.reviewer2.display_name in page
    outsider = Membership.objects.get(user=personas.other_unit)
    response = office.post(_url("reviewer_add", listed), {"membership": outsider.pk}, follow=True)
    assert "请选择名单中的评查员" in _messages(response)
    assert not CaseReviewer.objects.filter(plan=listed).exists()


# --- scoring (评查) -------------------------------------------------------------------------------------


@pytest.fixture
def assigned(personas, listed):
    """市司法局 and 市公安局 sampled; reviewer_a (市司法局) gets 市公安局's files and the reverse."""
    _panel(listed, personas)
    _sample(listed, personas, "市司法局", "市公安局")
    services.files_assign_auto(actor=personas.office, plan=listed)
    return listed


def _items(plan, kind="enforcement"):
    return list(ChecklistItem.objects.filter(plan=plan, kind=kind))


def test_reviewer_sees_and_scores_only_files_assigned_to_them(personas, assigned):
    plan = assigned
    mine = SampledFile.objects.filter(plan=plan, reviewer__user=personas.reviewer).first()
    theirs = SampledFile.objects.filter(plan=plan, reviewer__user=personas.reviewer2).first()
    assert mine.case_file.unit.organisation.name == "市公安局"
    client = personas.client(personas.reviewer)
    listing = client.get(_url("assigned", plan)).content.decode()
    assert mine.code in listing and theirs.code not in listing
    assert client.get(_url("review", plan, sampled_id=mine.pk)).status_code == 200
    assert client.get(_url("review", plan, sampled_id=theirs.pk)).status_code == 404
    items = _items(plan)
    data = {
        f"deduction_{items[0].pk}": "5",
        f"comment_{items[0].pk}": "授权委托书缺失",
        "action": "submit",
        "overall_comment": "x",
    }
    assert client.post(_url("review_save", plan, sampled_id=theirs.pk), data).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == SampledFile.Status.PENDING and not ItemDeduction.objects.filter(sampled_file=theirs).exists()
    # units and desks: 403; outsiders: 404
    assert personas.client(personas.unit).get(_url("review", plan, sampled_id=mine.pk)).status_code == 403
    assert personas.client(personas.desk).get(_url("assigned", plan)).status_code == 403
    assert personas.client(personas.other_office).get(_url("review", plan, sampled_id=mine.pk)).status_code == 404


def test_scoring_checks_values_submits_and_the_office_returns(personas, assigned):
    plan = assigned
    sampled = SampledFile.objects.filter(plan=plan, reviewer__user=personas.reviewer).first()
    client = personas.client(personas.reviewer)
    url = _url("review_save", plan, sampled_id=sampled.pk)
    items = _items(plan)
    bad = {
        f"deduction_{items[0].pk}": "3",  # no comment
        f"deduction_{items[1].pk}": "16",  # above 15
        f"deduction_{items[2].pk}": "1.234",
        "action": "submit",
    }
    response = client.post(url, bad)
    assert response.status_code == 400
    text = _messages(response)
    assert "主体合法：扣分须写明扣分理由" in text
    assert "事实清楚：扣分须在 0 到 15 分之间" in text
    assert "证据确凿：扣分最多保留两位小数" in text
    assert "提交前请填写总体评查意见" in text
    assert 'value="16"' in response.content.decode()  # the typed values are kept
    sampled.refresh_from_db()
    assert sampled.status == SampledFile.Status.PENDING
    good = {
        f"deduction_{items[0].pk}": "3",
        f"comment_{items[0].pk}": "执法人员执法证号未记载",
        f"deduction_{items[3].pk}": "12.5",
        f"comment_{items[3].pk}": "未告知陈述申辩权利",
        "overall_comment": "案卷基本规范，程序存在瑕疵",
        "action": "save",
    }
    client.post(url, good)
    sampled.refresh_from_db()
    assert (sampled.status, sampled.score) == (SampledFile.Status.DRAFT, D("84.50"))
    client.post(url, {**good, "action": "submit"})
    sampled.refresh_from_db()
    assert (sampled.status, sampled.score) == (SampledFile.Status.SUBMITTED, D("84.50"))
    page = client.get(_url("review", plan, sampled_id=sampled.pk)).content.decode()
    assert 'data-testid="review-form"' not in page  # read-only
    again = client.post(url, {**good, f"deduction_{items[0].pk}": "0"}, follow=True)
    assert "评查结果已提交，不能再修改" in _messages(again)
    sampled.refresh_from_db()
    assert sampled.score == D("84.50")
    # the office returns it with a reason; the reviewer can change it again
    office = personas.client(personas.office)
    assert "退回须写明理由" in _messages(
        office.post(_url("review_return", plan, sampled_id=sampled.pk), {"reason": ""}, follow=True)
    )
    office.post(_url("review_return", plan, sampled_id=sampled.pk), {"reason": "程序项扣分偏重，请复核"})
    sampled.refresh_from_db()
    assert sampled.status == SampledFile.Status.RETURNED
    assert "程序项扣分偏重" in client.get(_url("review", plan, sampled_id=sampled.pk)).content.decode()
    client.post(url, {**good, f"deduction_{items[3].pk}": "10", "action": "submit"})
    sampled.refresh_from_db()
    assert (sampled.status, sampled.score) == (SampledFile.Status.SUBMITTED, D("87.00"))
    # a reviewer cannot return their own file
    assert client.post(_url("review_return", plan, sampled_id=sampled.pk), {"reason": "x"}).status_code == 403


def test_blind_review_hides_the_unit_from_reviewers_not_from_the_office(personas, assigned):
    plan = assigned
    services.case_review_setting_save(actor=personas.office, plan=plan, full_mark=D(100), blind=True)
    sampled = SampledFile.objects.filter(plan=plan, reviewer__user=personas.reviewer).first()
    reviewer_page = personas.client(personas.reviewer).get(_url("review", plan, sampled_id=sampled.pk)).content.decode()
    listing = personas.client(personas.reviewer).get(_url("assigned", plan)).content.decode()
    for html in (reviewer_page, listing):
        assert "市公安局" not in html and sampled.case_file.number not in html and sampled.case_file.handler not in html
        assert sampled.code in html
    office_page = personas.client(personas.office).get(_url("review", plan, sampled_id=sampled.pk)).content.decode()
    assert "市公安局" in office_page and sampled.case_file.number in office_page


# --- derivation (计入考核得分) ----------------------------------------------------------------------------


def _score_all(plan, personas, unit_name: str, deductions: list[str]) -> None:
    files = SampledFile.objects.filter(plan=plan, case_file__unit__organisation__name=unit_name).select_related(
        "reviewer__user", "case_file"
    )
    for sampled, deduction in zip(files.order_by("position"), deductions, strict=True):
        items = _items(plan, sampled.case_file.kind)  # the checklist of the file's kind
        values = {items[1].pk: (deduction, "事实认定不清" if deduction != "0" else "")}
        services.case_review_save(
            actor=sampled.reviewer.user, plan=plan, sampled=sampled, values=values, overall_comment="意见", submit=True
        )


def test_derivation_writes_the_task_score_of_fully_reviewed_units(personas, assigned):
    plan = assigned
    _score_all(plan, personas, "市司法局", ["10", "5", "0.5"])  # 90, 95, 99.5 → mean 94.83…
    sfj = _unit(plan, "市司法局")
    police = _unit(plan, "市公安局")
    office = personas.client(personas.office)
    response = office.post(_url("derive", plan), follow=True)
    text = _messages(response)
    assert "已计入 1 项考核得分：市司法局 3.2.1：18.97 分" in text
    assert "市公安局：3 卷尚未评查完毕" in text and "尚未抽取案卷" in text
    evaluation = Evaluation.objects.get(unit=sfj, task__code="3.2.1")
    assert evaluation.score == D("18.97")  # 3.2.1 (集中评查) is worth 20: 20 × 94.8333… / 100 = 18.966…
    assert evaluation.reason == "案卷评查3卷平均得分94.83分"
    change = EvaluationChange.objects.filter(evaluation=evaluation).latest("pk")
    assert change.source == EvaluationChange.Source.CASE_REVIEW
    assert not Evaluation.objects.filter(unit=police, task__code="3.2.1").exists()
    event = AuditEvent.objects.filter(action="evaluation.derive").latest("seq")
    assert [f["score"] for f in event.after["case_review"]["files"]] == ["90.00", "95.00", "99.50"]
    # a second run after a return and a new score replaces the value (history keeps both)
    sampled = SampledFile.objects.filter(plan=plan, case_file__unit=sfj).order_by("position").first()
    services.case_review_return(actor=personas.office, plan=plan, sampled=sampled, reason="复核")
    services.case_review_save(
        actor=sampled.reviewer.user, plan=plan, sampled=sampled, values={}, overall_comment="意见", submit=True
    )
    services.derive_scores(actor=personas.office, plan=plan)
    evaluation.refresh_from_db()
    assert evaluation.score == D("19.63")  # 100, 95, 99.5 → 98.1666… → 20 × 0.981666… = 19.633…
    assert EvaluationChange.objects.filter(evaluation=evaluation).count() == 2


def test_office_pages_keep_a_constant_number_of_queries(personas, assigned, django_assert_max_num_queries):
    office = personas.client(personas.office)
    for name in ("office", "panel", "checklist"):
        with django_assert_max_num_queries(25):
            assert office.get(_url(name, assigned)).status_code == 200
    reviewer = personas.client(personas.reviewer)
    with django_assert_max_num_queries(20):
        assert reviewer.get(_url("assigned", assigned)).status_code == 200


def test_wrong_roles_on_office_pages(personas, listed):
    for user, status in ((personas.desk, 403), (personas.unit, 403), (personas.viewer, 403), (personas.other_office, 404)):
        client = personas.client(user)
        for name in ("office", "panel", "checklist"):
            assert client.get(_url(name, listed)).status_code == status, (user, name)
        assert client.post(_url("sample", listed), {"requested": "3"}).status_code == status
    assert not Sample.objects.filter(plan=listed).exists()
