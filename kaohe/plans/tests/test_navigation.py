"""The plan's navigation shows each role the pages it may open, and nothing else."""

from __future__ import annotations

from kaohe.plans.navigation import plan_navigation


def _labels(user, plan) -> dict[str, list[str]]:
    return {group: [link.label for link in links] for group, links in plan_navigation(user, plan)}


def test_office_sees_the_whole_cycle(personas, plan):
    nav = _labels(personas.office, plan)
    assert nav["方案"] == [
        "概览",
        "考核对象",
        "考核主体",
        "方案设置",
        "评分规则",
        "复制至下一年度",
        "指标模板",
    ]  # no 导入/发布 on a published plan
    assert nav["报送与评价"] == ["资料审阅", "报送进度", "年度报告", "评价", "不涉及", "加减分"]
    assert nav["实地考核与评查"] == ["实地考核", "能力测试", "案卷评查"]
    assert nav["结果"] == ["考核结果", "反馈与复核", "结果审定与公布", "分析", "结果运用", "典型经验", "整改"]


def test_unit_sees_its_own_work_only(personas, plan):
    nav = _labels(personas.unit, plan)
    assert nav["方案"] == ["概览"]
    assert nav["报送与评价"] == ["报送资料", "年度报告", "加分申请"]
    assert nav["实地考核与评查"] == ["能力测试", "案卷目录"]
    assert nav["结果"] == ["反馈与复核", "公布的结果", "典型经验", "整改"]


def test_desk_and_viewer(personas, plan):
    desk = _labels(personas.desk, plan)
    assert desk["报送与评价"] == ["资料审阅", "年度报告", "评价"]
    assert desk["结果"] == ["征求意见", "典型经验"]
    assert "实地考核与评查" not in desk
    viewer = _labels(personas.viewer, plan)
    assert viewer["结果"] == ["征求意见", "公布的结果", "分析", "典型经验"]
    assert "报送与评价" not in viewer


def test_field_member_sees_scoring_only_in_plans_whose_group_names_them(personas, plan):
    from kaohe import access
    from kaohe.inspections.fieldwork.models import FieldGroup, FieldGroupMember

    group = FieldGroup.objects.create(plan=plan, name="第一组")
    FieldGroupMember.objects.create(
        group=group, user=personas.field, organisation=personas.field.memberships.first().organisation
    )
    access.forget(personas.field)
    assert _labels(personas.field, plan)["实地考核与评查"] == ["实地考核评分", "能力测试"]


def test_draft_plan_offers_import_and_publish_to_its_office(personas, other_plan):
    nav = _labels(personas.other_office, other_plan)
    assert nav["方案"][:7] == ["概览", "考核对象", "考核主体", "方案设置", "评分规则", "导入", "发布"]
    assert "报送与评价" not in nav


def test_navigation_costs_no_query_once_roles_are_known(personas, plan, django_assert_num_queries):
    from kaohe import access

    access.plan_roles(personas.office, plan)
    with django_assert_num_queries(0):
        plan_navigation(personas.office, plan)
