"""Irreversible actions ask first (issue 13.6): the form carries data-confirm="what will happen", and
static/js/confirm.js (loaded on every page, no inline script) shows it in a <dialog> before posting.

撤回 a file and 催报 are covered in kaohe/submissions/tests/test_upload_versions.py; here 发布反馈 and 提交评查结果.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.urls import reverse

from kaohe.inspections.casefiles.models import SampledFile
from kaohe.inspections.casefiles.tests.conftest import listed  # noqa: F401 - fixture
from kaohe.inspections.casefiles.tests.test_casefiles import assigned  # noqa: F401 - fixture

STATIC = Path(__file__).resolve().parents[1] / "static" / "js" / "confirm.js"


def _form_tags(page: str, testid: str) -> list[str]:
    return re.findall(rf'<form[^>]*data-testid="{testid}"[^>]*>', page, re.S)


def test_every_page_loads_the_confirm_script(personas, plan):
    page = personas.client(personas.office).get(reverse("reviews:office", args=[plan.pk])).content.decode()
    assert '<script src="/static/js/confirm.js" defer></script>' in page
    source = STATIC.read_text(encoding="utf-8")
    assert "showModal" in source and "data-confirm" in source


def test_releasing_feedback_says_it_cannot_be_changed(personas, plan):
    page = personas.client(personas.office).get(reverse("reviews:office", args=[plan.pk])).content.decode()
    (release,) = _form_tags(page, "release-form")
    assert 'data-confirm="发布后' in release and "不能再修改或撤回" in release
    per_unit = _form_tags(page, "unit-release-form")
    assert per_unit and all("data-confirm=" in tag and "不能再修改或撤回" in tag for tag in per_unit)
    assert "舞钢市人民政府" in " ".join(per_unit)  # the dialog names the unit


def test_submitting_a_case_file_review_asks_only_for_submit(personas, assigned):  # noqa: F811
    plan = assigned
    mine = SampledFile.objects.filter(plan=plan, reviewer__user=personas.reviewer).first()
    page = personas.client(personas.reviewer).get(reverse("casefiles:review", args=[plan.pk, mine.pk])).content.decode()
    (form,) = _form_tags(page, "review-form")
    assert "不能再修改" in form and 'data-confirm-action="submit"' in form
    assert 'value="submit" data-testid="submit"' in page and 'value="save"' in page
