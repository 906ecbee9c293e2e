"""The demo's 事件触发报送: 负责人出庭应诉 and 复议决定履行 are event-driven, with placeholder events of 2020."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from kaohe.plans.constants import Level
from kaohe.plans.models import Indicator, PlanUnit
from kaohe.submissions.models import EventState, TaskEvent


def test_the_demo_marks_the_court_and_review_tasks_and_gives_some_units_events(demo_plan, personas):
    marked = Indicator.objects.filter(plan=demo_plan, level=Level.TASK).exclude(event_label="")
    assert {(t.category.name, t.event_label, t.event_days) for t in marked} == {
        ("县区政府", "出庭应诉", 5),
        ("县区政府", "履行复议决定", 5),
        ("部门2", "出庭应诉", 5),
        ("部门2", "履行复议决定", 5),
    }
    assert all("出庭应诉" in t.name or "复议决定" in t.name for t in marked)
    wugang = PlanUnit.objects.get(plan=demo_plan, organisation__name="舞钢市人民政府")
    court = marked.get(category=wugang.category, event_label="出庭应诉")
    assert TaskEvent.objects.filter(plan=demo_plan).count() == 6
    page = personas.client(personas.unit).get(reverse("submissions:task", args=[demo_plan.pk, wugang.pk, court.pk]))
    assert page.status_code == 200
    rows = page.context["events"]
    # 2020-04-14 + 5 working days = 2020-04-21, evidence on 04-16; 2020-09-29 + 5 crosses 国庆 → 2020-10-13, evidence 10-14
    assert [(r.event.occurred_on, r.deadline, r.state) for r in rows] == [
        (dt.date(2020, 4, 14), dt.date(2020, 4, 21), EventState.ON_TIME),
        (dt.date(2020, 9, 29), dt.date(2020, 10, 13), EventState.LATE),
    ]
    assert "事件 2 件：按时 1 件，逾期 1 件" in page.content.decode()


def test_each_demo_event_file_is_its_own_readable_pdf(demo_plan):
    """The events' evidence are real PDFs with a text layer naming their 案号 — not one shared stub that a PDF reader
    refuses and that the evidence analysis would report as 完全相同 between units."""
    import io

    import pypdf
    from django.core.files.storage import default_storage

    from kaohe.submissions.models import EvidenceFile

    files = list(EvidenceFile.objects.filter(submission__plan=demo_plan, event__isnull=False).select_related("event"))
    assert len(files) == 5  # six events, one without evidence yet
    assert len({f.sha256 for f in files}) == len(files)
    for f in files:
        with default_storage.open(f.storage_name) as handle:
            text = pypdf.PdfReader(io.BytesIO(handle.read())).pages[0].extract_text()
        assert f.event.description in text
