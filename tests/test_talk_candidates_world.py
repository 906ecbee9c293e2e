"""The 约谈 candidates come from the results in force: results answers reviews' question (reviews/hooks.py)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from kaohe.plans.models import PlanUnit
from kaohe.reviews import hooks
from tests.matrix_world import World


def test_the_published_bottom_n_is_the_candidate_list(world: World, personas: Any) -> None:
    plan = world.ids["plan_id"]
    lists = hooks.bottom_units(plan)
    assert lists, "the world publishes results with a bottom-N list"
    unit_ids = {u for _, _, ids in lists for u in ids}
    assert unit_ids <= set(PlanUnit.objects.filter(plan=plan).values_list("pk", flat=True))
    assert all(n == lists[0][1] and n > 0 for _, n, _ in lists)
    page = personas.client(personas.office).get(reverse("reviews:talks", args=[plan.pk]))
    shown = [c.unit.pk for c in page.context["page"].candidates]
    assert shown == [u for _, _, ids in lists for u in ids]
    assert 'data-testid="talk-candidates"' in page.content.decode()
