"""典型经验: the office marks an evidence file graded 优 or an approved bonus matter, publishes and withdraws it;
everyone in the plan reads the published ones by area; units never see drafts or withdrawn ones; outsiders 404."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from kaohe.core.models import AuditEvent
from kaohe.results import selectors_practice, services_practice
from kaohe.results.models_practice import GoodPractice, PracticeStatus
from kaohe.results.tests.conftest import grade, unit_named
from kaohe.scoring import services_adjustments
from kaohe.scoring.models import BonusApplication, BonusKind
from kaohe.submissions import services as submissions
from kaohe.submissions.models import EvidenceFile
from kaohe.submissions.tests.conftest import county_task, pdf

SHANGHAI = ZoneInfo("Asia/Shanghai")
WUGANG = "舞钢市人民政府"


@pytest.fixture
def sources(plan, personas, monkeypatch):
    """舞钢's evidence file of a 报送资料 task graded 优, and its approved bonus matter; a pending one too."""
    wugang = unit_named(plan, WUGANG)
    task = county_task(plan)
    monkeypatch.setattr("django.utils.timezone.now", lambda: dt.datetime(2020, 12, 20, 10, 0, tzinfo=SHANGHAI))
    uploaded = submissions.evidence_upload(
        actor=personas.unit, plan=plan, unit=wugang, task=task, files=[pdf("规范性文件备案台账.pdf")]
    )
    assert uploaded[0].accepted, uploaded[0].message
    monkeypatch.undo()
    grade(plan, wugang, personas.office)  # every task full marks: 报送资料 tasks 优
    approved = BonusApplication.objects.create(
        plan=plan, unit=wugang, kind=BonusKind.AWARD, matter="省级法治政府建设示范项目", applied_by=personas.unit
    )
    services_adjustments.bonus_application_decide(actor=personas.office, plan=plan, application=approved, approve=True)
    pending = BonusApplication.objects.create(
        plan=plan, unit=wugang, kind=BonusKind.AWARD, matter="待审核的事项", applied_by=personas.unit
    )
    return {"file": uploaded[0].file_id, "bonus": approved.pk, "pending": pending.pk, "task": task}


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_mark_publish_withdraw_and_who_reads_what(personas, plan, sources):
    office = personas.client(personas.office)
    page = reverse("practices:index", args=[plan.pk])
    wugang = unit_named(plan, WUGANG)
    # first the unit (the chooser says what it holds), then its files and bonus matters
    html = office.get(page).content.decode()
    assert f'<option value="{wugang.pk}">{WUGANG}（报送资料 1 份，加分事项 1 项）</option>' in html
    assert 'data-testid="practice-form"' not in html and "先选择考核对象" in html
    html = office.get(page, {"unit": wugang.pk}).content.decode()
    assert f'value="file:{sources["file"]}"' in html and f'value="bonus:{sources["bonus"]}"' in html
    assert f'value="bonus:{sources["pending"]}"' not in html  # only approved bonus matters

    mark = reverse("practices:mark", args=[plan.pk])
    response = office.post(mark, {"source": f"file:{sources['file']}", "title": "备案审查全覆盖", "note": "台账按月更新"})
    assert response.status_code == 302 and "已标为典型经验（待发布）：备案审查全覆盖" in _messages(response)
    assert response["Location"] == f"{page}?unit={wugang.pk}"  # back to the same unit's list
    html = office.get(page).content.decode()
    assert f"{WUGANG}（加分事项 1 项）" in html  # the marked file is no longer offered
    office.post(mark, {"source": f"bonus:{sources['bonus']}", "title": "示范创建经验"})
    html = office.get(page).content.decode()
    assert 'data-testid="no-practice-candidates"' in html and 'data-testid="practice-unit-form"' not in html
    from_file, from_bonus = GoodPractice.objects.filter(plan=plan).order_by("pk")
    level1 = sources["task"].parent.parent
    assert from_file.area_id == level1.pk and from_bonus.area_id is None
    assert from_file.status == PracticeStatus.DRAFT

    # Drafts: the office sees them, a unit does not (not even its own).
    assert "备案审查全覆盖" in office.get(page).content.decode()
    unit_page = personas.client(personas.unit).get(page)
    assert unit_page.status_code == 200
    assert "备案审查全覆盖" not in unit_page.content.decode() and "考核办尚未发布典型经验" in unit_page.content.decode()

    office.post(reverse("practices:publish", args=[plan.pk, from_file.pk]))
    office.post(reverse("practices:publish", args=[plan.pk, from_bonus.pk]))
    for persona in (personas.unit, personas.unit2, personas.desk, personas.viewer):
        html = personas.client(persona).get(page).content.decode()
        assert "备案审查全覆盖" in html and "示范创建经验" in html, persona
        assert f"{level1.code} {level1.name}" in html and "加分事项" in html
        assert 'name="source"' not in html and "撤回" not in html  # no office controls

    response = office.post(reverse("practices:withdraw", args=[plan.pk, from_file.pk]))
    assert "已撤回典型经验：备案审查全覆盖" in _messages(response)
    assert "备案审查全覆盖" not in personas.client(personas.unit2).get(page).content.decode()
    assert "备案审查全覆盖" in office.get(page).content.decode()  # the office still sees it, withdrawn
    again = office.post(reverse("practices:withdraw", args=[plan.pk, from_file.pk]))
    assert "只有已发布的典型经验可以撤回" in _messages(again)
    actions = list(AuditEvent.objects.filter(action__startswith="practice.").values_list("action", flat=True))
    assert (
        actions.count("practice.mark") == 2 and actions.count("practice.publish") == 2 and actions.count("practice.withdraw") == 1
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"source": "", "title": "标题"}, "请选择一份报送资料或一项已认定的加分事项"),
        ({"source": "bonus:{pending}", "title": "标题"}, "请选择评为“优”的报送资料或已认定的加分事项"),
        ({"source": "file:999999", "title": "标题"}, "请选择评为“优”的报送资料或已认定的加分事项"),
        ({"source": "file:１２", "title": "标题"}, "请选择评为“优”的报送资料或已认定的加分事项"),
        ({"source": "unit:{file}", "title": "标题"}, "请选择评为“优”的报送资料或已认定的加分事项"),
        ({"source": "file:", "title": "标题"}, "请选择评为“优”的报送资料或已认定的加分事项"),
        ({"source": "file:{file}", "title": ""}, "请填写典型经验的标题"),
        ({"source": "file:{file}", "title": "长" * 101}, "标题不超过 100 个字"),
        ({"source": "file:{file}", "title": "标题", "note": "长" * 1001}, "简要说明不超过 1000 个字"),
    ],
)
def test_bad_input_is_refused_in_chinese(personas, plan, sources, data, message):
    data = {k: v.format(**sources) for k, v in data.items()}
    response = personas.client(personas.office).post(reverse("practices:mark", args=[plan.pk]), data)
    assert response.status_code == 302
    assert message in _messages(response)
    assert not GoodPractice.objects.filter(plan=plan).exists()


def test_the_service_refuses_twice_the_same_source_and_a_pending_bonus(personas, plan, sources):
    bonus = BonusApplication.objects.get(pk=sources["bonus"])
    services_practice.good_practice_mark(actor=personas.office, plan=plan, title="一", bonus=bonus)
    with pytest.raises(ValidationError, match="该加分事项已标为典型经验"):
        services_practice.good_practice_mark(actor=personas.office, plan=plan, title="二", bonus=bonus)
    with pytest.raises(ValidationError, match="只有已认定的加分事项可以标为典型经验"):
        services_practice.good_practice_mark(
            actor=personas.office, plan=plan, title="三", bonus=BonusApplication.objects.get(pk=sources["pending"])
        )
    with pytest.raises(PermissionDenied):
        services_practice.good_practice_mark(actor=personas.unit, plan=plan, title="四", bonus=bonus)
    assert all(c.bonus is None or c.bonus.pk != bonus.pk for c in selectors_practice.candidates(plan))


def test_wrong_people_get_403_or_404(personas, plan, sources):
    bonus = BonusApplication.objects.get(pk=sources["bonus"])
    practice = services_practice.good_practice_mark(actor=personas.office, plan=plan, title="示范创建经验", bonus=bonus)
    posts = [
        reverse("practices:mark", args=[plan.pk]),
        reverse("practices:publish", args=[plan.pk, practice.pk]),
        reverse("practices:withdraw", args=[plan.pk, practice.pk]),
    ]
    for persona in (personas.unit, personas.desk, personas.viewer):
        for url in posts:
            assert personas.client(persona).post(url, {"source": f"file:{sources['file']}", "title": "x"}).status_code == 403
    for persona in (personas.other_office, personas.other_unit, personas.sysadmin):
        client = personas.client(persona)
        assert client.get(reverse("practices:index", args=[plan.pk])).status_code == 404
        for url in posts:
            assert client.post(url).status_code == 404
    office = personas.client(personas.office)
    assert office.post(reverse("practices:publish", args=[plan.pk, 999999])).status_code == 404
    practice.refresh_from_db()
    assert practice.status == PracticeStatus.DRAFT and GoodPractice.objects.filter(plan=plan).count() == 1


QUERIES_OFFICE = 10  # session, user, memberships, plan, roles …, the practices (one query), the chooser's units (two)
QUERIES_OFFICE_UNIT = 12  # … and the chosen unit's files and bonus matters (two)
QUERIES_READER = 9


def test_pages_take_a_fixed_number_of_queries(personas, plan, sources, django_assert_max_num_queries):
    bonus = BonusApplication.objects.get(pk=sources["bonus"])
    for practice in (
        services_practice.good_practice_mark(actor=personas.office, plan=plan, title="一", bonus=bonus),
        services_practice.good_practice_mark(
            actor=personas.office, plan=plan, title="二", evidence_file=EvidenceFile.objects.get(pk=sources["file"])
        ),
    ):
        services_practice.good_practice_publish(actor=personas.office, plan=plan, practice=practice)
    page = reverse("practices:index", args=[plan.pk])
    chosen = f"{page}?unit={unit_named(plan, WUGANG).pk}"
    for persona, url, bound in (
        (personas.office, page, QUERIES_OFFICE),
        (personas.office, chosen, QUERIES_OFFICE_UNIT),
        (personas.unit2, page, QUERIES_READER),
    ):
        client = personas.client(persona)
        client.get(url)
        with django_assert_max_num_queries(bound):
            assert client.get(url).status_code == 200


def test_the_unit_chooser_refuses_a_unit_with_nothing_to_mark_and_junk(personas, plan, sources):
    office = personas.client(personas.office)
    page = reverse("practices:index", args=[plan.pk])
    nothing = unit_named(plan, "宝丰县人民政府")
    html = office.get(page).content.decode()
    assert f'<option value="{nothing.pk}">' not in html  # only units with candidates are offered
    for value in (nothing.pk, "abc", "999999"):
        response = office.get(page, {"unit": value})
        assert response.status_code == 200
        html = response.content.decode()
        assert 'data-testid="practice-form"' not in html
        assert "该考核对象没有可标记的报送资料或加分事项" in html or "请选择考核对象" in html
    # a file graded 优 in another plan is not this plan's candidate, by value either
    assert selectors_practice.candidate(plan, f"bonus:{sources['pending']}") is None
    assert selectors_practice.candidate(plan, f"file:{sources['file']}") is not None


def test_candidate_units_count_what_the_unit_lists(personas, plan, sources):
    wugang = unit_named(plan, WUGANG)
    [line] = [u for u in selectors_practice.candidate_units(plan) if u.unit_id == wugang.pk]
    listed = selectors_practice.candidates(plan, unit_id=wugang.pk)
    assert (line.files, line.bonuses) == (
        sum(1 for c in listed if c.evidence_file is not None),
        sum(1 for c in listed if c.bonus is not None),
    )
    assert {c.value for c in listed} == {c.value for c in selectors_practice.candidates(plan) if c.unit_id == wugang.pk}
