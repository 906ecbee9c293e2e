"""Re-uploads show as versions (v1, v2 … and 当前); identical content is accepted with a clear warning that
never names another unit (issue 13.3); irreversible evidence actions ask first (13.6)."""

from __future__ import annotations

import hashlib
import re

from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from kaohe.core.models import AuditEvent
from kaohe.plans.constants import Level, Method
from kaohe.plans.models import Indicator
from kaohe.submissions.models import EvidenceFile, Submission
from kaohe.submissions.tests.conftest import PDF, pdf

OTHER_UNIT_WARNING = "与其他考核对象已上传的文件完全相同"


def _upload(client, plan, unit, task, *files, json=True):
    url = reverse("submissions:upload", args=[plan.pk, unit.pk, task.pk])
    headers = {"HTTP_ACCEPT": "application/json"} if json else {}
    return client.post(url, {"files": list(files)}, **headers)


def _task_page(client, plan, unit, task) -> str:
    page: str = client.get(reverse("submissions:task", args=[plan.pk, unit.pk, task.pk])).content.decode()
    return page


def _rows(page: str) -> list[str]:
    return re.findall(r'<tr data-testid="file-row".*?</tr>', page, re.S)


def test_a_reupload_is_the_next_version_and_the_newest_is_current(personas, plan, wugang, task, in_window):
    client = personas.client(personas.unit)
    first = _upload(client, plan, wugang, task, pdf("总结报告.pdf")).json()["files"][0]
    second = _upload(client, plan, wugang, task, pdf("总结报告.pdf", PDF + b"% v2\n")).json()["files"][0]
    other = _upload(client, plan, wugang, task, pdf("附件.pdf", PDF + b"% other\n")).json()["files"][0]
    assert (first["version"], second["version"], other["version"]) == (1, 2, 1)
    assert first["message"] == "已上传（v1）" and second["message"] == "已上传（v2）"
    assert second["warning"] == "" and other["warning"] == ""

    rows = _rows(_task_page(client, plan, wugang, task))
    assert [re.search(r'data-version="(\d+)"', r).group(1) for r in rows] == ["1", "2", "1"]
    assert ["当前" in r for r in rows] == [False, True, True]
    assert ">v2<" in rows[1]

    # withdrawing v2 makes v1 current again (v2 stays listed, struck through)
    v2 = EvidenceFile.objects.get(pk=second["file_id"])
    response = client.post(reverse("submissions:withdraw", args=[plan.pk, v2.pk]))
    assert response.status_code == 302
    rows = _rows(_task_page(client, plan, wugang, task))
    assert ["当前" in r for r in rows] == [True, False, True]
    audit = AuditEvent.objects.filter(action="evidence.upload", object_id=str(second["file_id"])).get()
    assert audit.after["version"] == 2


def test_identical_file_in_the_same_task_is_accepted_with_a_warning(personas, plan, wugang, task, in_window):
    client = personas.client(personas.unit)
    _upload(client, plan, wugang, task, pdf("总结报告.pdf"))
    body = _upload(client, plan, wugang, task, pdf("总结报告（定稿）.pdf")).json()
    result = body["files"][0]
    assert result["accepted"] is True
    assert "本任务已上传的“总结报告.pdf”完全相同" in result["warning"]
    assert EvidenceFile.objects.filter(submission__task=task).count() == 2
    audit = AuditEvent.objects.filter(action="evidence.upload", object_id=str(result["file_id"])).get()
    assert audit.after["identical_to"] == "same_task"


def test_identical_file_of_another_task_names_the_task(personas, plan, wugang, task, in_window):
    other_task = (
        Indicator.objects.filter(
            plan=plan, category=wugang.category, level=Level.TASK, method=Method.SUBMISSION, deadline=task.deadline
        )
        .exclude(pk=task.pk)
        .order_by("order")
        .first()
    )
    assert other_task is not None
    client = personas.client(personas.unit)
    _upload(client, plan, wugang, other_task, pdf("制度文件.pdf"))
    result = _upload(client, plan, wugang, task, pdf("总结报告.pdf")).json()["files"][0]
    assert result["accepted"] and f"本单位在 {other_task.code} 已上传的“制度文件.pdf”完全相同" in result["warning"]


def test_identical_file_of_another_unit_never_says_which(personas, plan, wugang, sfj, task, in_window):
    other_task = Indicator.objects.filter(plan=plan, category=sfj.category, level=Level.TASK).first()
    submission = Submission.objects.create(plan=plan, unit=sfj, task=other_task, status=Submission.Status.SUBMITTED)
    EvidenceFile.objects.create(
        submission=submission,
        storage_name="evidence/elsewhere.pdf",
        display_name="市司法局自查报告.pdf",
        size=len(PDF),
        sha256=hashlib.sha256(PDF).hexdigest(),
        kind="pdf",
        mime="application/pdf",
        uploaded_by=personas.unit2,
        uploaded_at=timezone.now(),
    )
    client = personas.client(personas.unit)
    result = _upload(client, plan, wugang, task, pdf()).json()["files"][0]
    assert result["accepted"] and OTHER_UNIT_WARNING in result["warning"]
    assert (
        "市司法局" not in result["warning"] and "自查报告" not in result["warning"] and other_task.code not in result["warning"]
    )
    # without JavaScript the warning is a message of its own on the task page
    response = _upload(client, plan, wugang, task, pdf("再传一次.pdf"), json=False)
    texts = [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]
    assert any(tag == "warning" and "本任务已上传" in text for tag, text in texts), texts


def test_withdraw_asks_first_in_a_dialog(personas, plan, wugang, task, in_window):
    client = personas.client(personas.unit)
    _upload(client, plan, wugang, task, pdf("总结报告.pdf"))
    (row,) = _rows(_task_page(client, plan, wugang, task))
    assert 'data-confirm="撤回“总结报告.pdf”（v1）后' in row and "不能恢复" in row


def test_remind_says_how_many_units_before_sending(personas, plan, in_window):
    page = personas.client(personas.office).get(reverse("submissions:overview", args=[plan.pk])).content.decode()
    form = re.search(r'<form[^>]*data-testid="remind-form"[^>]*>', page, re.S)
    assert form and re.search(r'data-confirm="将向 \d+ 个尚有未报送任务的考核对象发送催报提醒', form.group(0))
