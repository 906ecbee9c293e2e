"""事件触发报送 in the demo: the Pingdingshan tasks 负责人出庭应诉情况 and 复议决定履行情况 (“…后5个工作日内上传至督导平台”)
become event-driven, and a few units get placeholder events of 2020 — some with evidence in time, one late, some
without — so the task page, the desk's grid and the to-do lists have something to show.

The events are 2020 history: the units' evidence is stored with its 2020 upload time (the uploader only ever stamps
"now"), and the 案号 are placeholders.
"""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

from django.conf import settings

from kaohe.accounts.models import User
from kaohe.core.storage import store_stream
from kaohe.demo.documents import make_pdf
from kaohe.organisations.roles import Role
from kaohe.plans.constants import Level
from kaohe.plans.models import Indicator, Plan, PlanUnit
from kaohe.plans.services_tree import EDITABLE_FIELDS, indicator_update
from kaohe.submissions.models import EvidenceFile, Submission, TaskEvent

SHANGHAI = ZoneInfo("Asia/Shanghai")

# (words in the task's name, event label): the two 2020 tasks whose requirement counts from an event
EVENT_TASKS = [("负责人出庭应诉", "出庭应诉"), ("复议决定履行", "履行复议决定")]

# unit → [(event label, date, 案号, days after the event the evidence came in — None: not yet)]
DEMO_EVENTS: dict[str, list[tuple[str, dt.date, str, int | None]]] = {
    "舞钢市人民政府": [
        ("出庭应诉", dt.date(2020, 4, 14), "（2020）豫0481行初15号（示例）", 2),
        ("出庭应诉", dt.date(2020, 9, 29), "（2020）豫0481行初58号（示例）", 15),  # across 国庆: late
        ("履行复议决定", dt.date(2020, 6, 3), "平政复决〔2020〕12号（示例）", None),
    ],
    "宝丰县人民政府": [
        ("出庭应诉", dt.date(2020, 7, 21), "（2020）豫0421行初31号（示例）", 3),
    ],
    "市司法局": [
        ("出庭应诉", dt.date(2020, 11, 10), "（2020）豫04行初7号（示例）", 1),
        ("履行复议决定", dt.date(2020, 8, 18), "豫政复决〔2020〕3号（示例）", 4),
    ],
}


def mark_event_tasks(plan: Plan, office: User) -> int:
    """Set event mode on the matching tasks of every category, through the tree editor's service (a draft: no reason)."""
    marked = 0
    for words, label in EVENT_TASKS:
        for task in Indicator.objects.filter(plan=plan, level=Level.TASK, name__contains=words).select_related("assessor"):
            values = {name: getattr(task, name) for name in EDITABLE_FIELDS}
            indicator_update(actor=office, plan=plan, node=task, **{**values, "event_label": label, "event_days": 5})
            marked += 1
    return marked


def load_demo_events(plan: Plan) -> int:
    """The placeholder events of ``DEMO_EVENTS`` (and their evidence); returns how many were made."""
    made = 0
    for unit in PlanUnit.objects.filter(plan=plan, organisation__name__in=DEMO_EVENTS).select_related("organisation"):
        recorder = (
            User.objects.filter(memberships__organisation=unit.organisation, memberships__role=Role.UNIT).order_by("pk").first()
        )
        if recorder is None:
            recorder = User.objects.get(username="office")
        for label, day, number, after in DEMO_EVENTS[unit.organisation.name]:
            task = Indicator.objects.filter(plan=plan, category_id=unit.category_id, event_label=label).first()
            if task is None:
                continue
            event = TaskEvent.objects.create(
                plan=plan, unit=unit, task=task, occurred_on=day, description=number, recorded_by=recorder
            )
            made += 1
            if after is not None:
                _evidence(plan, unit, task, event, recorder, day + dt.timedelta(days=after))
    return made


def _evidence(plan: Plan, unit: PlanUnit, task: Indicator, event: TaskEvent, user: User, day: dt.date) -> None:
    name = f"{event.task.event_label}材料{event.occurred_on:%m%d}（示例）.pdf"
    # each event's own one-page placeholder (a real PDF with a text layer): distinct files, so the evidence
    # analysis finds no false “完全相同” pairs among the demo's events
    text = "\n".join(
        [
            f"{unit.organisation.name}{event.task.event_label}情况说明（示例）",
            f"案号：{event.description}",
            f"{event.task.event_label}日期：{event.occurred_on:%Y年%m月%d日}",
            "本文件为演示数据，人员、案号均为虚构。",
        ]
    )
    stored = store_stream(
        io.BytesIO(make_pdf([text])),
        prefix=f"evidence/plan-{plan.pk}/unit-{unit.pk}/task-{task.pk}",
        original_name=name,
        max_bytes=settings.KAOHE_EVIDENCE_MAX_BYTES,
    )
    moment = dt.datetime.combine(day, dt.time(10, 0), tzinfo=SHANGHAI)
    submission, _ = Submission.objects.get_or_create(plan=plan, unit=unit, task=task)
    EvidenceFile.objects.create(
        submission=submission,
        storage_name=stored.name,
        display_name=stored.display_name,
        size=stored.size,
        sha256=stored.sha256,
        kind=stored.kind,
        mime=stored.mime,
        uploaded_by=user,
        uploaded_at=moment,
        event=event,
    )
    Submission.objects.filter(pk=submission.pk).update(
        status=Submission.Status.SUBMITTED,
        first_submitted_at=submission.first_submitted_at or moment,
        last_changed_at=moment,
        version=submission.version + 1,
    )
