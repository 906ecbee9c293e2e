"""The indicator tree built in Python (``plans/html_tree.py``) shows what the former template showed: the same
markup, whitespace aside, on the demo's tables and on a table with hostile names, every badge and state."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.template import engines

from kaohe.plans import selectors
from kaohe.plans.constants import Adjustment, Level
from kaohe.plans.html_tree import tree_html
from kaohe.plans.models import Category, Indicator

# plans/tree.html's loop before it was built in Python (commit 1693230), the reference
FORMER = """{% load kaohe %}{% for l1 in tree %}
  <details class="level1 {% if l1.warned %}warned{% endif %}" open>
    <summary>{{ l1.node.code|cn_ordinal }}、{{ l1.node.name }}
      <span class="kaohe-points float-end">{% if l1.node.points is not None %}{{ l1.node.points|pts }} 分{% else %}未写分值{% endif %}{% if l1.mismatch %} <span class="badge bg-orange-lt">任务合计 {{ l1.task_sum|pts }}</span>{% endif %}</span></summary>
    {% for l2 in l1.children %}
    <details class="level2 {% if l2.warned %}warned{% endif %}">
      <summary>{{ l2.node.code }} {{ l2.node.name }}
        <span class="kaohe-points float-end">{% if l2.is_adjustment_group %}<span class="badge bg-purple-lt">不计入满分</span>{% elif l2.node.points is not None %}{{ l2.node.points|pts }} 分{% if l2.mismatch %} <span class="badge bg-orange-lt">任务合计 {{ l2.task_sum|pts }}</span>{% endif %}{% else %}{{ l2.task_sum|pts }} 分（任务合计）{% endif %}</span></summary>
      <div class="tasks table-responsive">
        <table class="table table-sm mb-2">
          <thead><tr><th>编号</th><th>工作任务</th><th>考核方式</th><th class="text-end">分值</th><th>时间要求</th><th>责任主体</th></tr></thead>
          <tbody>
          {% for t in l2.children %}
            <tr id="task-{{ t.node.pk }}" class="{% if t.warned %}warned{% endif %}" data-testid="task-row">
              <td class="kaohe-nowrap">{{ t.node.code }}</td>
              <td>{{ t.node.name }}
                {% if t.node.adjustment %}<span class="badge bg-purple-lt">{{ t.node.get_adjustment_display }}</span>{% endif %}
                {% if t.node.counts_next_year %}<span class="badge bg-cyan-lt">明年考核</span>{% endif %}
    {% if t.node.event_label %}<span class="badge bg-teal-lt" data-testid="event-mode" title="考核对象逐件登记“{{ t.node.event_label }}”，每件在事件后{{ t.node.event_days }}个工作日内上传资料">事件触发：{{ t.node.event_label }}·{{ t.node.event_days }}个工作日</span>{% endif %}
                {% if t.node.materials %}<div class="kaohe-requirement">报送材料：{{ t.node.materials }}</div>{% endif %}
                {% if t.node.requirement %}<div class="kaohe-requirement">工作要求：{{ t.node.requirement }}</div>{% endif %}</td>
              <td class="kaohe-nowrap">{{ t.node.get_method_display }}</td>
              <td class="text-end kaohe-points">{% if t.node.points is not None %}{{ t.node.points|pts }}{% else %}<span class="badge bg-orange-lt">未写</span>{% endif %}</td>
              <td class="kaohe-nowrap">{{ t.node.deadline|date:"Y-m-d"|default:"—" }}</td>
              <td>{{ t.node.assessor.organisation.name|default:"—" }}</td>
            </tr>
          {% endfor %}
          </tbody>
        </table>
      </div>
    </details>
    {% endfor %}
  </details>
{% empty %}
  <div class="card-body text-secondary">该类别还没有指标。</div>
{% endfor %}
"""


def _normal(html: str) -> str:
    return re.sub(r"\s*(<|>)\s*", r"\1", re.sub(r"\s+", " ", str(html))).strip()


def _both(category: Category) -> tuple[str, str]:
    nodes = selectors.category_indicators(category)
    table = selectors.table_from_nodes(nodes, category.name)
    warnings = selectors.category_warnings(category, table)
    tree = selectors.indicator_tree(nodes, {w.row for w in warnings if w.row is not None})
    former = engines["django"].from_string(FORMER).render({"tree": tree})
    return _normal(former), _normal(tree_html(tree))


def test_the_demo_tables_render_as_before(demo_plan):
    categories = list(Category.objects.filter(plan=demo_plan))
    assert categories
    for category in categories:
        former, built = _both(category)
        assert built == former, category.name
        assert built.count('data-testid="task-row"') == Indicator.objects.filter(category=category, level=Level.TASK).count()


@pytest.mark.django_db
def test_hostile_names_every_badge_and_an_empty_category(plan):
    category = Category.objects.filter(plan=plan).order_by("order").first()
    task = Indicator.objects.filter(category=category, level=Level.TASK).order_by("order").first()
    hostile = "<script>alert(\"x\")</script> & '引号'"
    Indicator.objects.filter(pk=task.pk).update(
        name=hostile,
        materials=hostile,
        requirement=hostile,
        adjustment=Adjustment.BONUS,
        counts_next_year=True,
        event_label="出庭<应诉>",
        event_days=5,
        points=None,
        deadline=dt.date(2020, 12, 31),
    )
    Indicator.objects.filter(pk=task.parent.parent_id).update(name=hostile, points=Decimal("99.5"))
    former, built = _both(category)
    assert built == former
    assert "<script>" not in built and "&lt;script&gt;" in built
    assert "明年考核" in built and "事件触发：出庭&lt;应诉&gt;·5个工作日" in built and "未写" in built and "2020-12-31" in built
    empty_former = engines["django"].from_string(FORMER).render({"tree": []})
    assert _normal(tree_html([])) == _normal(empty_former) == '<div class="card-body text-secondary">该类别还没有指标。</div>'
