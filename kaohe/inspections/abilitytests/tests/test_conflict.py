"""回避 in ability tests: a scorer who belongs to the tested unit cannot score its oral answers or short answers."""

from __future__ import annotations

from django.urls import reverse

from kaohe.core.models import AuditEvent
from kaohe.inspections.abilitytests.models import Testee
from kaohe.inspections.abilitytests.tests.conftest import make_test
from kaohe.organisations.models import Membership
from kaohe.organisations.roles import Role


def test_a_scorer_from_the_tested_unit_is_refused(personas, ability, dept1_units, leaders_task, scorer):
    unit = dept1_units[1]
    test = make_test(personas, ability, unit, leaders_task, mode="oral", rules=[("leader", 1, 1), ("member", 2, 2)])
    personas.client(personas.office).post(reverse("abilitytests:draw", args=[ability.pk, test.pk]))
    testee = Testee.objects.filter(test=test).order_by("seq").first()
    client = personas.client(scorer)
    page = client.get(reverse("abilitytests:oral", args=[ability.pk, test.pk])).content.decode()
    assert 'data-testid="conflict"' not in page
    # The scorer (a 市司法局 member of 第一组) also holds a post in the tested unit.
    Membership.objects.create(user=scorer, organisation=unit.organisation, role=Role.VIEWER)
    page = client.get(reverse("abilitytests:oral", args=[ability.pk, test.pk])).content.decode()
    assert 'data-testid="conflict"' in page
    save = reverse("abilitytests:oral_save", args=[ability.pk, test.pk])
    html = client.post(save, {f"score-{testee.pk}": "90"}, follow=True).content.decode()
    assert f"回避：{scorer.display_name}在{unit.organisation.name}任职，不能评价本单位（{unit.organisation.name}）" in html
    testee.refresh_from_db()
    assert testee.oral_score is None
    assert not AuditEvent.objects.filter(action="abilitytest.oral_score").exists()
    marking = reverse("abilitytests:marking_save", args=[ability.pk, test.pk])
    assert "回避：" in client.post(marking, {}, follow=True).content.decode()
    # The office (organiser) still scores it.
    personas.client(personas.office).post(save, {f"score-{testee.pk}": "90"})
    testee.refresh_from_db()
    assert testee.oral_score == 90
