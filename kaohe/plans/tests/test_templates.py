"""指标模板 (下发): a higher office publishes a category's table with constraints; a lower office adopts it into its
own draft plan, adds local tasks and changes points only within what the template allows."""

from __future__ import annotations

import json
import zipfile
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from kaohe.core import backup
from kaohe.core.models import AuditEvent
from kaohe.organisations.models import Organisation, Region
from kaohe.organisations.roles import Role
from kaohe.plans import selectors_templates as selectors
from kaohe.plans import services, services_templates, services_tree
from kaohe.plans.constants import Level, Method
from kaohe.plans.copy import plan_copy
from kaohe.plans.models import Category, Indicator, IndicatorTemplate, TemplateAdoption, TemplateItem
from kaohe.plans.services_templates import TaskConstraint
from tests import factories as f
from tests.city import OFFICE


class Tree:
    """The province above the small city, its office and plan, the city's 2021 draft, 舞钢's county office."""

    def __init__(self, personas, plan):
        henan = Region.objects.get(name="河南省", parent=None)
        self.province_office = f.OrganisationFactory.create(
            name="河南省法治政府建设领导小组办公室", region=henan, kind=Organisation.Kind.OFFICE
        )
        self.henan = f.UserFactory.create(username="henan_office", memberships=[(self.province_office, Role.OFFICE)])
        self.province_plan = f.PlanFactory.create(organiser=self.province_office, year=2021, title="河南省2021年度依法行政考核")
        self.cities = f.CategoryFactory.create(plan=self.province_plan, name="省辖市政府", order=1)
        self.t1 = f.task(self.cities, "1.1.1", 10, name="法治政府建设年度报告")
        self.t2 = f.task(self.cities, "1.1.2", 20, name="重大行政决策合法性审查", method=Method.DAILY)
        self.t3 = f.task(self.cities, "2.1.1", 30, name="行政执法案卷评查", method=Method.CASE_REVIEW)
        self.city_office = plan.organiser
        self.office = personas.office
        self.city_draft = f.PlanFactory.create(organiser=self.city_office, year=2021, title="平顶山市2021年度依法行政考核")
        wugang = Region.objects.get(name="舞钢市", parent=self.city_office.region)
        self.county_office = f.OrganisationFactory.create(
            name="舞钢市法治政府建设领导小组办公室", region=wugang, kind=Organisation.Kind.OFFICE
        )
        self.wugang = f.UserFactory.create(username="wugang_office", memberships=[(self.county_office, Role.OFFICE)])
        self.county_draft = f.PlanFactory.create(organiser=self.county_office, year=2021, title="舞钢市2021年度依法行政考核")

    def publish(self, **constraints: TaskConstraint) -> IndicatorTemplate:
        rules = {getattr(self, code).pk: rule for code, rule in constraints.items()}
        return services_templates.template_publish(
            actor=self.henan, plan=self.province_plan, category=self.cities, name="省辖市指标体系", constraints=rules
        )


@pytest.fixture
def tree(personas, plan):
    return Tree(personas, plan)


def _codes(category):
    return list(Indicator.objects.filter(category=category).order_by("order").values_list("code", "name", "template_item_id"))


def _adopt(tree, template, **kwargs):
    kwargs.setdefault("new_category_name", "县区政府")
    return services_templates.template_adopt(actor=tree.office, plan=tree.city_draft, template=template, **kwargs)


# ------------------------------------------------------------------------------ publish (下发)


def test_publish_snapshots_the_table_with_constraints_and_versions(tree):
    template = tree.publish(t1=TaskConstraint(locked=True), t2=TaskConstraint(min_points=Decimal("15")))
    items = list(selectors.template_items_of(template))
    assert [(i.code, i.level, i.points, i.locked, i.min_points) for i in items] == [
        ("1", Level.LEVEL1, Decimal(30), False, None),
        ("1.1", Level.LEVEL2, Decimal(30), False, None),
        ("1.1.1", Level.TASK, Decimal(10), True, None),
        ("1.1.2", Level.TASK, Decimal(20), False, Decimal(15)),
        ("2", Level.LEVEL1, Decimal(30), False, None),
        ("2.1", Level.LEVEL2, Decimal(30), False, None),
        ("2.1.1", Level.TASK, Decimal(30), False, None),
    ]
    assert items[3].parent_id == items[1].pk and items[1].parent_id == items[0].pk
    assert (template.version, template.organisation, template.full_score) == (1, tree.province_office, Decimal(100))
    event = AuditEvent.objects.get(action="template.publish", object_id=str(template.pk))
    assert event.after["locked"] == ["1.1.1"] and event.after["min_points"] == {"1.1.2": "15.00"}

    # later edits of the higher plan never move the published snapshot; publishing again makes version 2
    services_tree.indicator_update(
        actor=tree.henan,
        plan=tree.province_plan,
        node=tree.t1,
        name="改过的名称",
        points=Decimal(5),
        method=Method.SUBMISSION,
        adjustment="",
    )
    assert TemplateItem.objects.get(template=template, code="1.1.1").points == Decimal(10)
    again = tree.publish()
    assert again.version == 2 and TemplateItem.objects.get(template=again, code="1.1.1").points == Decimal(5)
    assert TemplateItem.objects.get(template=template, code="1.1.1").name == "法治政府建设年度报告"


def test_publish_refuses_bad_constraints_and_wrong_people(tree, personas):
    with pytest.raises(ValidationError, match="不能高于该任务的分值"):
        tree.publish(t1=TaskConstraint(min_points=Decimal("10.01")))
    level1 = Indicator.objects.get(category=tree.cities, code="1")
    with pytest.raises(ValidationError, match="只能设在本类别的工作任务上"):
        services_templates.template_publish(
            actor=tree.henan,
            plan=tree.province_plan,
            category=tree.cities,
            name="x",
            constraints={level1.pk: TaskConstraint(locked=True)},
        )
    with pytest.raises(ValidationError, match="请填写模板名称"):
        services_templates.template_publish(actor=tree.henan, plan=tree.province_plan, category=tree.cities, name="  ")
    for outsider in (tree.office, personas.unit, personas.other_office):
        with pytest.raises(PermissionDenied):
            services_templates.template_publish(actor=outsider, plan=tree.province_plan, category=tree.cities, name="x")
    assert not IndicatorTemplate.objects.exists()
    # a county without towns below has nowhere to send a template
    local = f.CategoryFactory.create(plan=tree.county_draft, name="乡镇")
    f.task(local, "1.1.1", 10)
    with pytest.raises(ValidationError, match="没有下级区划"):
        services_templates.template_publish(actor=tree.wugang, plan=tree.county_draft, category=local, name="乡镇指标")


# ------------------------------------------------------------------------------ who sees what


def test_templates_go_down_only(tree, personas, other_plan):
    province = tree.publish()
    city = services_templates.template_publish(
        actor=tree.office, plan=tree.city_draft, category=_adopt(tree, province).category, name="县区指标体系"
    )
    # the city and its sibling city (洛阳) see the province's; the county sees both above it
    assert [r.template for r in selectors.templates_for_adoption(tree.city_draft)] == [province]
    assert [r.template for r in selectors.templates_for_adoption(other_plan)] == [province]
    assert {r.template for r in selectors.templates_for_adoption(tree.county_draft)} == {province, city}
    # nobody sees a template from their own level or below
    assert selectors.templates_for_adoption(tree.province_plan) == []
    # a county that publishes (it has a town below) sends it to the town, never to its city
    town = f.RegionFactory.create(name="矿建街道", parent=tree.county_office.region, level=Region.Level.SUBDISTRICT)
    assert town.parent == tree.county_office.region
    adopted = services_templates.template_adopt(
        actor=tree.wugang, plan=tree.county_draft, template=city, new_category_name="乡镇"
    )
    county = services_templates.template_publish(
        actor=tree.wugang, plan=tree.county_draft, category=adopted.category, name="乡镇指标体系"
    )
    assert county not in {r.template for r in selectors.templates_for_adoption(tree.city_draft)}
    with pytest.raises(ValidationError, match="不是上级下发给本单位的"):
        _adopt(tree, county, new_category_name="另一个")
    # 洛阳 cannot adopt 平顶山's county template
    with pytest.raises(ValidationError, match="不是上级下发给本单位的"):
        services_templates.template_adopt(actor=personas.other_office, plan=other_plan, template=city, new_category_name="x")


def test_pages_keep_plans_private_and_outsiders_out(tree, personas, plan):
    province = tree.publish()
    city_client = personas.client(tree.office)
    # adopting nothing lets the city into the province's plan, nor the province into the city's draft
    assert city_client.get(reverse("plans:detail", args=[tree.province_plan.pk])).status_code == 404
    assert personas.client(tree.henan).get(reverse("plans:detail", args=[tree.city_draft.pk])).status_code == 404
    assert personas.client(tree.henan).get(reverse("plans:templates", args=[tree.city_draft.pk])).status_code == 404
    # a template is reached only through a plan of one's own office
    detail = reverse("plans:template_detail", args=[tree.city_draft.pk, province.pk])
    assert city_client.get(detail).status_code == 200
    assert personas.client(personas.other_office).get(detail).status_code == 404
    assert personas.client(personas.unit).get(detail).status_code == 404  # a draft: no role for the unit
    # the city's published plan: its unit is an insider without plan:import
    published = reverse("plans:template_detail", args=[plan.pk, province.pk])
    assert personas.client(personas.unit).get(published).status_code == 403
    # the county's office cannot open the province template through the city's plan
    assert personas.client(tree.wugang).get(detail).status_code == 404
    adopt = reverse("plans:template_adopt", args=[tree.city_draft.pk, province.pk])
    assert personas.client(personas.other_office).post(adopt, {"new_category": "x"}).status_code == 404
    assert not TemplateAdoption.objects.exists()


# ------------------------------------------------------------------------------ adopt (采用)


def test_adopt_copies_the_tree_with_links_after_local_nodes(tree):
    template = tree.publish(t1=TaskConstraint(locked=True))
    own = f.CategoryFactory.create(plan=tree.city_draft, name="县区政府", order=1)
    f.task(own, "1.1.1", 5, name="本地任务")
    adoption = _adopt(tree, template, category=own, new_category_name="")
    items = {i.code: i.pk for i in TemplateItem.objects.filter(template=template)}
    assert _codes(own) == [
        ("1", "一级指标1", None),
        ("1.1", "二级指标1.1", None),
        ("1.1.1", "本地任务", None),
        ("2", "一级指标1", items["1"]),
        ("2.1", "二级指标1.1", items["1.1"]),
        ("2.1.1", "法治政府建设年度报告", items["1.1.1"]),
        ("2.1.2", "重大行政决策合法性审查", items["1.1.2"]),
        ("3", "一级指标2", items["2"]),
        ("3.1", "二级指标2.1", items["2.1"]),
        ("3.1.1", "行政执法案卷评查", items["2.1.1"]),
    ]
    copied = Indicator.objects.get(category=own, code="3.1.1")
    assert copied.parent.code == "3.1" and copied.method == Method.CASE_REVIEW and copied.points == Decimal(30)
    assert copied.plan == tree.city_draft and copied.assessor is None
    event = AuditEvent.objects.get(action="template.adopt", object_id=str(adoption.pk))
    assert event.after["version"] == 1 and event.after["indicators"] == 7
    # roll-up: from the template row to the lower offices' copies
    task = TemplateItem.objects.get(template=template, code="1.1.1")
    assert list(task.adopted_indicators.values_list("plan__organiser__name", flat=True)) == [OFFICE]
    assert selectors.adopted_indicators_of(template).count() == 7


def test_adopt_refusals(tree, plan):
    template = tree.publish()
    with pytest.raises(ValidationError, match="二者选一"):
        _adopt(tree, template, new_category_name="")
    with pytest.raises(ValidationError, match="只能采用到草稿状态的方案"):
        services_templates.template_adopt(actor=tree.office, plan=plan, template=template, new_category_name="新类别")
    adoption = _adopt(tree, template)
    with pytest.raises(ValidationError, match="已采用过上级下发的模板"):
        _adopt(tree, template, category=adoption.category, new_category_name="")
    with pytest.raises(ValidationError, match="已有名为"):
        _adopt(tree, template, new_category_name="县区政府")
    with pytest.raises(ValidationError, match="本单位下发的模板"):
        services_templates.template_adopt(actor=tree.henan, plan=tree.province_plan, template=template, new_category_name="x")
    with pytest.raises(PermissionDenied):
        services_templates.template_adopt(actor=tree.henan, plan=tree.city_draft, template=template, new_category_name="x")
    assert TemplateAdoption.objects.count() == 1


# ------------------------------------------------------------------------------ constraints in the tree editor


@pytest.fixture
def adopted(tree):
    template = tree.publish(t1=TaskConstraint(locked=True), t2=TaskConstraint(min_points=Decimal(15)))
    category = _adopt(tree, template).category
    return tree, category, {n.code: n for n in Indicator.objects.filter(category=category)}


def _values(node, **changes):
    values = {k: getattr(node, k) for k in ("name", "points", "method", "materials", "deadline", "requirement", "adjustment")}
    return {**values, **changes}


def test_locked_task_keeps_points_and_method_and_cannot_go(adopted):
    tree, category, nodes = adopted
    locked = nodes["1.1.1"]
    with pytest.raises(ValidationError, match="锁定的任务，不能修改分值"):
        services_tree.indicator_update(actor=tree.office, plan=tree.city_draft, node=locked, **_values(locked, points=Decimal(8)))
    with pytest.raises(ValidationError, match="不能修改考核方式"):
        services_tree.indicator_update(
            actor=tree.office, plan=tree.city_draft, node=locked, **_values(locked, method=Method.DAILY)
        )
    # its wording, materials and deadline stay the lower office's to adapt
    services_tree.indicator_update(actor=tree.office, plan=tree.city_draft, node=locked, **_values(locked, name="本地表述"))
    with pytest.raises(ValidationError, match="上级模板锁定的工作任务，不能删除"):
        services_tree.indicator_delete(actor=tree.office, plan=tree.city_draft, node=locked)
    with pytest.raises(ValidationError, match=r"下有“1\.1\.1"):
        services_tree.indicator_delete(actor=tree.office, plan=tree.city_draft, node=nodes["1"])
    assert Indicator.objects.filter(category=category).count() == 7
    # an unlocked template task and its branch may go
    services_tree.indicator_delete(actor=tree.office, plan=tree.city_draft, node=nodes["2"])
    assert [c for c, *_ in _codes(category)] == ["1", "1.1", "1.1.1", "1.1.2"]


def test_minimum_points_hold_and_local_tasks_are_free(adopted):
    tree, category, nodes = adopted
    task = nodes["1.1.2"]
    with pytest.raises(ValidationError, match="不能低于上级模板规定的最低分值15分"):
        services_tree.indicator_update(
            actor=tree.office, plan=tree.city_draft, node=task, **_values(task, points=Decimal("14.99"))
        )
    with pytest.raises(ValidationError, match="须填写分值"):
        services_tree.indicator_update(actor=tree.office, plan=tree.city_draft, node=task, **_values(task, points=None))
    services_tree.indicator_update(actor=tree.office, plan=tree.city_draft, node=task, **_values(task, points=Decimal(15)))
    services_tree.indicator_update(
        actor=tree.office, plan=tree.city_draft, node=nodes["2.1.1"], **_values(nodes["2.1.1"], points=Decimal(1))
    )
    local = services_tree.indicator_create(
        actor=tree.office,
        plan=tree.city_draft,
        category=category,
        level=Level.TASK,
        parent=nodes["1.1"],
        name="本地特色任务",
        points=Decimal(3),
        method=Method.SUBMISSION,
        adjustment="",
    )
    assert local.template_item is None and local.code == "1.1.3"
    services_tree.indicator_delete(actor=tree.office, plan=tree.city_draft, node=local)
    assert Indicator.objects.get(pk=task.pk).points == Decimal(15)


def test_import_never_overwrites_an_adopted_category(adopted):
    tree, category, _nodes = adopted
    with pytest.raises(services.ImportRejected, match="采用了上级下发的模板"):
        services.plan_import_upload(
            actor=tree.office,
            plan=tree.city_draft,
            kind="indicators",
            data=b"x",
            original_name="t.xlsx",
            category_name=category.name,
        )


def test_next_year_copy_keeps_the_links(adopted):
    tree, category, nodes = adopted
    new = plan_copy(actor=tree.office, plan=tree.city_draft, title="平顶山市2022年度依法行政考核")
    copied = Indicator.objects.get(plan=new, category__name=category.name, code="1.1.1")
    assert copied.template_item_id == nodes["1.1.1"].template_item_id
    with pytest.raises(ValidationError, match="锁定"):
        services_tree.indicator_delete(actor=tree.office, plan=new, node=copied)


# ------------------------------------------------------------------------------ pages


def test_pages_publish_adopt_and_show_badges(tree, personas, django_assert_max_num_queries):
    province = personas.client(tree.henan)
    url = reverse("plans:template_publish", args=[tree.province_plan.pk, tree.cities.pk])
    page = province.get(url)
    assert page.status_code == 200 and "锁定" in page.content.decode()
    bad = province.post(url, {"name": "省辖市指标体系", f"min_{tree.t1.pk}": "abc"})
    assert bad.status_code == 400 and "最低分值须为数字" in bad.content.decode()
    too_high = province.post(url, {"name": "省辖市指标体系", f"min_{tree.t1.pk}": "11"})
    assert too_high.status_code == 400 and "不能高于该任务的分值" in too_high.content.decode()
    response = province.post(url, {"name": "省辖市指标体系", f"locked_{tree.t1.pk}": "on", f"min_{tree.t2.pk}": "15"})
    template = IndicatorTemplate.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "plans:template_detail", args=[tree.province_plan.pk, template.pk]
    )

    city = personas.client(tree.office)
    listing = city.get(reverse("plans:templates", args=[tree.city_draft.pk]))
    assert listing.status_code == 200 and "省辖市指标体系" in listing.content.decode() and "未采用" in listing.content.decode()
    adopt = reverse("plans:template_adopt", args=[tree.city_draft.pk, template.pk])
    assert city.post(adopt, {}).status_code == 302 and not TemplateAdoption.objects.exists()
    response = city.post(adopt, {"new_category": "县区政府"})
    category = Category.objects.get(plan=tree.city_draft, name="县区政府")
    assert response.status_code == 302 and response.url == reverse("plans:tree_edit", args=[tree.city_draft.pk, category.pk])
    f.task(category, "9.9.9", 1, name="本地任务")
    editor = city.get(response.url).content.decode()
    assert editor.count('data-testid="badge-template"') == 7 and editor.count('data-testid="badge-local"') == 3
    assert editor.count('data-testid="badge-locked"') == 1 and "最低15分" in editor
    locked = Indicator.objects.get(category=category, template_item__locked=True)
    form = city.get(reverse("plans:indicator_edit", args=[tree.city_draft.pk, category.pk, locked.pk])).content.decode()
    assert 'data-testid="template-constraints"' in form and 'data-testid="locked-no-delete"' in form
    edit = reverse("plans:indicator_edit", args=[tree.city_draft.pk, category.pk, locked.pk])
    refused = city.post(edit, {"name": locked.name, "points": "3", "method": locked.method, "adjustment": "", "deadline": ""})
    assert refused.status_code == 400 and "锁定的任务，不能修改分值" in refused.content.decode()
    assert Indicator.objects.get(pk=locked.pk).points == Decimal(10)
    delete = reverse("plans:indicator_delete", args=[tree.city_draft.pk, category.pk, locked.pk])
    assert city.post(delete).status_code == 302 and Indicator.objects.filter(pk=locked.pk).exists()

    # the publisher sees who adopted which version
    for _ in range(3):
        tree.publish()
    detail = province.get(reverse("plans:template_detail", args=[tree.province_plan.pk, template.pk])).content.decode()
    assert OFFICE in detail and "第1版" in detail and 'data-testid="adoption-row"' in detail
    with django_assert_max_num_queries(14):
        page = province.get(reverse("plans:templates", args=[tree.province_plan.pk]))
    assert page.content.decode().count('data-testid="published-template"') == 4
    with django_assert_max_num_queries(15):
        page = city.get(reverse("plans:templates", args=[tree.city_draft.pk]))
    assert page.content.decode().count('data-testid="available-template"') == 4


def test_plan_archives_with_templates(adopted, tmp_path):
    """The publisher's plan archive holds its templates (and no adoption of a lower plan); an adopting plan's
    archive is refused, naming why: its nodes point at a template of a plan it does not hold."""
    tree, _category, _nodes = adopted
    archive = backup.create_backup(tmp_path, plan_id=tree.province_plan.pk).path
    models = json.loads(zipfile.ZipFile(archive).read("manifest.json"))["models"]
    assert models["plans.indicatortemplate"] == 1 and models["plans.templateitem"] == 7
    assert models.get("plans.templateadoption", 0) == 0
    with pytest.raises(backup.BackupError, match="模板指标"):
        backup.create_backup(tmp_path / "lower.zip", plan_id=tree.city_draft.pk)
