"""约谈 and 重点单位: the office records talks after the results are published and marks units it follows closely;
wrong roles, outsiders and bad input change nothing."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kaohe.core.models import AuditEvent
from kaohe.plans.models import Plan, PlanUnit
from kaohe.reviews.models import FocusUnit, Talk
from kaohe.reviews.tests.conftest import beijing, set_now
from kaohe.submissions.tests.conftest import PDF


def _url(name: str, plan, *args) -> str:
    return reverse(f"reviews:{name}", args=[plan.pk, *args])


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


@pytest.fixture
def published(plan, monkeypatch):
    set_now(monkeypatch, beijing(2021, 4, 20))
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.RESULTS_PUBLISHED)
    plan.refresh_from_db()
    return plan


def _talk(personas, plan, target, user=None, **overrides):
    data = {
        "unit": str(target.pk),
        "held_on": "2021-04-15",
        "held_by": "市法治政府建设领导小组办公室主任",
        "notes": "指出排名靠后的原因，要求限期整改",
        "minutes": SimpleUploadedFile("约谈记录.pdf", PDF, content_type="application/pdf"),
    }
    data.update(overrides)
    data = {k: v for k, v in data.items() if v is not None}
    return personas.client(user or personas.office).post(_url("talk_create", plan), data, follow=True)


def test_office_records_a_talk_with_the_units_leader_by_default(personas, published, wugang):
    PlanUnit.objects.filter(pk=wugang.pk).update(leader_name="张三", leader_post="市长")
    response = _talk(personas, published, wugang)
    assert "已登记对舞钢市人民政府的约谈" in _messages(response)
    talk = Talk.objects.get(plan=published)
    assert (talk.subject_name, talk.subject_post, talk.unit_id) == ("张三", "市长", wugang.pk)
    assert talk.minutes_name == "约谈记录.pdf"
    event = AuditEvent.objects.filter(action="talk.record").latest("seq")
    assert event.after["subject_name"] == "张三" and event.after["held_on"] == "2021-04-15"
    page = personas.client(personas.office).get(_url("talks", published)).content.decode()
    assert "张三" in page and "约谈记录.pdf" in page
    download = personas.client(personas.office).get(_url("talk_minutes", published, talk.pk))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert AuditEvent.objects.filter(action="talk.minutes_download").exists()


def test_a_named_person_and_no_file(personas, published, wugang):
    _talk(personas, published, wugang, subject_name="李四", subject_post="常务副市长", minutes=None)
    talk = Talk.objects.get(plan=published)
    assert (talk.subject_name, talk.subject_post, talk.minutes_name) == ("李四", "常务副市长", "")
    assert personas.client(personas.office).get(_url("talk_minutes", published, talk.pk)).status_code == 404


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({}, "舞钢市人民政府尚未填写主要负责人，请填写约谈对象"),  # no 主要负责人 and nobody named
        ({"subject_name": "张三", "held_by": ""}, "请填写约谈人"),
        ({"subject_name": "张三", "held_on": ""}, "请填写约谈日期"),
        ({"subject_name": "张三", "held_on": "2021-05-01"}, "不能晚于今天"),
        ({"subject_name": "张三", "held_on": "2031-01-01"}, "约谈日期"),
        ({"subject_name": "张三", "unit": "999999"}, "请选择考核对象"),
        ({"subject_name": "张" * 51}, "约谈对象不能超过 50 字"),
    ],
)
def test_bad_input_records_nothing(personas, published, wugang, overrides, message):
    response = _talk(personas, published, wugang, **overrides)
    assert message in _messages(response)
    assert not Talk.objects.exists()


def test_talks_wait_for_the_published_results(personas, plan, wugang):
    page = personas.client(personas.office).get(_url("talks", plan)).content.decode()
    assert "考核结果公布后，在此登记约谈" in page
    response = _talk(personas, plan, wugang, subject_name="张三")
    assert "考核结果公布后才能登记约谈" in _messages(response)
    assert not Talk.objects.exists()


def test_wrong_roles_and_outsiders_neither_see_nor_record(personas, published, wugang):
    from kaohe.reviews import services_talks

    talk = services_talks.talk_record(
        actor=personas.office,
        plan=published,
        unit=wugang,
        held_on=beijing(2021, 4, 15).date(),
        held_by="主任",
        subject_name="张三",
    )
    for user in (personas.unit, personas.unit2, personas.desk, personas.viewer):
        client = personas.client(user)
        assert client.get(_url("talks", published)).status_code == 403
        assert client.get(_url("talk_minutes", published, talk.pk)).status_code == 403
        assert _talk(personas, published, wugang, user=user, subject_name="王五").status_code == 403
        assert client.post(_url("focus_set", published), {"unit": wugang.pk, "reason": "x"}).status_code == 403
    for user in (personas.other_office, personas.other_unit, personas.sysadmin):
        client = personas.client(user)
        assert client.get(_url("talks", published)).status_code == 404
        assert client.get(_url("talk_minutes", published, talk.pk)).status_code == 404
        assert client.post(_url("focus_set", published), {"unit": wugang.pk, "reason": "x"}).status_code == 404
    assert Talk.objects.count() == 1
    assert not FocusUnit.objects.exists()


def test_focus_unit_set_listed_first_and_cleared_with_reasons(personas, plan, wugang, monkeypatch):
    set_now(monkeypatch, beijing(2021, 4, 20))
    other = PlanUnit.objects.select_related("organisation").get(plan=plan, organisation__name="宝丰县人民政府")
    office = personas.client(personas.office)
    for unit, text in ((other, "宝丰县的问题"), (wugang, "舞钢市的问题")):
        assert office.post(_url("problem_add", plan), {"unit": unit.pk, "text": text}).status_code == 302
        assert office.post(_url("release", plan), {"unit": unit.pk}).status_code == 302
    client = personas.client(personas.office)
    rect = client.get(_url("rectification_office", plan)).content.decode()
    assert rect.index("宝丰县的问题") < rect.index("舞钢市的问题")
    assert 'data-testid="focus-badge"' not in rect

    response = client.post(_url("focus_set", plan), {"unit": wugang.pk, "reason": "排名后5名，已约谈"}, follow=True)
    assert "舞钢市人民政府已列为重点单位" in _messages(response)
    mark = FocusUnit.objects.get(plan=plan)
    assert mark.unit_id == wugang.pk and mark.reason == "排名后5名，已约谈"
    assert AuditEvent.objects.filter(action="focus_unit.set").latest("seq").after == {
        "focus": True,
        "reason": "排名后5名，已约谈",
    }
    rect = client.get(_url("rectification_office", plan)).content.decode()
    assert rect.index("舞钢市的问题") < rect.index("宝丰县的问题")
    assert rect.count('data-testid="focus-badge"') == 1

    again = client.post(_url("focus_set", plan), {"unit": wugang.pk, "reason": "再次"}, follow=True)
    assert "舞钢市人民政府已是重点单位" in _messages(again)
    no_reason = client.post(_url("focus_clear", plan, wugang.pk), {"reason": " "}, follow=True)
    assert "请填写取消重点单位的理由" in _messages(no_reason)
    assert FocusUnit.objects.filter(plan=plan).exists()

    response = client.post(_url("focus_clear", plan, wugang.pk), {"reason": "整改到位"}, follow=True)
    assert "已不再是重点单位" in _messages(response)
    assert not FocusUnit.objects.exists()
    event = AuditEvent.objects.filter(action="focus_unit.clear").latest("seq")
    assert event.before["reason"] == "排名后5名，已约谈" and event.after == {"focus": False, "reason": "整改到位"}


def test_focus_needs_a_reason(personas, plan, wugang):
    response = personas.client(personas.office).post(_url("focus_set", plan), {"unit": wugang.pk, "reason": ""}, follow=True)
    assert "请填写列为重点单位的理由" in _messages(response)
    assert not FocusUnit.objects.exists()
