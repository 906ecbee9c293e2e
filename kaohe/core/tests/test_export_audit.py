"""Every export a user downloads is an audit event (finding 9): who took which file of which plan.

``EXPORTS`` lists every URL that sends a file, with the audit action its download records; ``NOT_EXPORTS``
the few file URLs that are not exports, each with its reason. A URL whose name or path looks like a file
(``…export``, ``…download``, ``.xlsx``, ``.docx``, ``.zip``, ``.csv``, archives, attachments, photos,
templates) and is in neither list fails ``test_every_file_url_is_listed``: a new export must be audited.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from kaohe.accounts.models import User
from kaohe.core.models import AuditEvent
from kaohe.plans.models import Category, PlanUnit
from kaohe.results.models import MissingPolicyChoice
from kaohe.results.tests.conftest import grade, tasks_of
from kaohe.submissions.tests.conftest import county_task, pdf

SHANGHAI = ZoneInfo("Asia/Shanghai")

# URL name → the audit action its download records.
EXPORTS: dict[str, str] = {
    "plans:export": "plan.export",
    "results:export": "results.export",
    "results:bulletin": "results.bulletin",
    "results:score_sheet": "results.score_sheet",
    "results:release_bulletin": "results.release_bulletin",
    # 表彰建议: only of published results with a two-years list; tested after a publication
    # (kaohe/results/tests/test_commendation.py).
    "results:commendation": "results.commendation",
    "analysis:export": "analysis.export",
    "reviews:letter": "feedback.letter",
    "fieldwork:group_xlsx": "fieldwork.schedule_export",
    "submissions:download": "evidence.download",
    "submissions:preview": "evidence.preview",
    "submissions:task_archive": "evidence.archive",
    "submissions:unit_archive": "evidence.archive",
    "scoring:bonus_evidence": "bonus.evidence_download",
    "security:audit_export": "audit.export",
    # Recorded by their services' *_open functions; the downloads and their events are tested with the
    # request and report they belong to (kaohe/reviews/tests: test_request_with_attachment, test_rectification).
    "reviews:attachment": "review.attachment_download",
    "reviews:rectification_attachment": "rectification.attachment_download",
    # The once-only .xlsx of the initial-password sheet: it needs the creator's session, so its download and event
    # are tested with the bulk creation (kaohe/accounts/tests/test_bulk_accounts.py).
    "accounts:password_sheet_xlsx": "account.password_sheet_download",
    # 结果运用: only published results are exported, so its download and event are tested after a publication
    # (kaohe/results/tests/test_result_use.py).
    "results:use_export": "results.use_export",
    # A background job's file is audited with the action of the synchronous export it replaces (results.export,
    # results.bulletin, evidence.archive); its downloads and events are tested with the jobs
    # (kaohe/core/tests/test_jobs.py, kaohe/results/tests/test_result_jobs.py, kaohe/submissions/tests/test_archive_jobs.py).
    "core:job_download": "results.export",
    # A lower plan's published bulletin, read by a higher office: tested with the roll-up
    # (kaohe/results/tests/test_rollup.py).
    "rollup:bulletin": "rollup.bulletin",
    # The signed file of a plan's published results, recorded by api.services.results_export; tested after a
    # publication (kaohe/api/tests/test_signed_export.py).
    "api:export": "api.results_export",
}
DOWNLOADED_ELSEWHERE = {
    "api:export",
    "rollup:bulletin",
    "core:job_download",
    "reviews:attachment",
    "reviews:rectification_attachment",
    "accounts:password_sheet_xlsx",
    "results:use_export",
    "results:commendation",
}

# File URLs that are not exports of data, and why.
NOT_EXPORTS: dict[str, str] = {
    "abilitytests:roster_template": "空白名册模板，不含任何数据",
    "abilitytests:bank_template": "空白题库模板，不含任何数据",
    "abilitytests:sitting_roster_template": "空白考生名单模板，只有表头和本场次各单位的名称",
    "casefiles:import_template": "空白案卷目录模板，只有表头和示例行",
    "fieldwork:photo": "考察组本组上传的照片，作为缩略图显示在本组评分页面中，不是导出",
    "plans:import_preview": "导入预览页面（HTML），不发送文件",
    "abilitytests:bank_import_preview": "题库导入预览页面（HTML），不发送文件",
    "accounts:user_import_preview": "人员名单导入预览页面（HTML），不发送文件",
    "accounts:user_import_template": "空白人员名单模板，只有表头和示例行（下载仍记入审计日志）",
    "accounts:password_sheet": "初始密码单页面（HTML，只显示一次，显示记为 account.password_sheet_show），不发送文件",
}

FILE_LIKE = re.compile(
    r"(export|download|xlsx|docx|zip|csv|archive|attachment|evidence|letter|bulletin|sheet|template|photo|preview)$"
)
FILE_ROUTE = re.compile(r"\.(xlsx|docx|zip|csv|pdf)$")


def _file_urls() -> set[str]:
    found: set[str] = set()

    def walk(patterns: list[Any], namespace: str, route: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = pattern.namespace or ""
                walk(pattern.url_patterns, f"{namespace}{ns}:" if ns else namespace, route + str(pattern.pattern))
            elif isinstance(pattern, URLPattern) and pattern.name and namespace:
                name = f"{namespace}{pattern.name}"
                full = route + str(pattern.pattern)
                if not name.startswith(("admin:", "testee:")) and (FILE_LIKE.search(pattern.name) or FILE_ROUTE.search(full)):
                    found.add(name)

    walk(get_resolver().url_patterns, "", "")
    return found


def test_every_file_url_is_listed():
    found = _file_urls()
    unlisted = sorted(found - set(EXPORTS) - set(NOT_EXPORTS))
    assert unlisted == [], f"file URLs without an audited export (add to EXPORTS, using core.audit_exports): {unlisted}"
    assert sorted((set(EXPORTS) | set(NOT_EXPORTS)) - found) == []  # no stale entries
    assert "scoring:deduction_record" not in found  # names ending in "record" are not files


def test_every_export_action_has_a_chinese_label():
    from kaohe.core.views_security import action_label

    assert [action for action in EXPORTS.values() if action_label(action) == action] == []


@pytest.fixture
def auditor(personas: Any) -> User:
    """The city's 审计管理员 (the audit log's own export is downloaded by them)."""
    auditor: User = personas.auditor
    return auditor


@pytest.fixture
def exports(plan, personas, auditor, monkeypatch) -> dict[str, tuple[User, str]]:
    """For every export URL: who downloads it, and its URL on real objects of the small city's plan."""
    from kaohe.inspections.fieldwork import services as fieldwork
    from kaohe.results import services as results
    from kaohe.reviews import services as reviews
    from kaohe.scoring.tests.conftest_adjustments import apply
    from kaohe.submissions import services as submissions

    office = personas.office
    wugang = PlanUnit.objects.select_related("organisation", "category").get(plan=plan, organisation__name="舞钢市人民政府")
    county = Category.objects.get(plan=plan, name="县区政府")

    # 报送资料 of 舞钢, uploaded inside the 2020 submission window.
    task = county_task(plan)
    monkeypatch.setattr("django.utils.timezone.now", lambda: dt.datetime(2020, 12, 20, 10, 0, tzinfo=SHANGHAI))
    uploaded = submissions.evidence_upload(actor=personas.unit, plan=plan, unit=wugang, task=task, files=[pdf()])
    assert uploaded[0].accepted, uploaded[0].message
    monkeypatch.undo()
    file_id = uploaded[0].file_id

    # Every unit graded, one complete computation, put out for consultation.
    for k, unit in enumerate(PlanUnit.objects.filter(plan=plan).select_related("category").order_by("pk")):
        biggest = max(tasks_of(unit), key=lambda t: t.points or 0)
        grade(plan, unit, office, scores={biggest.code: (biggest.points or Decimal(0)) - Decimal(k % 7) * Decimal("0.05")})
    snapshot = results.results_compute(actor=office, plan=plan, missing_policy=MissingPolicyChoice.REPORT)
    results.release_start(actor=office, plan=plan, snapshot=snapshot, consult_until=timezone.localdate() + dt.timedelta(days=7))

    reviews.feedback_release(actor=office, plan=plan, units=[wugang])
    group = fieldwork.group_save(actor=office, plan=plan, name="第一组", leader_id=personas.field.pk, member_ids=[])
    assert apply(personas.client(personas.unit), plan, "省级表彰", evidence=pdf("表彰决定.pdf")).status_code == 302
    from kaohe.scoring.models import BonusApplication

    bonus = BonusApplication.objects.get(plan=plan, matter="省级表彰")

    return {
        "plans:export": (office, reverse("plans:export", args=[plan.pk, county.pk])),
        "results:export": (office, reverse("results:export", args=[plan.pk, snapshot.pk])),
        "results:bulletin": (office, reverse("results:bulletin", args=[plan.pk, snapshot.pk])),
        "results:score_sheet": (office, reverse("results:score_sheet", args=[plan.pk, snapshot.pk, county.pk])),
        "results:release_bulletin": (office, reverse("results:release_bulletin", args=[plan.pk])),
        "analysis:export": (personas.viewer, reverse("analysis:export", args=[plan.pk])),
        "reviews:letter": (personas.unit, reverse("reviews:letter", args=[plan.pk, wugang.pk])),
        "fieldwork:group_xlsx": (office, reverse("fieldwork:group_xlsx", args=[plan.pk, group.pk])),
        "submissions:download": (personas.desk, reverse("submissions:download", args=[plan.pk, file_id])),
        "submissions:preview": (office, reverse("submissions:preview", args=[plan.pk, file_id])),
        "submissions:task_archive": (office, reverse("submissions:task_archive", args=[plan.pk, wugang.pk, task.pk])),
        "submissions:unit_archive": (personas.unit, reverse("submissions:unit_archive", args=[plan.pk, wugang.pk])),
        "scoring:bonus_evidence": (office, reverse("scoring:bonus_evidence", args=[plan.pk, bonus.pk])),
        "security:audit_export": (auditor, reverse("security:audit_export") + "?format=csv"),
    }


def _body(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else bytes(response.content)


def test_every_export_download_is_an_audit_event(exports, plan):
    assert set(exports) == set(EXPORTS) - DOWNLOADED_ELSEWHERE
    for name, (user, url) in exports.items():
        action = EXPORTS[name]
        before = AuditEvent.objects.filter(action=action).count()
        response = _client(user).get(url)
        assert response.status_code == 200, (name, response.status_code)
        assert "filename*=UTF-8''" in response["Content-Disposition"], name
        assert _body(response), name
        events = list(AuditEvent.objects.filter(action=action).order_by("seq"))
        assert len(events) == before + 1, name
        event = events[-1]
        assert event.actor_id == user.pk, name
        assert event.after and event.after.get("file"), name  # the file's name as the user got it
        if name != "security:audit_export":
            assert event.plan_id == plan.pk, name


def _client(user: User) -> Any:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def test_indicator_and_analysis_exports_record_what_was_taken(exports, plan):
    """The two exports the penetration test found unaudited: the indicator table and the analysis workbook."""
    user, url = exports["plans:export"]
    _client(user).get(url)
    event = AuditEvent.objects.filter(action="plan.export").latest("seq")
    assert event.object_type == "plans.Category" and event.after["category"] == "县区政府"
    assert event.after["file"] == "2020年度考核内容-县区政府.xlsx" and event.after["bytes"] > 0
    user, url = exports["analysis:export"]
    _client(user).get(url)
    event = AuditEvent.objects.filter(action="analysis.export").latest("seq")
    assert event.actor_name == "viewer" and event.object_type == "results.ResultSnapshot"
    assert event.after["file"].endswith("考核分析-第1次计算.xlsx")


def test_refused_downloads_record_nothing(exports, personas):
    """A download refused by access (outsider 404, wrong role 403) is no export and leaves no event."""
    before = AuditEvent.objects.filter(action__in=set(EXPORTS.values())).count()
    for name in ("plans:export", "analysis:export", "results:export", "reviews:letter", "submissions:download"):
        _user, url = exports[name]
        assert _client(personas.other_office).get(url).status_code == 404, name
    assert _client(personas.unit).get(exports["plans:export"][1]).status_code == 403
    assert _client(personas.unit).get(exports["analysis:export"][1]).status_code == 403
    assert AuditEvent.objects.filter(action__in=set(EXPORTS.values())).count() == before
