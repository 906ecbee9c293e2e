"""Rosters (versioned), draws (stored, replayable) and who may see them."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from kaohe.core.models import AuditEvent
from kaohe.inspections.abilitytests import sheets
from kaohe.inspections.abilitytests.models import Draw, RosterVersion, Testee
from kaohe.inspections.abilitytests.tests.conftest import make_test


def _roster_url(plan, unit):
    return reverse("abilitytests:roster", args=[plan.pk, unit.pk])


def test_each_roster_change_is_a_new_version_and_old_ones_stay(personas, plan, dept1_units, dept1_member):
    unit = dept1_units[0]
    client = personas.client(dept1_member)
    add = reverse("abilitytests:roster_add", args=[plan.pk, unit.pk])
    response = client.post(add, {"name": "工作人员17", "post": "科员", "group": "staff", "section": "办公室", "version": 1})
    assert response.status_code == 302
    assert [v.number for v in RosterVersion.objects.filter(unit=unit).order_by("number")] == [1, 2]
    latest = RosterVersion.objects.get(unit=unit, number=2)
    assert len(latest.people) == 22 and latest.people[-1]["name"] == "工作人员17"
    # a stale form (based on version 1) is refused, nothing written
    response = client.post(add, {"name": "工作人员18", "group": "staff", "version": 1}, follow=True)
    assert "名册已被他人修改" in response.content.decode()
    assert RosterVersion.objects.filter(unit=unit).count() == 2
    # removing makes version 3; version 1 is still shown on request
    remove = reverse("abilitytests:roster_remove", args=[plan.pk, unit.pk])
    client.post(remove, {"index": 21, "version": 2})
    assert len(RosterVersion.objects.get(unit=unit, number=3).people) == 21
    old = client.get(_roster_url(plan, unit) + "?version=1").content.decode()
    assert "第 1 版" in old and "历史版本" in old
    assert AuditEvent.objects.filter(action="abilitytest.roster_save", plan_id=plan.pk).count() >= 3


def test_roster_import_replaces_or_refuses_whole(personas, plan, dept1_units, dept1_member):
    unit = dept1_units[0]
    client = personas.client(dept1_member)
    url = reverse("abilitytests:roster_import", args=[plan.pk, unit.pk])
    bad = sheets._workbook("名册", sheets.ROSTER_HEADERS, [["人员甲01", "局长", "领导", "局领导"]])
    html = client.post(url, {"file": _upload(bad)}, follow=True).content.decode()
    assert "名册未导入" in html and "第2行：分组“领导”无法识别" in html
    assert RosterVersion.objects.filter(unit=unit).count() == 1
    good = sheets.roster_template()
    html = client.post(url, {"file": _upload(good)}, follow=True).content.decode()
    assert "已导入 3 人" in html
    assert RosterVersion.objects.get(unit=unit, number=2).source == RosterVersion.Source.IMPORT


def test_roster_import_refuses_millions_of_tiny_cells_in_bounded_memory(personas, plan, dept1_units, dept1_member):
    """The pen test's file: a small .xlsx holding 3 million one-digit cells (1.86 GB and 27 s before)."""
    import tracemalloc

    from kaohe.core.tests.xlsx_files import package, sheet_xml, tiny_cells

    unit = dept1_units[0]
    data = package(sheet_xml(tiny_cells(3_000_000)))
    assert len(data) < 300 * 1024
    url = reverse("abilitytests:roster_import", args=[plan.pk, unit.pk])
    client = personas.client(dept1_member)
    tracemalloc.start()
    try:
        response = client.post(url, {"file": _upload(data)})
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 50 * 1024 * 1024, f"peak {peak / 1024 / 1024:.0f} MB"
    html = client.get(response["Location"]).content.decode()
    assert "名册未导入" in html and "压缩比异常" in html and "拒绝读取" in html
    assert RosterVersion.objects.filter(unit=unit).count() == 1


def _upload(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("名册.xlsx", data, content_type="application/octet-stream")


def test_roster_access(personas, plan, dept1_units, dept1_member):
    own, other = dept1_units[0], dept1_units[1]
    assert personas.client(dept1_member).get(_roster_url(plan, own)).status_code == 200
    assert personas.client(dept1_member).get(_roster_url(plan, other)).status_code == 404  # wrong unit
    add = reverse("abilitytests:roster_add", args=[plan.pk, other.pk])
    assert personas.client(dept1_member).post(add, {"name": "x", "group": "staff", "version": 1}).status_code == 404
    assert personas.client(personas.office).get(_roster_url(plan, other)).status_code == 200
    assert personas.client(personas.desk).get(_roster_url(plan, own)).status_code == 403
    assert personas.client(personas.viewer).get(_roster_url(plan, own)).status_code == 403
    assert personas.client(personas.other_office).get(_roster_url(plan, own)).status_code == 404
    assert personas.client(personas.other_unit).get(_roster_url(plan, own)).status_code == 404
    assert RosterVersion.objects.filter(unit=other).count() == 1


def test_office_roster_overview_in_constant_queries(personas, plan, dept1_units, django_assert_max_num_queries):
    client = personas.client(personas.office)
    client.get(reverse("abilitytests:rosters", args=[plan.pk]))
    with django_assert_max_num_queries(14):
        html = client.get(reverse("abilitytests:rosters", args=[plan.pk])).content.decode()
    assert html.count("第 1 版") == 3


def test_draw_is_stored_and_replays_identically(personas, plan, dept1_units, leaders_task, dept1_member):
    unit = dept1_units[0]
    test = make_test(personas, plan, unit, leaders_task, mode="oral", rules=[("leader", 1, 1), ("member", 2, 2)])
    office = personas.client(personas.office)
    office.post(reverse("abilitytests:draw", args=[plan.pk, test.pk]))
    draw = Draw.objects.get(test=test)
    assert [p["group"] for p in draw.result] == ["leader", "member", "member"]
    assert len(draw.seed) == 32 and draw.roster.number == 1 and draw.roster_digest == draw.roster.digest
    assert [t.name for t in Testee.objects.filter(test=test).order_by("seq")] == [p["name"] for p in draw.result]
    event = AuditEvent.objects.get(action="abilitytest.draw", object_id=str(draw.pk))
    assert event.after["seed"] == draw.seed and event.after["result"] == [p["name"] for p in draw.result]
    # a second draw is refused: the draw stands
    html = office.post(reverse("abilitytests:draw", args=[plan.pk, test.pk]), follow=True).content.decode()
    assert "不能重新抽取" in html
    # 复核抽取: the office and the unit itself see 一致
    replay = reverse("abilitytests:draw_replay", args=[plan.pk, test.pk])
    for user in (personas.office, dept1_member):
        html = personas.client(user).get(replay).content.decode()
        assert "一致：用记录的随机种子" in html, user
    # later roster versions do not change the replay (the draw refers to version 1)
    personas.client(dept1_member).post(
        reverse("abilitytests:roster_add", args=[plan.pk, unit.pk]), {"name": "负责同志02", "group": "leader", "version": 1}
    )
    assert "一致：" in office.get(replay).content.decode()
    # tampering with the stored roster version is detected
    RosterVersion.objects.filter(pk=draw.roster_id).update(people=list(reversed(draw.roster.people))[1:])
    html = office.get(replay).content.decode()
    assert "不一致" in html and "名册版本的内容与抽取时的摘要不符" in html


def test_draw_asking_for_too_many_people_stores_nothing(personas, plan, dept1_units, staff_task):
    unit = dept1_units[0]
    test = make_test(personas, plan, unit, staff_task, mode="oral", rules=[("staff", 10, 20)])
    html = personas.client(personas.office).post(reverse("abilitytests:draw", args=[plan.pk, test.pk]), follow=True)
    text = html.content.decode()
    assert "名册中“工作人员”只有 16 人，抽取规则要求最多 20 人" in text
    assert "未进行抽取" in text
    assert not Draw.objects.filter(test=test).exists()
    assert not Testee.objects.filter(test=test).exists()


def test_who_sees_a_test(personas, plan, dept1_units, leaders_task, dept1_member, scorer):
    own = make_test(personas, plan, dept1_units[0], leaders_task, mode="oral", rules=[("leader", 1, 1)])
    other = make_test(personas, plan, dept1_units[1], leaders_task, mode="oral", rules=[("leader", 1, 1)])
    for test in (own, other):
        personas.client(personas.office).post(reverse("abilitytests:draw", args=[plan.pk, test.pk]))

    def status(user, name, test):
        return personas.client(user).get(reverse(name, args=[plan.pk, test.pk])).status_code

    assert status(dept1_member, "abilitytests:test", own) == 200
    assert status(dept1_member, "abilitytests:draw_replay", own) == 200
    assert status(dept1_member, "abilitytests:test", other) == 404  # another unit's draw does not exist for them
    assert status(dept1_member, "abilitytests:draw_replay", other) == 404
    assert status(dept1_member, "abilitytests:oral", own) == 403  # own test, but scoring is not theirs
    assert status(scorer, "abilitytests:test", other) == 200
    assert status(scorer, "abilitytests:oral", other) == 200
    assert status(personas.desk, "abilitytests:test", own) == 403
    assert status(personas.viewer, "abilitytests:test", own) == 403
    assert status(personas.other_office, "abilitytests:test", own) == 404
    assert status(personas.unit, "abilitytests:test", own) == 404  # 舞钢: a unit of another category
    assert personas.client(scorer).post(reverse("abilitytests:draw", args=[plan.pk, other.pk])).status_code == 403
    index = personas.client(dept1_member).get(reverse("abilitytests:index", args=[plan.pk])).content.decode()
    assert dept1_units[0].organisation.name in index and dept1_units[1].organisation.name not in index


def test_test_list_in_constant_queries(personas, plan, dept1_units, leaders_task, staff_task, django_assert_max_num_queries):
    for unit in dept1_units:
        for task in (leaders_task, staff_task):
            test = make_test(personas, plan, unit, task, mode="oral", rules=[("member", 1, 1)])
            personas.client(personas.office).post(reverse("abilitytests:draw", args=[plan.pk, test.pk]))
    client = personas.client(personas.office)
    url = reverse("abilitytests:index", args=[plan.pk])
    client.get(url)
    with django_assert_max_num_queries(14):
        html = client.get(url).content.decode()
    assert html.count('data-testid="test-row"') == 6 and html.count("已抽取 1 人") == 6


def test_a_field_member_scores_only_the_tests_of_units_their_group_visits(personas, plan, dept1_units, leaders_task):
    """The group tests on the spot where it visits: field_b's group visits one 部门1 unit, not the other."""
    import datetime as dt

    from kaohe import access
    from kaohe.inspections.abilitytests import attempts
    from kaohe.inspections.fieldwork.models import FieldAssignment, FieldGroup, FieldGroupMember

    visited = make_test(personas, plan, dept1_units[0], leaders_task, mode="oral", rules=[("leader", 1, 1)])
    elsewhere = make_test(personas, plan, dept1_units[1], leaders_task, mode="oral", rules=[("leader", 1, 1)])
    for test in (visited, elsewhere):
        personas.client(personas.office).post(reverse("abilitytests:draw", args=[plan.pk, test.pk]))
    group = FieldGroup.objects.create(plan=plan, name="第二组")
    member = personas.field2
    FieldGroupMember.objects.create(group=group, user=member, organisation=member.memberships.first().organisation)
    FieldAssignment.objects.create(plan=plan, group=group, unit=dept1_units[0], visit_date=dt.date(2021, 1, 22))
    access.forget(member)
    client = personas.client(member)

    assert client.get(reverse("abilitytests:oral", args=[plan.pk, visited.pk])).status_code == 200
    assert client.get(reverse("abilitytests:test", args=[plan.pk, elsewhere.pk])).status_code == 404
    assert client.get(reverse("abilitytests:oral", args=[plan.pk, elsewhere.pk])).status_code == 404
    index = client.get(reverse("abilitytests:index", args=[plan.pk])).content.decode()
    assert dept1_units[0].organisation.name in index and dept1_units[1].organisation.name not in index
    testee = elsewhere.testees.first()
    with pytest.raises(PermissionDenied):
        attempts.oral_scores_save(actor=member, test=elsewhere, scores={testee.pk: "90"})
    testee.refresh_from_db()
    assert testee.oral_score is None
