"""PDS 七(五) "遇到的问题请及时与…办公室联系（联系人、电话、地址）": the office sets its contact on 方案设置; units and
desks of the plan (the small city's, published) see it on the plan's page; an outsider sees neither the page nor the contact."""

from __future__ import annotations

from django.urls import reverse

from kaohe.core.models import AuditEvent
from kaohe.plans.models import Plan
from kaohe.plans.tests.test_plan_settings import _post, _url

NAME, PHONE, ADDRESS = "示例联系人甲", "0375-0000000", "示例路1号"


def test_office_sets_its_contact_and_units_and_desks_see_it(personas, plan):
    office = personas.client(personas.office)
    data = _post(
        plan, office_contact_name=f" {NAME} ", office_contact_phone=PHONE, office_contact_address=ADDRESS, reason="补充联系方式"
    )
    assert office.post(_url(plan), data).status_code == 302
    plan.refresh_from_db()
    assert (plan.office_contact_name, plan.office_contact_phone, plan.office_contact_address) == (NAME, PHONE, ADDRESS)
    event = AuditEvent.objects.get(action="plan.settings", plan_id=plan.pk)
    assert event.before["office_contact_name"] == "" and event.after["office_contact_phone"] == PHONE
    detail = reverse("plans:detail", args=[plan.pk])
    for user in (personas.unit, personas.desk, personas.office):
        page = personas.client(user).get(detail).content.decode()
        assert 'data-testid="office-contact"' in page and NAME in page and PHONE in page and ADDRESS in page
    response = personas.client(personas.other_office).get(detail)
    assert response.status_code == 404 and NAME not in response.content.decode()


def test_no_contact_no_card(personas, plan):
    page = personas.client(personas.unit).get(reverse("plans:detail", args=[plan.pk])).content.decode()
    assert 'data-testid="office-contact"' not in page


def test_bad_phone_is_refused_and_nothing_saved(personas, plan):
    data = _post(plan, office_contact_phone="请找小王", reason="补充")
    response = personas.client(personas.office).post(_url(plan), data)
    assert response.status_code == 400 and "考核办联系电话只能含数字" in response.content.decode()
    assert Plan.objects.get(pk=plan.pk).office_contact_phone == ""


def test_wrong_role_cannot_set_the_contact(personas, plan):
    for user in (personas.unit, personas.desk):
        data = {**_post(plan, office_contact_name="被改了"), "reason": "x"}
        assert personas.client(user).post(_url(plan), data).status_code == 403
    assert Plan.objects.get(pk=plan.pk).office_contact_name == ""
