"""The background analysis: text per version, facts → hints, identical and near-identical files across units and
years of one organiser's plans (never another organiser's), and the upload hook."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command

from kaohe.insights import services
from kaohe.insights.models import DuplicatePair, FileText, Hint, TextBand
from kaohe.insights.tests.conftest import add_file, county_task, unit_named
from kaohe.insights.tests.documents import REPORT_BODY, UNRELATED_BODY, make_docx, make_pdf, official
from tests import factories as f

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def report(organ: str, number: str, date: str, body: list[str] = REPORT_BODY) -> bytes:
    return make_pdf([official(organ, number, f"{organ}关于2020年度法治政府建设情况的报告", body, date)])


def test_text_and_facts_are_stored_per_version(plan, personas, wugang, task):
    version = add_file(
        plan, wugang, task, "报告.pdf", report("舞钢市人民政府", "舞政〔2020〕12号", "二〇二〇年十二月十日"), personas.unit
    )
    outcome = services.version_analyse(version.pk)
    assert outcome.extracted
    text = FileText.objects.get(version=version)
    assert (text.method, text.pages, text.sha256) == ("pdf", 1, version.sha256)
    assert "深入学习贯彻习近平法治思想" in text.text
    assert (text.doc_number, text.doc_date, text.organ) == ("舞政〔2020〕12号", dt.date(2020, 12, 10), "舞钢市人民政府")
    assert not Hint.objects.filter(version=version).exists()  # its own organ, inside the year
    assert services.version_analyse(version.pk) == services.Analysis(extracted=False, hints=0, pairs=0)  # idempotent


def test_outside_year_and_other_organ_are_hints(plan, personas, wugang, task):
    version = add_file(plan, wugang, task, "旧文件.pdf", report("郏县人民政府", "郏政〔2018〕3号", "2018年5月4日"), personas.unit)
    services.version_analyse(version.pk)
    kinds = dict(Hint.objects.filter(version=version).values_list("kind", "message"))
    assert "早于考核期间" in kinds[Hint.Kind.OUTSIDE_YEAR]
    assert "郏县人民政府" in kinds[Hint.Kind.OTHER_ORGAN]


def test_broken_file_gets_a_note_and_no_hint(plan, personas, wugang, task):
    version = add_file(plan, wugang, task, "坏.pdf", b"%PDF-1.4 broken", personas.unit)
    services.version_analyse(version.pk)
    text = FileText.objects.get(version=version)
    assert text.method == "none" and "损坏" in text.note
    assert not Hint.objects.filter(version=version).exists()


def test_near_identical_text_across_units_is_a_pair_with_passages(plan, personas, wugang, baofeng, task):
    mine = add_file(plan, wugang, task, "报告.docx", make_docx(REPORT_BODY), personas.unit)
    edited = [line.replace("我县", "我市").replace("37件", "41件") for line in REPORT_BODY[:-1]]
    theirs = add_file(plan, baofeng, task, "宝丰报告.docx", make_docx(edited), personas.office)
    unrelated = add_file(plan, unit_named(plan, "郏县人民政府"), task, "防火.docx", make_docx(UNRELATED_BODY), personas.office)
    for version in (mine, theirs, unrelated):
        services.version_analyse(version.pk)
    pair = DuplicatePair.objects.get()
    assert (pair.left_id, pair.right_id) == (mine.pk, theirs.pk)
    assert not pair.identical
    assert Decimal("0.80") < pair.similarity < Decimal(1)
    # the passages are the same stretch of both texts
    assert pair.left_passage[:40] == pair.right_passage[:40].replace("我市", "我县")
    assert pair.left_passage.rstrip("…")[:100] in "".join(REPORT_BODY)
    assert Hint.objects.filter(kind=Hint.Kind.DUPLICATE).count() == 2
    assert not Hint.objects.filter(version=unrelated).exists()
    assert TextBand.objects.filter(version=mine).count() == 32


def test_identical_files_pair_by_digest_even_without_text(plan, personas, wugang, baofeng, task):
    data = b"\x89PNG\r\n\x1a\n" + b"\x01" * 64
    mine = add_file(plan, wugang, task, "照片.png", data, personas.unit)
    theirs = add_file(plan, baofeng, task, "照片.png", data, personas.office)
    services.version_analyse(mine.pk)
    services.version_analyse(theirs.pk)
    pair = DuplicatePair.objects.get()
    assert pair.identical and pair.similarity == Decimal("1.0000")


def test_versions_of_one_submission_are_not_duplicates(plan, personas, wugang, task):
    data = report("舞钢市人民政府", "舞政〔2020〕12号", "2020年12月10日")
    first = add_file(plan, wugang, task, "报告.pdf", data, personas.unit)
    second = add_file(plan, wugang, task, "报告.pdf", data, personas.unit)
    services.version_analyse(first.pk)
    services.version_analyse(second.pk)
    assert not DuplicatePair.objects.exists()
    assert FileText.objects.get(version=second).text == FileText.objects.get(version=first).text  # copied, not re-read


def test_last_years_plan_of_the_same_office_is_compared_another_office_never(plan, other_plan, personas, wugang, task):
    last_year = f.PlanFactory.create(organiser=plan.organiser, year=2019, title="平顶山市2019年度依法行政考核（测试）")
    category = f.CategoryFactory.create(plan=last_year, name="县区政府")
    old_unit = f.UnitFactory.create(plan=last_year, category=category, organisation=wugang.organisation)
    old_task = f.task(category, "4.1.2", 2)
    data = make_docx(REPORT_BODY)
    old = add_file(last_year, old_unit, old_task, "2019报告.docx", data + b"", personas.office)
    luoyang_category = f.CategoryFactory.create(plan=other_plan, name="县区政府")
    luoyang_unit = f.UnitFactory.create(plan=other_plan, category=luoyang_category)
    luoyang_task = f.task(luoyang_category, "4.1.2", 2)
    foreign = add_file(other_plan, luoyang_unit, luoyang_task, "洛阳报告.docx", data, personas.other_office)
    new = add_file(plan, wugang, task, "2020报告.docx", data, personas.unit)
    for version in (old, foreign, new):
        services.version_analyse(version.pk)
    pairs = list(DuplicatePair.objects.values_list("left_id", "right_id", "identical"))
    assert pairs == [(old.pk, new.pk, True)]


def test_withdrawn_versions_are_skipped(plan, personas, wugang, task):
    from django.utils import timezone

    version = add_file(plan, wugang, task, "报告.pdf", report("舞钢市人民政府", "舞政〔2020〕1号", "2020年1月2日"), personas.unit)
    version.withdrawn_at = timezone.now()
    version.save()
    assert services.version_analyse(version.pk) == services.Analysis(extracted=False, hints=0, pairs=0)


def test_a_new_version_is_analysed_after_commit(plan, personas, wugang, task, settings, django_capture_on_commit_callbacks):
    settings.TASKS = IMMEDIATE
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        version = add_file(
            plan, wugang, task, "报告.pdf", report("舞钢市人民政府", "舞政〔2020〕2号", "2020年3月5日"), personas.unit
        )
        assert not FileText.objects.filter(version=version).exists()  # nothing before the commit
    assert len(callbacks) == 1
    assert FileText.objects.get(version=version).doc_number == "舞政〔2020〕2号"


def test_backfill_command(plan, personas, wugang, baofeng, task, capsys):
    add_file(plan, wugang, task, "a.docx", make_docx(REPORT_BODY), personas.unit)
    add_file(plan, baofeng, county_task(plan, "市发改委"), "b.docx", make_docx(REPORT_BODY[:-1]), personas.office)
    call_command("insights_backfill")
    assert "已处理 2 个文件，提取文字 2 个" in capsys.readouterr().out
    assert FileText.objects.count() == 2 and DuplicatePair.objects.count() == 1
    call_command("insights_backfill")
    assert "已处理 0 个文件" in capsys.readouterr().out


@pytest.mark.parametrize("reason", ["", "   "])
def test_dismiss_needs_a_reason(plan, personas, wugang, task, reason):
    from django.core.exceptions import ValidationError

    version = add_file(plan, wugang, task, "旧.pdf", report("舞钢市人民政府", "舞政〔2018〕3号", "2018年5月4日"), personas.unit)
    services.version_analyse(version.pk)
    hint = Hint.objects.get(version=version)
    with pytest.raises(ValidationError):
        services.hint_dismiss(actor=personas.desk, plan=plan, hint=hint, reason=reason)
    hint.refresh_from_db()
    assert hint.is_open


def test_an_annual_report_written_after_the_year_is_in_time_a_later_one_is_not(plan, personas, wugang, task):
    january = add_file(
        plan, wugang, task, "年度报告.pdf", report("舞钢市人民政府", "舞政〔2021〕2号", "二〇二一年一月十二日"), personas.unit
    )
    june = add_file(plan, wugang, task, "六月.pdf", report("舞钢市人民政府", "舞政〔2021〕40号", "2021年6月1日"), personas.unit)
    services.version_analyse(january.pk)
    services.version_analyse(june.pk)
    assert not Hint.objects.filter(version=january).exists()
    assert "晚于考核期间" in Hint.objects.get(version=june, kind=Hint.Kind.OUTSIDE_YEAR).message


def test_a_forced_reanalysis_withdraws_open_fact_hints_that_no_longer_hold(plan, personas, wugang, task):
    version = add_file(plan, wugang, task, "旧.pdf", report("舞钢市人民政府", "舞政〔2018〕3号", "2018年5月4日"), personas.unit)
    services.version_analyse(version.pk)
    Hint.objects.create(
        submission_id=version.submission_id,
        version=version,
        kind=Hint.Kind.OTHER_ORGAN,
        message="旧规则的提示",
        created_at=version.uploaded_at,
    )
    services.version_analyse(version.pk, force=True)
    assert list(Hint.objects.filter(version=version).values_list("kind", flat=True)) == [Hint.Kind.OUTSIDE_YEAR]
