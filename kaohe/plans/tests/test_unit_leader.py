"""主要负责人 per unit per plan: the office edits any unit's, a unit its own; audited; wrong roles and bad input."""

from __future__ import annotations

from django.urls import reverse

from kaohe.core.models import AuditEvent
from kaohe.plans.models import PlanUnit


def _unit(plan, name="舞钢市人民政府"):
    return PlanUnit.objects.select_related("organisation").get(plan=plan, organisation__name=name)


def _url(plan, unit):
    return reverse("plans:unit_leader", args=[plan.pk, unit.pk])


def test_office_sets_a_units_leader_shown_on_units_page(personas, plan):
    unit = _unit(plan)
    client = personas.client(personas.office)
    assert client.get(_url(plan, unit)).status_code == 200
    response = client.post(_url(plan, unit), {"leader_name": " 张三 ", "leader_post": "市长"})
    assert response.status_code == 302
    unit.refresh_from_db()
    assert (unit.leader_name, unit.leader_post) == ("张三", "市长")
    event = AuditEvent.objects.filter(action="unit.leader").latest("seq")
    assert event.before == {"leader_name": "", "leader_post": ""}
    assert event.after == {"leader_name": "张三", "leader_post": "市长"}
    page = client.get(reverse("plans:units", args=[plan.pk])).content.decode()
    assert "张三" in page and "市长" in page


def test_unit_edits_its_own_leader_from_the_overview_but_not_anothers(personas, plan):
    own, other = _unit(plan), _unit(plan, "市司法局")
    client = personas.client(personas.unit)
    overview = client.get(reverse("plans:detail", args=[plan.pk])).content.decode()
    assert _url(plan, own) in overview
    assert _url(plan, other) not in overview
    response = client.post(_url(plan, own), {"leader_name": "李四", "leader_post": "市长"})
    assert response.status_code == 302
    assert response["Location"] == reverse("plans:detail", args=[plan.pk])
    own.refresh_from_db()
    assert own.leader_name == "李四"
    assert client.post(_url(plan, other), {"leader_name": "王五"}).status_code == 403
    other.refresh_from_db()
    assert other.leader_name == ""


def test_wrong_roles_and_outsiders_change_nothing(personas, plan):
    unit = _unit(plan)
    for user in (personas.desk, personas.unit2, personas.viewer):
        assert personas.client(user).get(_url(plan, unit)).status_code == 403
        assert personas.client(user).post(_url(plan, unit), {"leader_name": "王五"}).status_code == 403
    for user in (personas.other_office, personas.other_unit, personas.sysadmin):
        assert personas.client(user).post(_url(plan, unit), {"leader_name": "王五"}).status_code == 404
    assert personas.client(None).post(_url(plan, unit), {"leader_name": "王五"}).status_code == 302
    assert personas.client(personas.office).get(reverse("plans:unit_leader", args=[plan.pk, 999999])).status_code == 404
    unit.refresh_from_db()
    assert unit.leader_name == ""
    assert not AuditEvent.objects.filter(action="unit.leader").exists()


def test_bad_input_is_refused_in_chinese(personas, plan):
    unit = _unit(plan)
    client = personas.client(personas.office)
    page = client.post(_url(plan, unit), {"leader_name": "", "leader_post": "市长"}).content.decode()
    assert "请填写主要负责人姓名" in page
    page = client.post(_url(plan, unit), {"leader_name": "张" * 51, "leader_post": ""}).content.decode()
    assert "姓名不能超过50个字符" in page
    unit.refresh_from_db()
    assert unit.leader_name == ""


def test_clearing_the_leader_is_allowed(personas, plan):
    unit = _unit(plan)
    client = personas.client(personas.office)
    client.post(_url(plan, unit), {"leader_name": "张三", "leader_post": "市长"})
    assert client.post(_url(plan, unit), {"leader_name": "", "leader_post": ""}).status_code == 302
    unit.refresh_from_db()
    assert (unit.leader_name, unit.leader_post) == ("", "")


def test_the_leader_carries_into_next_years_plan_as_a_starting_point(personas, plan):
    from kaohe.plans.models import Plan

    unit = _unit(plan)
    client = personas.client(personas.office)
    client.post(_url(plan, unit), {"leader_name": "张三", "leader_post": "市长"})
    client.post(reverse("plans:copy", args=[plan.pk]), {"title": "平顶山市2021年度依法行政考核"})
    new = Plan.objects.get(title="平顶山市2021年度依法行政考核")
    copied = PlanUnit.objects.get(plan=new, organisation=unit.organisation)
    assert (copied.leader_name, copied.leader_post) == ("张三", "市长")
