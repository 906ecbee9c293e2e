"""回避 in 实地考核: a member from 市司法局 does not score 市司法局; the office is warned when assigning."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from kaohe.core.models import AuditEvent
from kaohe.inspections.fieldwork import services
from kaohe.inspections.fieldwork.selectors import field_tasks
from kaohe.inspections.fieldwork.tests.conftest import unit_named
from kaohe.organisations.models import Membership, Organisation
from kaohe.organisations.roles import Role
from kaohe.scoring.models import Evaluation


def test_a_member_from_the_unit_is_warned_at_assignment_and_refused_when_scoring(personas, groups, window):
    first, _second = groups  # 第一组: field_a (市司法局); 第二组: field_b (市财政局)
    sfj = unit_named(window, "市司法局")
    _assignment, warnings = services.assignment_set(
        actor=personas.office, plan=window, group=first, unit=sfj, visit_date=dt.date(2021, 1, 25)
    )
    assert any(f"回避：{personas.field.display_name}在市司法局任职，不能评价本单位（市司法局）" in w for w in warnings)
    page = personas.client(personas.office).get(reverse("fieldwork:office", args=[window.pk])).content.decode()
    assert 'data-testid="conflicts"' in page and f"第一组 · {personas.field.display_name} → 市司法局" in page

    task = field_tasks(window, sfj.category_id).exclude(points__isnull=True).first()
    client = personas.client(personas.field)
    member_page = client.get(reverse("fieldwork:unit", args=[window.pk, sfj.pk])).content.decode()
    assert 'data-testid="conflict"' in member_page
    response = client.post(
        reverse("fieldwork:score", args=[window.pk, sfj.pk, task.pk]), {"score": f"{task.points}", "reason": "", "version": 0}
    )
    assert response.status_code == 400
    assert "不能评价本单位（市司法局）" in response.content.decode()
    assert not Evaluation.objects.filter(unit=sfj, task=task).exists()
    assert not AuditEvent.objects.filter(action="evaluation.derive").exists()


def test_a_membership_gained_later_counts_and_other_units_are_not_warned(personas, groups, window):
    baofeng = unit_named(window, "宝丰县人民政府")  # held by 第二组 (field_b, 市财政局)
    page = personas.client(personas.office).get(reverse("fieldwork:office", args=[window.pk])).content.decode()
    assert 'data-testid="conflicts"' not in page
    task = field_tasks(window, baofeng.category_id).exclude(points__isnull=True).first()
    # field_b is seconded to 宝丰县's government after being put in the group: refused from then on.
    Membership.objects.create(
        user=personas.field2, organisation=Organisation.objects.get(name="宝丰县人民政府"), role=Role.VIEWER
    )
    response = personas.client(personas.field2).post(
        reverse("fieldwork:score", args=[window.pk, baofeng.pk, task.pk]), {"score": f"{task.points}", "reason": "", "version": 0}
    )
    assert (
        response.status_code == 400 and f"回避：{personas.field2.display_name}在宝丰县人民政府任职" in response.content.decode()
    )
    assert not Evaluation.objects.filter(unit=baofeng, task=task).exists()
    page = personas.client(personas.office).get(reverse("fieldwork:office", args=[window.pk])).content.decode()
    assert f"第二组 · {personas.field2.display_name} → 宝丰县人民政府" in page
