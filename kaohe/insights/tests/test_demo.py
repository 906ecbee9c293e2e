"""The demo's 材料分析 files (kaohe/insights/demo.py): analysed when the demo loads, so the hints are there at once."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage

from kaohe.insights import demo
from kaohe.insights.models import DuplicatePair, FileText, Hint
from kaohe.submissions.models import EvidenceFile, Submission

pytestmark = pytest.mark.django_db


def _demo_files(plan):
    return EvidenceFile.objects.filter(submission__plan=plan, display_name__in=[row[2] for row in demo.DEMO_FILES])


def test_the_demo_files_are_stored_and_analysed_at_once(demo_plan):
    files = list(_demo_files(demo_plan).select_related("submission__unit__organisation", "submission__task"))
    assert len(files) == len(demo.DEMO_FILES) == 4
    for version in files:
        assert default_storage.exists(version.storage_name)
        assert version.storage_name.startswith(f"evidence/plan-{demo_plan.pk}/unit-{version.submission.unit_id}/")
        assert version.submission.status == Submission.Status.SUBMITTED
        assert version.submission.task.assessor.organisation.name == demo.DESK
        assert version.uploaded_at.year == 2020
    texts = {t.version.display_name: t for t in FileText.objects.filter(version__in=files).select_related("version")}
    assert len(texts) == 4
    copy = texts["郏县2020年法治政府建设工作要点（示例）.docx"]
    assert (copy.doc_number, copy.organ, str(copy.doc_date)) == ("郏政办〔2020〕11号", "郏县人民政府办公室", "2020-04-02")
    assert "关于印发郏县2020年法治政府建设工作要点的通知" in copy.text


def test_the_demo_hints_are_the_duplicate_and_the_outside_year_notice(demo_plan):
    hints = Hint.objects.filter(submission__plan=demo_plan, version__in=_demo_files(demo_plan)).select_related(
        "version", "submission__unit__organisation"
    )
    found = sorted((h.submission.unit.organisation.name, h.kind, h.version.display_name) for h in hints)
    assert found == [
        ("宝丰县人民政府", Hint.Kind.DUPLICATE, "宝丰县2020年法治政府建设工作要点（示例）.docx"),
        ("郏县人民政府", Hint.Kind.DUPLICATE, "郏县2020年法治政府建设工作要点（示例）.docx"),
        ("郏县人民政府", Hint.Kind.OUTSIDE_YEAR, "关于做好2019年度依法行政考核迎检工作的通知（示例）.docx"),
    ]
    pair = DuplicatePair.objects.get(left__submission__plan=demo_plan)
    assert not pair.identical and pair.similarity >= 0.7
    assert pair.left_passage and pair.right_passage


def test_loading_again_stores_nothing_more(demo_plan):
    before = (EvidenceFile.objects.count(), Hint.objects.count())
    assert demo.load_demo_data(demo_plan) == 0
    assert (EvidenceFile.objects.count(), Hint.objects.count()) == before
