"""Services of 实地考核: groups, assignments, the window, scores through the evaluation history, photos."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.test import override_settings

from kaohe import access
from kaohe.core.models import AuditEvent
from kaohe.inspections.fieldwork import services
from kaohe.inspections.fieldwork.models import FieldAssignment, FieldGroup, FieldGroupMember, FieldPhoto
from kaohe.inspections.fieldwork.tests.conftest import PDF, PNG
from kaohe.organisations.roles import Role
from kaohe.plans.constants import Level, Method
from kaohe.plans.models import Indicator
from kaohe.scoring.models import Evaluation, EvaluationChange
from kaohe.scoring.services import StaleEvaluation


def test_forming_a_group_gives_its_members_the_plan_role(personas, plan):
    assert Role.FIELD_GROUP not in access.plan_roles(personas.field, plan)
    group = services.group_save(
        actor=personas.office, plan=plan, name="第一组", leader_id=personas.field.pk, member_ids=[personas.field2.pk]
    )
    members = {m.user_id: m for m in group.members.all()}
    assert members[personas.field.pk].is_leader and not members[personas.field2.pk].is_leader
    assert members[personas.field.pk].organisation.name == "市司法局"
    assert members[personas.field2.pk].organisation.name == "市财政局"
    access.forget(personas.field)
    assert Role.FIELD_GROUP in access.plan_roles(personas.field, plan)
    event = AuditEvent.objects.get(action="fieldwork.group_create")
    assert event.after["leader"] == "field_a" and event.after["members"] == ["field_a", "field_b"]

    # Changing the group: field_b leaves (and loses the plan role), the name changes.
    services.group_save(
        actor=personas.office, plan=plan, group=group, name="第一考察组", leader_id=personas.field.pk, member_ids=[]
    )
    assert list(group.members.values_list("user__username", flat=True)) == ["field_a"]
    access.forget(personas.field2)
    assert not access.plan_roles(personas.field2, plan)
    assert AuditEvent.objects.get(action="fieldwork.group_update").before["members"] == ["field_a", "field_b"]


def test_group_refuses_people_without_the_role_and_people_already_in_a_group(personas, plan):
    with pytest.raises(ValidationError, match="不是本地区的实地考察组成员"):
        services.group_save(actor=personas.office, plan=plan, name="第一组", leader_id=personas.desk.pk, member_ids=[])
    with pytest.raises(ValidationError, match="不是本地区的实地考察组成员"):  # another city's unit account
        services.group_save(
            actor=personas.office, plan=plan, name="第一组", leader_id=personas.field.pk, member_ids=[personas.other_unit.pk]
        )
    assert not FieldGroup.objects.filter(plan=plan).exists()
    services.group_save(actor=personas.office, plan=plan, name="第一组", leader_id=personas.field.pk, member_ids=[])
    with pytest.raises(ValidationError, match="已在第一组"):
        services.group_save(actor=personas.office, plan=plan, name="第二组", leader_id=personas.field.pk, member_ids=[])
    with pytest.raises(ValidationError, match="已有名为"):
        services.group_save(actor=personas.office, plan=plan, name="第一组", leader_id=personas.field2.pk, member_ids=[])
    assert FieldGroup.objects.filter(plan=plan).count() == 1
    assert FieldGroupMember.objects.filter(group__plan=plan).count() == 1
    with pytest.raises(PermissionDenied):
        services.group_save(actor=personas.desk, plan=plan, name="第三组", leader_id=personas.field2.pk, member_ids=[])


def test_a_unit_belongs_to_one_group_and_dates_stay_in_the_window(personas, groups, wugang, window):
    first, second = groups
    with pytest.raises(ValidationError, match="已分配给第一组"):
        services.assignment_set(actor=personas.office, plan=window, group=second, unit=wugang, visit_date=dt.date(2021, 1, 25))
    with pytest.raises(ValidationError, match="2021-01-20 至 2021-01-29"):
        services.assignment_set(actor=personas.office, plan=window, group=first, unit=wugang, visit_date=dt.date(2021, 2, 1))
    assignment = FieldAssignment.objects.get(unit=wugang)
    assert (assignment.group, assignment.visit_date) == (first, dt.date(2021, 1, 21))

    # The same group again: a new date and place; a Saturday is allowed with a warning.
    assignment, warnings = services.assignment_set(
        actor=personas.office, plan=window, group=first, unit=wugang, visit_date=dt.date(2021, 1, 23), address="舞钢市政府"
    )
    assert assignment.address == "舞钢市政府"
    assert warnings == ["2021-01-23 是星期六（休息日），请确认考察日期"]
    assert AuditEvent.objects.filter(action="fieldwork.reschedule").count() == 1


def test_without_a_window_any_date_is_taken_and_holidays_are_named(personas, plan, wugang):
    services.window_set(actor=personas.office, plan=plan, start=None, end=None)  # the plan has none: a no-op
    group = services.group_save(actor=personas.office, plan=plan, name="第一组", leader_id=personas.field.pk, member_ids=[])
    _, warnings = services.assignment_set(
        actor=personas.office, plan=plan, group=group, unit=wugang, visit_date=dt.date(2021, 2, 12)
    )
    assert warnings == ["2021-02-12 是春节假期，请确认考察日期"]
    _, warnings = services.assignment_set(
        actor=personas.office, plan=plan, group=group, unit=wugang, visit_date=dt.date(2021, 2, 7)
    )
    assert warnings == ["2021-02-07 是春节调休上班日，请确认考察日期"]


def test_window_cannot_exclude_scheduled_dates(personas, groups, window):
    with pytest.raises(ValidationError, match="舞钢市人民政府（2021-01-21）"):
        services.window_set(actor=personas.office, plan=window, start=dt.date(2021, 1, 22), end=dt.date(2021, 1, 29))
    with pytest.raises(ValidationError, match="同时填写"):
        services.window_set(actor=personas.office, plan=window, start=dt.date(2021, 1, 22), end=None)
    window.refresh_from_db()
    assert window.field_start == dt.date(2021, 1, 20)
    services.window_set(actor=personas.office, plan=window, start=None, end=None)
    window.refresh_from_db()
    assert window.field_start is None


def test_group_with_units_is_not_dissolved(personas, groups, window):
    first, _ = groups
    with pytest.raises(ValidationError, match="请先取消分配"):
        services.group_delete(actor=personas.office, plan=window, group=first)
    services.assignment_remove(actor=personas.office, plan=window, assignment=first.assignments.get())
    services.group_delete(actor=personas.office, plan=window, group=first)
    assert not FieldGroup.objects.filter(pk=first.pk).exists()


def test_a_members_score_lands_as_an_evaluation_with_history(personas, groups, wugang, field_tasks, window):
    task = field_tasks[1]
    evaluation = services.field_score_record(
        actor=personas.field,
        plan=window,
        unit_id=wugang.pk,
        task_id=task.pk,
        score="1.5",
        reason="被征地群众补偿档案不全",
        expected_version=0,
    )
    assert evaluation.score == Decimal("1.50") and evaluation.version == 1
    change = EvaluationChange.objects.get(evaluation=evaluation)
    assert change.source == EvaluationChange.Source.FIELD and change.changed_by == personas.field
    event = AuditEvent.objects.get(action="evaluation.derive", object_id=str(evaluation.pk))
    assert event.after["group"] == "第一组" and event.after["source"] == "field"

    # A second form loaded at version 0 is stale: the value is not overwritten.
    with pytest.raises(StaleEvaluation) as stale:
        services.field_score_record(
            actor=personas.field, plan=window, unit_id=wugang.pk, task_id=task.pk, score="2", reason="", expected_version=0
        )
    assert stale.value.current.score == Decimal("1.50")
    assert Evaluation.objects.get(pk=evaluation.pk).version == 1


def test_members_reach_only_their_groups_units_and_field_tasks(personas, groups, wugang, baofeng, field_tasks, window):
    with pytest.raises(Http404):  # 宝丰 belongs to 第二组
        services.field_score_record(
            actor=personas.field,
            plan=window,
            unit_id=baofeng.pk,
            task_id=field_tasks[1].pk,
            score="2",
            reason="",
            expected_version=0,
        )
    submission_task = Indicator.objects.filter(
        plan=window, category=wugang.category, level=Level.TASK, method=Method.SUBMISSION
    ).first()
    with pytest.raises(Http404):
        services.field_score_record(
            actor=personas.field,
            plan=window,
            unit_id=wugang.pk,
            task_id=submission_task.pk,
            score="1",
            reason="",
            expected_version=0,
        )
    dept_task = Indicator.objects.filter(plan=window, category__name="部门2", level=Level.TASK, method=Method.FIELD).first()
    with pytest.raises(Http404):  # a field task, but of another category
        services.field_score_record(
            actor=personas.field, plan=window, unit_id=wugang.pk, task_id=dept_task.pk, score="1", reason="", expected_version=0
        )
    assert not Evaluation.objects.filter(plan=window).exists()


def test_photos_are_images_only_and_size_limited(personas, groups, wugang, field_tasks, window):
    task = field_tasks[1]
    photo = services.photo_add(
        actor=personas.field, plan=window, unit_id=wugang.pk, task_id=task.pk, upload=SimpleUploadedFile("现场.png", PNG)
    )
    assert photo.group.name == "第一组" and photo.uploaded_by == personas.field and photo.mime == "image/png"
    with pytest.raises(ValidationError, match="只能上传照片"):
        services.photo_add(
            actor=personas.field, plan=window, unit_id=wugang.pk, task_id=task.pk, upload=SimpleUploadedFile("x.pdf", PDF)
        )
    with pytest.raises(ValidationError, match="照片未保存"):  # a PDF named .jpg
        services.photo_add(
            actor=personas.field, plan=window, unit_id=wugang.pk, task_id=task.pk, upload=SimpleUploadedFile("x.jpg", PDF)
        )
    with override_settings(KAOHE_FIELD_PHOTO_MAX_BYTES=40), pytest.raises(ValidationError, match="大小上限"):
        services.photo_add(
            actor=personas.field,
            plan=window,
            unit_id=wugang.pk,
            task_id=task.pk,
            upload=SimpleUploadedFile("big.png", PNG + b"\x00" * 100),
        )
    assert FieldPhoto.objects.count() == 1
    with pytest.raises(PermissionDenied):  # only the uploader removes a photo
        services.photo_delete(actor=personas.office, plan=window, photo=photo)
    services.photo_delete(actor=personas.field, plan=window, photo=photo)
    assert not FieldPhoto.objects.exists()
