"""Plan pages as every role, the wrong unit and the outsider; constant query counts on list pages."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories as f


def _status(client, url):
    return client.get(url).status_code


def test_plan_overview_by_role(personas, plan, other_plan):
    url = reverse("plans:detail", args=[plan.pk])
    for user in (personas.office, personas.desk, personas.unit, personas.viewer):
        assert _status(personas.client(user), url) == 200
    for user in (personas.other_office, personas.other_unit, personas.sysadmin):
        assert _status(personas.client(user), url) == 404
    assert _status(personas.client(None), url) == 302
    # The other city's draft is invisible to us, visible to its own office.
    other = reverse("plans:detail", args=[other_plan.pk])
    assert _status(personas.client(personas.office), other) == 404
    assert _status(personas.client(personas.other_unit), other) == 404
    assert _status(personas.client(personas.other_office), other) == 200


def test_unit_reads_its_own_category_tree_only(personas, plan):
    county = plan.categories.get(name="县区政府")
    dept2 = plan.categories.get(name="部门2")
    f.task(dept2, "5.1.1", 1, name="落实法律风险防控制度")  # a task of 部门2's table only
    client = personas.client(personas.unit)
    assert _status(client, reverse("plans:tree", args=[plan.pk, county.pk])) == 200
    response = client.get(reverse("plans:tree", args=[plan.pk, dept2.pk]))
    assert response.status_code == 404
    assert "落实法律风险防控制度" not in response.content.decode()
    overview = client.get(reverse("plans:detail", args=[plan.pk])).content.decode()
    assert "部门2" not in overview


def test_category_of_another_plan_is_not_found(personas, plan, other_plan):
    county = plan.categories.get(name="县区政府")
    # Right category id, wrong plan id in the URL.
    assert _status(personas.client(personas.other_office), reverse("plans:tree", args=[other_plan.pk, county.pk])) == 404


@pytest.mark.parametrize("name", ["plans:units", "plans:desks"])
def test_units_and_desks_pages(personas, plan, name):
    url = reverse(name, args=[plan.pk])
    assert _status(personas.client(personas.office), url) == 200
    assert _status(personas.client(personas.desk), url) == 200
    assert _status(personas.client(personas.viewer), url) == 200
    assert _status(personas.client(personas.unit), url) == 403
    assert _status(personas.client(personas.other_office), url) == 404


def test_units_are_sorted_by_pinyin_within_category(personas, plan):
    page = personas.client(personas.office).get(reverse("plans:units", args=[plan.pk])).content.decode()
    # 宝丰县 (bao) before 郏县 (jia) before 舞钢市 (wu)
    positions = [page.index(name) for name in ("宝丰县人民政府", "郏县人民政府", "舞钢市人民政府")]
    assert positions == sorted(positions)


def test_office_edits_sort_key_and_order_changes(personas, plan):
    from kaohe.core.models import AuditEvent
    from kaohe.plans.models import PlanUnit

    unit = PlanUnit.objects.select_related("organisation").get(plan=plan, organisation__name="舞钢市人民政府")
    url = reverse("plans:unit_sort_key", args=[plan.pk, unit.pk])
    assert personas.client(personas.unit).post(url, {"sort_key": "0"}).status_code == 403
    assert personas.client(personas.desk).post(url, {"sort_key": "0"}).status_code == 403
    assert personas.client(personas.other_office).post(url, {"sort_key": "0"}).status_code == 404
    response = personas.client(personas.office).post(url, {"sort_key": "0000"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'value="0000"' in response.content.decode()
    page = personas.client(personas.office).get(reverse("plans:units", args=[plan.pk])).content.decode()
    assert page.index("舞钢市人民政府") < page.index("宝丰县人民政府")
    event = AuditEvent.objects.filter(action="organisation.sort_key").latest("seq")
    assert event.before["sort_key"] == "wu gang shi ren min zheng fu"
    assert event.after == {"sort_key": "0000"}


def test_unknown_unit_in_sort_key_url_is_404(personas, plan):
    url = reverse("plans:unit_sort_key", args=[plan.pk, 999999])
    assert personas.client(personas.office).post(url, {"sort_key": "x"}).status_code == 404


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_list_pages_run_a_constant_number_of_queries(personas, plan):
    """Pinned counts: the pages must not issue a query per task, unit or desk."""
    client = personas.client(personas.office)
    dept2 = plan.categories.get(name="部门2")
    dept1 = plan.categories.get(name="部门1")
    big = _count_queries(client, reverse("plans:tree", args=[plan.pk, dept2.pk]))
    small = _count_queries(client, reverse("plans:tree", args=[plan.pk, dept1.pk]))
    assert big == small
    assert big <= 12
    assert _count_queries(client, reverse("plans:units", args=[plan.pk])) <= 12
    # desks: + the 回避 setting and the desk × unit check (constant)
    assert _count_queries(client, reverse("plans:desks", args=[plan.pk])) <= 13
    assert _count_queries(client, reverse("plans:detail", args=[plan.pk])) <= 16  # + the deadline in force (2)
    assert _count_queries(client, reverse("core:home")) <= 20  # with the office's to-do list (tests/test_homes.py pins each role)
