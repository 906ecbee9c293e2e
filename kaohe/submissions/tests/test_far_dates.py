"""A far date already in the database (stored before dates were bounded) never breaks a page (finding 4)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from kaohe.inspections.casefiles.models import ListingExtension
from kaohe.submissions import deadlines
from kaohe.submissions.models import EvidenceFile, Extension, Submission, SupplementRequest
from kaohe.submissions.tests.conftest import SHANGHAI, pdf, set_now

NOW = dt.datetime(2021, 3, 1, 10, 0, tzinfo=SHANGHAI)  # every 2020 deadline of the plan has passed


def test_the_last_representable_day_means_no_limit_and_the_first_one_is_long_past() -> None:
    assert deadlines.end_of_day(dt.date.max) == deadlines.NO_LIMIT
    assert deadlines.is_open(dt.date.max, NOW)
    assert not deadlines.is_open(dt.date.min, NOW)
    assert deadlines.end_of_day(dt.date(2020, 12, 31)) == dt.datetime(2021, 1, 1, tzinfo=SHANGHAI)


@pytest.fixture
def far_rows(plan, personas, wugang, task, monkeypatch):
    """A 9999-12-31 extension of the task for every unit and one for 舞钢, and a 9999-12-31 退回补充 of another task."""
    set_now(monkeypatch, NOW)
    far = dt.date(9999, 12, 31)
    Extension.objects.create(plan=plan, task=task, unit=None, new_deadline=far, reason="误填", granted_by=personas.office)
    Extension.objects.create(plan=plan, task=task, unit=wugang, new_deadline=far, reason="误填", granted_by=personas.office)
    returned_task = (
        type(task)
        .objects.filter(plan=plan, category=task.category, method=task.method, assessor=task.assessor)
        .exclude(pk=task.pk)
        .order_by("order")
        .first()
    )
    submission = Submission.objects.create(plan=plan, unit=wugang, task=returned_task, status=Submission.Status.RETURNED)
    SupplementRequest.objects.create(
        submission=submission, desk=task.assessor, reason="请补充", due_date=far, requested_by=personas.desk
    )
    return returned_task


def test_evidence_pages_answer_with_a_far_future_extension_and_return_in_the_database(personas, plan, wugang, task, far_rows):
    pages = [
        (personas.unit, reverse("submissions:workspace", args=[plan.pk])),
        (personas.unit, reverse("submissions:task", args=[plan.pk, wugang.pk, task.pk])),
        (personas.unit, reverse("submissions:task", args=[plan.pk, wugang.pk, far_rows.pk])),
        (personas.desk, reverse("submissions:task", args=[plan.pk, wugang.pk, task.pk])),
        (personas.desk, reverse("submissions:queue", args=[plan.pk])),
        (personas.office, reverse("submissions:overview", args=[plan.pk])),
        (personas.office, reverse("submissions:queue", args=[plan.pk])),
        (personas.office, reverse("submissions:workspace", args=[plan.pk]) + f"?unit={wugang.pk}"),
        (personas.office, reverse("submissions:extensions", args=[plan.pk])),
    ]
    for user, url in pages:
        response = personas.client(user).get(url)
        assert response.status_code == 200, (user.username, url)
    task_page = personas.client(personas.unit).get(pages[1][1]).content.decode()
    assert "9999-12-31" in task_page and "已截止" not in task_page


def test_an_upload_with_a_far_future_extension_is_taken(personas, plan, wugang, task, far_rows):
    url = reverse("submissions:upload", args=[plan.pk, wugang.pk, task.pk])
    response = personas.client(personas.unit).post(url, {"files": [pdf()]}, HTTP_ACCEPT="application/json")
    assert response.status_code == 200, response.content[:500]
    assert EvidenceFile.objects.filter(submission__unit=wugang, submission__task=task).count() == 1


def test_the_office_reminder_counts_past_a_far_future_deadline(personas, plan, far_rows):
    response = personas.client(personas.office).post(reverse("submissions:remind", args=[plan.pk]))
    assert response.status_code == 302


def test_the_case_file_list_answers_with_a_far_future_listing_extension(personas, plan, wugang, monkeypatch):
    set_now(monkeypatch, NOW)
    ListingExtension.objects.create(
        plan=plan, unit=wugang, new_deadline=dt.date(9999, 12, 31), reason="误填", granted_by=personas.office
    )
    for user in (personas.unit, personas.office):
        url = reverse("casefiles:unit_list", args=[plan.pk, wugang.pk])
        assert personas.client(user).get(url).status_code == 200
    assert personas.client(personas.office).get(reverse("casefiles:office", args=[plan.pk])).status_code == 200
