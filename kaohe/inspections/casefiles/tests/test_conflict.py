"""回避 in 案卷集中评查 at submission time: a reviewer who gained a 市司法局 membership after assignment is refused."""

from __future__ import annotations

from decimal import Decimal

from kaohe.core.models import AuditEvent
from kaohe.inspections.casefiles import services
from kaohe.inspections.casefiles.models import CaseReviewer, ChecklistItem, ItemDeduction, SampledFile
from kaohe.inspections.casefiles.tests.test_casefiles import _panel, _sample, _url
from kaohe.organisations.models import Membership, Organisation
from kaohe.organisations.roles import Role


def _submit_data(plan) -> dict[str, str]:
    items = list(ChecklistItem.objects.filter(plan=plan, kind="enforcement"))
    return {f"deduction_{items[0].pk}": "0", "action": "submit", "overall_comment": "案卷规范"}


def _assigned(listed, personas) -> SampledFile:
    """reviewer_b (市公安局) is given a file of 市司法局 — no conflict at assignment."""
    _panel(listed, personas)
    _sample(listed, personas, "市司法局", "市公安局")
    services.files_assign_auto(actor=personas.office, plan=listed)
    return SampledFile.objects.filter(plan=listed, reviewer__user=personas.reviewer2).select_related("case_file__unit")[0]


def test_a_membership_gained_after_assignment_refuses_the_submission(personas, listed):
    sampled = _assigned(listed, personas)
    assert sampled.case_file.unit.organisation.name == "市司法局"
    client = personas.client(personas.reviewer2)
    panel = personas.client(personas.office).get(_url("panel", listed)).content.decode()
    assert 'data-testid="conflicts"' not in panel
    # After the assignment, reviewer_b is seconded to a section of 市司法局.
    Membership.objects.create(
        user=personas.reviewer2, organisation=Organisation.objects.get(name="市司法局行政执法协调监督科"), role=Role.VIEWER
    )
    page = client.get(_url("review", listed, sampled_id=sampled.pk)).content.decode()
    assert 'data-testid="conflict"' in page and "不能评查本单位案卷（市司法局）" in page
    response = client.post(_url("review_save", listed, sampled_id=sampled.pk), _submit_data(listed))
    assert response.status_code == 400
    assert f"回避：{personas.reviewer2.display_name}在市司法局行政执法协调监督科任职" in response.content.decode()
    sampled.refresh_from_db()
    assert sampled.status == SampledFile.Status.PENDING and sampled.score is None
    assert not ItemDeduction.objects.filter(sampled_file=sampled).exists()
    assert not AuditEvent.objects.filter(action__in=["casefile.review_submit", "casefile.review_save"]).exists()
    # The office is told on the panel page which files to reassign.
    panel = personas.client(personas.office).get(_url("panel", listed)).content.decode()
    assert 'data-testid="conflicts"' in panel and sampled.case_file.number in panel
    # Reassigning it to reviewer_a (市司法局) is refused as well.
    reviewer_a = CaseReviewer.objects.get(plan=listed, user=personas.reviewer)
    response = personas.client(personas.office).post(
        _url("assign", listed, sampled_id=sampled.pk), {"reviewer": reviewer_a.pk}, follow=True
    )
    assert "不能评查本单位案卷（市司法局）" in response.content.decode()


def test_under_blind_review_the_refusal_does_not_name_the_unit(personas, listed):
    sampled = _assigned(listed, personas)
    services.case_review_setting_save(actor=personas.office, plan=listed, full_mark=Decimal(100), blind=True)
    Membership.objects.create(user=personas.reviewer2, organisation=Organisation.objects.get(name="市司法局"), role=Role.VIEWER)
    response = personas.client(personas.reviewer2).post(_url("review_save", listed, sampled_id=sampled.pk), _submit_data(listed))
    assert response.status_code == 400
    body = response.content.decode()
    assert services.BLIND_CONFLICT in body and "市司法局" not in body.split('data-testid="conflict"')[1][:200]
    sampled.refresh_from_db()
    assert sampled.status == SampledFile.Status.PENDING
