"""Files of every kind (行政执法, 行政复议, 规范性文件, 重大行政决策): per-kind checklists, per-kind sampling,
the reviewer's page showing the checklist of the file's kind, scores flowing to the unit's task, and the
migration of a plan's one checklist into per-kind ones."""

from __future__ import annotations

import datetime as dt
import importlib
import io
from decimal import Decimal as D

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from kaohe.inspections.casefiles import sampling, services
from kaohe.inspections.casefiles.models import (
    CaseFile,
    CaseFileKind,
    ChecklistItem,
    ItemDeduction,
    Sample,
    SampledFile,
)
from kaohe.organisations.models import Membership
from kaohe.plans.models import PlanUnit
from kaohe.scoring.models import Evaluation

pytestmark = pytest.mark.django_db


def _unit(plan, name: str) -> PlanUnit:
    return PlanUnit.objects.select_related("organisation", "category").get(plan=plan, organisation__name=name)


def _url(name: str, plan, **kwargs) -> str:
    return reverse(f"casefiles:{name}", kwargs={"plan_id": plan.pk, **kwargs})


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


def _add_documents(plan, unit_name: str, normative: int, decisions: int) -> None:
    """The unit's 规范性文件 and 重大行政决策 (written directly: the listing deadline of the city has passed)."""
    unit = _unit(plan, unit_name)
    lister = CaseFile.objects.filter(unit=unit).first().listed_by
    rows = [(CaseFileKind.NORMATIVE, f"平规〔2020〕{n}号") for n in range(1, normative + 1)]
    rows += [(CaseFileKind.MAJOR_DECISION, f"重大决策〔2020〕{n}号") for n in range(1, decisions + 1)]
    CaseFile.objects.bulk_create(
        CaseFile(
            plan=plan, unit=unit, number=number, kind=kind, decided_on=dt.date(2020, 6, 1), handler="起草科室", listed_by=lister
        )
        for kind, number in rows
    )


def _panel(plan, personas) -> None:
    for user in (personas.reviewer, personas.reviewer2):
        services.reviewer_add(actor=personas.office, plan=plan, membership=Membership.objects.get(user=user))


# --- the pure rule -------------------------------------------------------------------------------------


def _snapshot() -> list[dict[str, object]]:
    kinds = ["enforcement"] * 5 + ["reconsideration"] * 2 + ["normative"] * 3 + ["major_decision"] * 2
    return [{"id": i, "number": f"N{i}", "kind": kind} for i, kind in enumerate(kinds, 1)]


def test_per_kind_draw_takes_the_named_counts_reproducibly_in_kind_order():
    snapshot = _snapshot()
    per_kind = {"normative": 2, "enforcement": 1, "major_decision": 1}
    ids = sampling.draw(snapshot, 4, seed="abc", stratified=False, per_kind=per_kind)
    kinds = [next(f["kind"] for f in snapshot if f["id"] == i) for i in ids]
    assert kinds == ["enforcement", "normative", "normative", "major_decision"]
    assert ids == sampling.draw(snapshot, 4, seed="abc", stratified=True, per_kind=per_kind)  # same seed, same files
    # each kind's files are its smallest keys
    normative = sorted((sampling.file_key("abc", f["id"]), f["id"]) for f in snapshot if f["kind"] == "normative")
    assert ids[1:3] == [i for _, i in normative[:2]]
    with pytest.raises(sampling.SampleTooLarge):
        sampling.draw(snapshot, 3, seed="abc", stratified=False, per_kind={"major_decision": 3})
    replay = sampling.replay(
        snapshot=snapshot, digest=sampling.digest_of(snapshot), seed="abc", n=4, stratified=False, result=ids, per_kind=per_kind
    )
    assert replay.matches


def test_stratified_draw_shares_seats_among_four_kinds():
    assert sampling.allocate({"enforcement": 5, "reconsideration": 2, "normative": 3, "major_decision": 2}, 6) == {
        "enforcement": 3,  # 2.5 → 2 + a seat by remainder
        "reconsideration": 1,
        "normative": 1,  # 1.5 → 1 (ties on .5 go to the kind with more files, then in kind order)
        "major_decision": 1,
    }
    ids = sampling.draw(_snapshot(), 6, seed="s", stratified=True)
    assert len(ids) == 6 and len(set(ids)) == 6


# --- checklists per kind ---------------------------------------------------------------------------------


def test_office_edits_each_kinds_checklist_and_the_defaults_follow_the_documents(personas, listed):
    office = personas.client(personas.office)
    page = office.get(_url("checklist", listed) + "?kind=normative").content.decode()
    assert "规范性文件评查表" in page and "合法性审核" in page and "证据确凿" not in page
    for label in CaseFileKind.labels:
        assert label in page  # one tab per kind
    office.post(_url("checklist_add", listed), {"kind": "normative", "name": "解读材料同步发布", "max_deduction": "5"})
    assert ChecklistItem.objects.filter(plan=listed, kind="normative", name="解读材料同步发布").exists()
    assert not ChecklistItem.objects.filter(plan=listed, kind="enforcement", name="解读材料同步发布").exists()
    # the same name may appear in two kinds' checklists, not twice in one
    office.post(_url("checklist_add", listed), {"kind": "major_decision", "name": "解读材料同步发布", "max_deduction": "5"})
    assert ChecklistItem.objects.filter(plan=listed, name="解读材料同步发布").count() == 2
    text = _messages(
        office.post(
            _url("checklist_add", listed), {"kind": "normative", "name": "解读材料同步发布", "max_deduction": "5"}, follow=True
        )
    )
    assert "规范性文件评查表中已有“解读材料同步发布”" in text
    # resetting a kind's checklist leaves the others alone
    office.post(_url("checklist_default", listed), {"kind": "major_decision"})
    decision = [i.name for i in ChecklistItem.objects.filter(plan=listed, kind="major_decision")]
    assert decision == ["决策事项合规", "公众参与", "专家论证", "风险评估", "合法性审查", "集体讨论决定", "决策后评估"]
    assert ChecklistItem.objects.filter(plan=listed, kind="normative").count() == 8
    for kind, rows in services.DEFAULT_CHECKLISTS.items():
        assert sum(points for _, points, _ in rows) == D(100), kind
    assert set(services.DEFAULT_CHECKLISTS) == set(CaseFileKind.values)
    # a kind's checklist imported from .xlsx replaces that kind's only
    sheet = Workbook()
    sheet.active.append(["评查项目", "最高扣分", "评查标准"])
    sheet.active.append(["决策程序完备", 100, "公众参与、专家论证、风险评估、合法性审查、集体讨论决定"])
    buffer = io.BytesIO()
    sheet.save(buffer)
    upload = SimpleUploadedFile("评查表.xlsx", buffer.getvalue())
    text = _messages(office.post(_url("checklist_import", listed), {"kind": "major_decision", "file": upload}, follow=True))
    assert "已导入重大行政决策评查表（1 项）" in text
    assert [i.name for i in ChecklistItem.objects.filter(plan=listed, kind="major_decision")] == ["决策程序完备"]
    assert ChecklistItem.objects.filter(plan=listed, kind="enforcement").count() == 7
    # an unknown kind is refused, nothing written
    before = ChecklistItem.objects.count()
    text = _messages(
        office.post(_url("checklist_add", listed), {"kind": "contract", "name": "x", "max_deduction": "5"}, follow=True)
    )
    assert "案卷类型不正确" in text and ChecklistItem.objects.count() == before
    # units and reviewers cannot touch a checklist
    assert personas.client(personas.unit).post(_url("checklist_default", listed), {"kind": "normative"}).status_code == 403
    assert personas.client(personas.other_office).get(_url("checklist", listed) + "?kind=normative").status_code == 404


# --- sampling per kind, scoring with the file's checklist, derivation ---------------------------------------


def test_each_kind_is_sampled_scored_with_its_own_checklist_and_flows_to_the_task(personas, listed):
    _add_documents(listed, "市司法局", normative=3, decisions=2)
    office = personas.client(personas.office)
    assert "规范性文件" in office.get(_url("office", listed)).content.decode()
    unit = _unit(listed, "市司法局")
    # asking for more 重大行政决策 than listed stores nothing and names the unit and the kind
    response = office.post(
        _url("sample", listed), {"unit": unit.pk, "requested": "3", "n_major_decision": "3", "n_normative": "1"}, follow=True
    )
    assert "市司法局（重大行政决策仅 2 卷）" in _messages(response) and not Sample.objects.exists()
    response = office.post(
        _url("sample", listed),
        {
            "unit": unit.pk,
            "requested": "3",
            "n_enforcement": "1",
            "n_reconsideration": "1",
            "n_normative": "1",
            "n_major_decision": "1",
        },
        follow=True,
    )
    sample = Sample.objects.get(unit=unit)
    assert sample.per_kind == {"enforcement": 1, "reconsideration": 1, "normative": 1, "major_decision": 1}
    files = list(SampledFile.objects.filter(sample=sample).select_related("case_file").order_by("position"))
    assert [f.case_file.kind for f in files] == ["enforcement", "reconsideration", "normative", "major_decision"]
    assert services.sample_replay(actor=personas.office, plan=listed, sample=sample).matches
    _panel(listed, personas)
    services.files_assign_auto(actor=personas.office, plan=listed)
    deductions = {"enforcement": "10", "reconsideration": "0", "normative": "20", "major_decision": "6"}
    for sampled in SampledFile.objects.filter(sample=sample).select_related("reviewer__user", "case_file"):
        kind = sampled.case_file.kind
        client = personas.client(sampled.reviewer.user)
        page = client.get(_url("review", listed, sampled_id=sampled.pk)).content.decode()
        names = [i.name for i in ChecklistItem.objects.filter(plan=listed, kind=kind)]
        assert f"{CaseFileKind(kind).label}评查表" in page
        assert all(name in page for name in names)
        others = ChecklistItem.objects.filter(plan=listed).exclude(kind=kind).exclude(name__in=names)
        assert not any(f'deduction_{i.pk}"' in page for i in others)
        target = ChecklistItem.objects.filter(plan=listed, kind=kind, max_deduction__gte=D(deductions[kind])).last()
        stranger = ChecklistItem.objects.filter(plan=listed).exclude(kind=kind).first()
        data = {
            f"deduction_{target.pk}": deductions[kind],
            f"comment_{target.pk}": "未见审核意见",
            f"deduction_{stranger.pk}": "5",  # an item of another kind's checklist is ignored
            f"comment_{stranger.pk}": "x",
            "overall_comment": "基本规范",
            "action": "submit",
        }
        assert client.post(_url("review_save", listed, sampled_id=sampled.pk), data).status_code == 302
        sampled.refresh_from_db()
        assert sampled.score == D(100) - D(deductions[kind]), kind
        assert {d.item.kind for d in ItemDeduction.objects.filter(sampled_file=sampled).select_related("item")} == {kind}
    # a kind's checklist freezes once a file of that kind is scored
    text = _messages(office.post(_url("checklist_default", listed), {"kind": "normative"}, follow=True))
    assert "已有规范性文件案卷开始评分，该类型的评查表已冻结" in text
    # 90, 100, 80, 94 → mean 91; task 3.2.1 of 市司法局 is worth 20 → 18.20
    outcome = services.derive_scores(actor=personas.office, plan=listed)
    assert "市司法局 3.2.1：18.20 分" in outcome.written
    assert Evaluation.objects.get(unit=unit, task__code="3.2.1").score == D("18.20")


def test_per_kind_sampling_with_take_all_and_bad_counts(personas, listed):
    unit = _unit(listed, "市公安局")  # 6 行政执法 files, nothing else
    with pytest.raises(ValidationError) as exc:
        services.sample_draw(
            actor=personas.office,
            plan=listed,
            units=[unit],
            requested=1,
            stratified=True,
            take_all_if_fewer=False,
            per_kind={"enforcement": 0},
        )
    assert "至少一类案卷的抽取卷数须大于 0" in exc.value.messages[0]
    outcome = services.sample_draw(
        actor=personas.office,
        plan=listed,
        units=[unit],
        requested=1,
        stratified=True,
        take_all_if_fewer=True,
        per_kind={"enforcement": 2, "normative": 2},
    )
    (sample,) = outcome.samples
    assert sample.per_kind == {"enforcement": 2, "normative": 0} and len(sample.result) == 2
    office = personas.client(personas.office)
    text = _messages(office.post(_url("sample", listed), {"requested": "3", "n_normative": "-1"}, follow=True))
    assert "规范性文件的抽取卷数不能为负数" in text


# --- listing and import accept the new kinds -----------------------------------------------------------------


def test_units_list_documents_of_the_new_kinds(personas, listed):
    listed.case_files_deadline = timezone.localdate() + dt.timedelta(days=10)
    listed.save(update_fields=["case_files_deadline"])
    unit = _unit(listed, "市司法局")
    client = personas.client(personas.unit2)  # 市司法局
    data = {"number": "平司规〔2020〕1号", "kind": "normative", "decided_on": "2020-05-06", "handler": "法制科"}
    client.post(_url("file_add", listed, unit_id=unit.pk), data)
    assert CaseFile.objects.get(unit=unit, number="平司规〔2020〕1号").kind == "normative"
    text = _messages(
        client.post(_url("file_add", listed, unit_id=unit.pk), {**data, "number": "x", "kind": "contract"}, follow=True)
    )
    assert "案卷类型应为行政执法、行政复议、规范性文件、重大行政决策之一" in text


# --- the migration of a plan's one checklist ------------------------------------------------------------------


def test_the_old_single_checklist_becomes_the_enforcement_and_reconsideration_checklists(personas, listed):
    ChecklistItem.objects.filter(plan=listed).exclude(kind="enforcement").delete()  # as before the migration
    _panel(listed, personas)
    unit = _unit(listed, "市司法局")
    (sample,) = services.sample_draw(
        actor=personas.office, plan=listed, units=[unit], requested=3, stratified=True, take_all_if_fewer=False
    ).samples
    services.files_assign_auto(actor=personas.office, plan=listed)
    item = ChecklistItem.objects.get(plan=listed, kind="enforcement", name="证据确凿")
    for sampled in sample.files.all():  # old data: every file scored on the one checklist
        ItemDeduction.objects.create(sampled_file=sampled, item=item, deduction=D(2), comment="证据不足")
    migration = importlib.import_module("kaohe.inspections.casefiles.migrations.0003_checklist_per_kind")
    migration.split_checklist(apps, None)
    enforcement = list(ChecklistItem.objects.filter(plan=listed, kind="enforcement"))
    reconsideration = list(ChecklistItem.objects.filter(plan=listed, kind="reconsideration"))
    assert [i.name for i in reconsideration] == [i.name for i in enforcement]
    assert [i.max_deduction for i in reconsideration] == [i.max_deduction for i in enforcement]
    for deduction in ItemDeduction.objects.filter(sampled_file__sample=sample).select_related("item", "sampled_file__case_file"):
        assert deduction.item.kind == deduction.sampled_file.case_file.kind
        assert deduction.item.name == "证据确凿"
    assert ItemDeduction.objects.filter(sampled_file__sample=sample, item__kind="reconsideration").exists()
