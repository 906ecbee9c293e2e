"""实地考核 through the URLs: the office's pages, the member's phone pages, and every refusal."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from openpyxl import load_workbook

from kaohe.inspections.fieldwork import services
from kaohe.inspections.fieldwork.models import FieldAssignment, FieldGroup, FieldPhoto
from kaohe.inspections.fieldwork.tests.conftest import PDF, PNG, unit_named
from kaohe.plans.constants import Level, Method
from kaohe.plans.models import Indicator, Plan
from kaohe.scoring.models import Evaluation, EvaluationChange


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


# --- the office ---------------------------------------------------------------------------------------


def test_office_page_by_persona(personas, groups, window):
    url = reverse("fieldwork:office", args=[window.pk])
    for user, status in (
        (personas.office, 200),
        (personas.desk, 403),
        (personas.unit, 403),
        (personas.viewer, 403),
        (personas.field, 403),
        (personas.other_office, 404),
    ):
        assert personas.client(user).get(url).status_code == status, user
    body = personas.client(personas.office).get(url).content.decode()
    assert "第一组" in body and "舞钢市人民政府" in body and personas.field.display_name in body and "市司法局" in body


def test_office_forms_groups_and_assigns_units_in_the_ui(personas, window, wugang):
    office = personas.client(personas.office)
    # A non-holder of the 实地考察组 role cannot be picked: nothing is created.
    response = office.post(
        reverse("fieldwork:group_create", args=[window.pk]), {"name": "第一组", "leader": personas.desk.pk, "members": []}
    )
    assert response.status_code == 400
    assert "不是本地区的实地考察组成员" in response.content.decode()
    assert not FieldGroup.objects.filter(plan=window).exists()

    response = office.post(
        reverse("fieldwork:group_create", args=[window.pk]),
        {"name": "第一组", "leader": personas.field.pk, "members": [personas.field.pk, personas.field2.pk]},
    )
    assert response.status_code == 302
    group = FieldGroup.objects.get(plan=window)
    assert group.members.count() == 2

    assign = reverse("fieldwork:assign", args=[window.pk])
    response = office.post(assign, {"group": group.pk, "unit": wugang.pk, "visit_date": "2021-02-03"})
    assert response.status_code == 400 and "2021-01-20 至 2021-01-29" in response.content.decode()
    response = office.post(
        assign, {"group": group.pk, "unit": wugang.pk, "visit_date": "2021-01-24", "address": "舞钢市"}, follow=True
    )
    assert "已安排第一组于 2021-01-24" in _messages(response)
    assert "星期日（休息日）" in _messages(response)
    assert FieldAssignment.objects.get(unit=wugang).visit_date.isoformat() == "2021-01-24"


def test_assigning_a_unit_another_group_holds_is_refused(personas, groups, wugang, window):
    _, second = groups
    response = personas.client(personas.office).post(
        reverse("fieldwork:assign", args=[window.pk]), {"group": second.pk, "unit": wugang.pk, "visit_date": "2021-01-25"}
    )
    assert response.status_code == 400
    assert "已分配给第一组" in response.content.decode()
    assignment = FieldAssignment.objects.get(unit=wugang)
    assert assignment.group.name == "第一组" and assignment.visit_date.isoformat() == "2021-01-21"


def test_group_edit_refuses_a_member_of_another_group(personas, groups, window):
    first, _ = groups
    url = reverse("fieldwork:group_edit", args=[window.pk, first.pk])
    office = personas.client(personas.office)
    assert office.get(url).status_code == 200
    response = office.post(url, {"name": "第一组", "leader": personas.field.pk, "members": [personas.field2.pk]})
    assert response.status_code == 400 and "已在第二组" in response.content.decode()
    assert list(first.members.values_list("user_id", flat=True)) == [personas.field.pk]
    assert personas.client(personas.desk).get(url).status_code == 403
    assert personas.client(personas.other_office).get(url).status_code == 404
    other = reverse("fieldwork:group_edit", args=[window.pk, 999999])
    assert office.get(other).status_code == 404


def test_progress_counts_scored_field_tasks(
    personas, groups, wugang, field_tasks, window, more_counties, django_assert_max_num_queries
):
    services.field_score_record(
        actor=personas.field, plan=window, unit_id=wugang.pk, task_id=field_tasks[1].pk, score="2", reason="", expected_version=0
    )
    office = personas.client(personas.office)
    url = reverse("fieldwork:office", args=[window.pk])
    with django_assert_max_num_queries(24):  # 21 + the 回避 check of every member × unit (3, constant)
        response = office.get(url)
    first = response.context["schedules"][0]
    assert (first.progress.scored, first.progress.total) == (1, len(field_tasks))
    # More groups and units cost no more queries.
    for name in ("郏县人民政府", "鲁山县人民政府", "叶县人民政府"):
        services.assignment_set(
            actor=personas.office,
            plan=window,
            group=groups[1],
            unit=unit_named(window, name),
            visit_date=first.assignments[0].visit_date,
        )
    with django_assert_max_num_queries(24):
        response = office.get(url)
    assert response.context["schedules"][1].progress.total == 4 * len(field_tasks)


def test_schedule_exports(personas, groups, window):
    first, _ = groups
    office = personas.client(personas.office)
    response = office.get(reverse("fieldwork:group_xlsx", args=[window.pk, first.pk]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    assert ["考察组", "第一组"] in rows
    assert ["组长", f"{personas.field.display_name}（市司法局）"] in rows
    assert any("舞钢市人民政府" in row and "星期四" in row for row in rows)
    page = office.get(reverse("fieldwork:schedule", args=[window.pk]))
    body = page.content.decode()
    assert page.status_code == 200 and "第二组" in body and "宝丰县人民政府" in body and "2021-01-21 星期四" in body
    assert personas.client(personas.desk).get(reverse("fieldwork:group_xlsx", args=[window.pk, first.pk])).status_code == 403
    assert personas.client(personas.field).get(reverse("fieldwork:schedule", args=[window.pk])).status_code == 403


# --- the members --------------------------------------------------------------------------------------


def test_member_sees_only_their_groups_units(personas, groups, field_tasks, window, more_counties, django_assert_max_num_queries):
    url = reverse("fieldwork:mine", args=[window.pk])
    client = personas.client(personas.field)
    with django_assert_max_num_queries(16):
        response = client.get(url)
    body = response.content.decode()
    assert response.status_code == 200
    assert "舞钢市人民政府" in body and "宝丰县人民政府" not in body
    assert "已评 0 / 2" in body  # the two 县区政府 实地考核 tasks
    # More units for the group: the same number of queries.
    for name in ("郏县人民政府", "鲁山县人民政府", "叶县人民政府"):
        services.assignment_set(
            actor=personas.office,
            plan=window,
            group=groups[0],
            unit=unit_named(window, name),
            visit_date=groups[0].assignments.first().visit_date,
        )
    with django_assert_max_num_queries(16):
        assert client.get(url).content.decode().count('data-testid="unit-card"') == 4
    assert personas.client(personas.office).get(url).status_code == 302


def test_member_pages_by_persona(personas, groups, wugang, baofeng, field_tasks, window):
    unit_url = reverse("fieldwork:unit", args=[window.pk, wugang.pk])
    score_url = reverse("fieldwork:score", args=[window.pk, wugang.pk, field_tasks[1].pk])
    assert personas.client(personas.field).get(unit_url).status_code == 200
    # field_b is in 第二组: 舞钢 is not theirs.
    assert personas.client(personas.field2).get(unit_url).status_code == 404
    assert personas.client(personas.field2).post(score_url, {"score": "2", "version": 0}).status_code == 404
    for user, status in (
        (personas.office, 403),
        (personas.desk, 403),
        (personas.unit, 403),
        (personas.viewer, 403),
        (personas.other_office, 404),
    ):
        assert personas.client(user).get(unit_url).status_code == status, user
        assert personas.client(user).post(score_url, {"score": "2", "version": 0}).status_code == status, user
    assert not Evaluation.objects.filter(plan=window).exists()
    # An unknown unit, another category's field task, a non-field task: 404.
    assert personas.client(personas.field).get(reverse("fieldwork:unit", args=[window.pk, 999999])).status_code == 404
    dept_task = Indicator.objects.filter(plan=window, category__name="部门2", level=Level.TASK, method=Method.FIELD).first()
    response = personas.client(personas.field).post(
        reverse("fieldwork:score", args=[window.pk, wugang.pk, dept_task.pk]), {"score": "1", "version": 0}
    )
    assert response.status_code == 404


def test_field_role_holder_outside_any_group_gets_404(personas, window, wugang, field_tasks):
    """field_a holds the 实地考察组 role but is in no group of this plan: the plan does not exist for them."""
    for url in (
        reverse("fieldwork:mine", args=[window.pk]),
        reverse("fieldwork:unit", args=[window.pk, wugang.pk]),
        reverse("plans:detail", args=[window.pk]),
    ):
        assert personas.client(personas.field).get(url).status_code == 404, url
    response = personas.client(personas.field).post(
        reverse("fieldwork:score", args=[window.pk, wugang.pk, field_tasks[1].pk]), {"score": "1", "version": 0}
    )
    assert response.status_code == 404
    assert not Evaluation.objects.exists()


def test_member_scores_on_the_phone_page(personas, groups, wugang, field_tasks, window):
    client = personas.client(personas.field)
    task = field_tasks[1]  # 3.1.2, 2 points
    page = client.get(reverse("fieldwork:unit", args=[window.pk, wugang.pk])).content.decode()
    assert task.name in page and "2 分" in page and task.requirement[:10] in page and task.materials[:6] in page
    assert page.count('data-testid="task-card"') == len(field_tasks)
    response = client.post(
        reverse("fieldwork:score", args=[window.pk, wugang.pk, task.pk]),
        {"score": "1.25", "reason": "补偿档案不全", "version": 0},
    )
    assert response.status_code == 302 and response["Location"].endswith(f"#task-{task.pk}")
    evaluation = Evaluation.objects.get(unit=wugang, task=task)
    assert evaluation.score == Decimal("1.25") and evaluation.reason == "补偿档案不全"
    assert evaluation.changes.get().source == EvaluationChange.Source.FIELD
    # The reason is offered again on the next task.
    page = client.get(reverse("fieldwork:unit", args=[window.pk, wugang.pk])).content.decode()
    assert 'data-reason="补偿档案不全"' in page


@pytest.mark.parametrize(
    ("score", "reason", "message"),
    [
        ("2.01", "超出", "得分须在 0 到 2 分之间"),
        ("-1", "负分", "得分须在 0 到 2 分之间"),
        ("1.255", "三位小数", "最多保留两位小数"),
        ("良好", "文字", "得分须为数字"),
        ("", "", "请填写得分"),
        ("1.5", "", "须写明扣分理由"),
    ],
)
def test_bad_scores_are_refused_and_nothing_is_recorded(personas, groups, wugang, field_tasks, window, score, reason, message):
    response = personas.client(personas.field).post(
        reverse("fieldwork:score", args=[window.pk, wugang.pk, field_tasks[1].pk]),
        {"score": score, "reason": reason, "version": 0},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert f'value="{score}"' in body  # the typed value is kept for correction
    assert not Evaluation.objects.exists() and not EvaluationChange.objects.exists()


def test_concurrent_edit_answers_409_with_the_current_value(personas, groups, wugang, field_tasks, window):
    first, _ = groups
    services.group_save(
        actor=personas.office, plan=window, group=first, name="第一组", leader_id=personas.field.pk, member_ids=[]
    )
    task = field_tasks[1]
    services.field_score_record(
        actor=personas.field, plan=window, unit_id=wugang.pk, task_id=task.pk, score="1.5", reason="他人先存", expected_version=0
    )
    response = personas.client(personas.field).post(
        reverse("fieldwork:score", args=[window.pk, wugang.pk, task.pk]), {"score": "2", "reason": "", "version": 0}
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "当前为 1.50 分" in body and 'value="1.5"' in body and 'name="version" value="1"' in body
    assert Evaluation.objects.get(unit=wugang, task=task).score == Decimal("1.50")


def test_scores_are_frozen_after_results_are_published(personas, groups, wugang, field_tasks, window):
    Plan.objects.filter(pk=window.pk).update(status=Plan.Status.RESULTS_PUBLISHED)
    client = personas.client(personas.field)
    response = client.post(
        reverse("fieldwork:score", args=[window.pk, wugang.pk, field_tasks[1].pk]), {"score": "2", "reason": "", "version": 0}
    )
    assert response.status_code == 403
    assert "分数已冻结" in response.content.decode()
    response = client.post(
        reverse("fieldwork:photo_upload", args=[window.pk, wugang.pk, field_tasks[1].pk]),
        {"photo": SimpleUploadedFile("a.png", PNG)},
    )
    assert response.status_code == 403
    assert not Evaluation.objects.exists() and not FieldPhoto.objects.exists()
    page = client.get(reverse("fieldwork:unit", args=[window.pk, wugang.pk])).content.decode()
    assert "分数已冻结" in page and "保存得分" not in page


def test_photos_upload_view_and_refusals(personas, groups, wugang, field_tasks, window):
    client = personas.client(personas.field)
    url = reverse("fieldwork:photo_upload", args=[window.pk, wugang.pk, field_tasks[1].pk])
    response = client.post(url, {"photo": [SimpleUploadedFile("现场1.png", PNG), SimpleUploadedFile("现场2.png", PNG)]})
    assert response.status_code == 302
    assert FieldPhoto.objects.count() == 2
    photo = FieldPhoto.objects.first()

    response = client.post(url, {"photo": SimpleUploadedFile("说明.pdf", PDF)})
    assert response.status_code == 400 and "只能上传照片" in response.content.decode()
    with override_settings(KAOHE_FIELD_PHOTO_MAX_BYTES=64):
        response = client.post(url, {"photo": SimpleUploadedFile("大图.png", PNG + b"\x00" * 200)})
    assert response.status_code == 400 and "超过单个文件大小上限" in response.content.decode()
    assert client.post(url, {}).status_code == 400
    assert FieldPhoto.objects.count() == 2
    # Another group's member cannot upload to 舞钢 nor see its photos.
    assert personas.client(personas.field2).post(url, {"photo": SimpleUploadedFile("x.png", PNG)}).status_code == 404
    photo_url = reverse("fieldwork:photo", args=[window.pk, photo.pk])
    assert personas.client(personas.field2).get(photo_url).status_code == 404
    assert personas.client(personas.desk).get(photo_url).status_code == 404
    shown = client.get(photo_url)
    assert shown.status_code == 200 and shown["Content-Type"] == "image/png" and b"".join(shown.streaming_content) == PNG
    assert personas.client(personas.office).get(photo_url).status_code == 200
    # Only the uploader deletes.
    delete = reverse("fieldwork:photo_delete", args=[window.pk, photo.pk])
    assert personas.client(personas.office).post(delete).status_code == 403
    assert client.post(delete).status_code == 302
    assert FieldPhoto.objects.count() == 1


def test_draft_plans_have_no_field_pages_for_members(personas, other_plan):
    assert personas.client(personas.field).get(reverse("fieldwork:mine", args=[other_plan.pk])).status_code == 404
    assert personas.client(personas.other_office).get(reverse("fieldwork:office", args=[other_plan.pk])).status_code == 200


def test_office_page_shows_the_window_in_date_inputs(personas, groups, window):
    body = personas.client(personas.office).get(reverse("fieldwork:office", args=[window.pk])).content.decode()
    assert 'value="2021-01-20"' in body and 'value="2021-01-29"' in body
