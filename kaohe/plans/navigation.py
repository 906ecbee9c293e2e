"""The plan's navigation: which pages a user may open in a plan, grouped by the step of the annual cycle.

One table (``ENTRIES``) of (group, label, URL name, capabilities, when): an entry shows when the user holds
any of its capabilities in the plan and the plan's state allows it. Capability checks use the plan roles
cached for the request, so building the navigation costs no query beyond the first role lookup.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from kaohe import access
from kaohe.plans.models import Plan

ANY, DRAFT, RUNNING = "any", "draft", "running"  # when an entry applies: always, drafts only, published plans


@dataclass(frozen=True)
class Entry:
    group: str
    label: str
    url_name: str
    capabilities: tuple[str, ...]
    when: str = RUNNING
    tab: str = ""  # the ``tab`` value of plans' own pages, to mark the entry active
    unless: tuple[str, ...] = ()  # hidden when the user holds any of these (the office's entry wins)


ENTRIES: tuple[Entry, ...] = (
    Entry("方案", "概览", "plans:detail", ("plan:view",), ANY, "overview"),
    Entry("方案", "考核对象", "plans:units", ("unit:view",), ANY, "units"),
    Entry("方案", "考核主体", "plans:desks", ("desk:view",), ANY, "desks"),
    Entry("方案", "方案设置", "plans:settings", ("plan:settings",), ANY, "settings"),
    Entry("方案", "评分规则", "plans:policy", ("policy:write",), ANY, "policy"),
    Entry("方案", "导入", "plans:import", ("plan:import",), DRAFT, "import"),
    Entry("方案", "发布", "plans:publish", ("plan:publish",), DRAFT, "publish"),
    Entry("方案", "复制至下一年度", "plans:copy", ("plan:copy",), ANY, "copy"),
    Entry("方案", "指标模板", "plans:templates", ("plan:import",), ANY, "templates"),
    Entry("报送与评价", "报送资料", "submissions:workspace", ("evidence:submit",)),
    Entry("报送与评价", "资料审阅", "submissions:queue", ("evidence:check",)),
    Entry("报送与评价", "报送进度", "submissions:overview", ("evidence:overview",)),
    Entry("报送与评价", "年度报告", "insights:reports", ("evidence:overview", "evidence:check")),
    Entry("报送与评价", "年度报告", "insights:report_mine", ("evidence:submit",), unless=("evidence:overview", "evidence:check")),
    Entry("报送与评价", "评价", "scoring:grid", ("evaluation:write", "evaluation:overview")),
    Entry("报送与评价", "不涉及", "scoring:applicability", ("applicability:decide",)),
    Entry("报送与评价", "加减分", "scoring:adjustments_office", ("adjustment:decide",)),
    Entry("报送与评价", "加分申请", "scoring:adjustments_unit", ("adjustment:apply",), unless=("adjustment:decide",)),
    Entry("实地考核与评查", "实地考核", "fieldwork:office", ("fieldwork:manage",), ANY),
    Entry("实地考核与评查", "实地考核评分", "fieldwork:mine", ("fieldwork:score",), unless=("fieldwork:manage",)),
    Entry("实地考核与评查", "能力测试", "abilitytests:index", ("abilitytest:manage", "abilitytest:score", "abilitytest:roster")),
    Entry("实地考核与评查", "案卷评查", "casefiles:office", ("casefile:manage",), ANY),
    Entry("实地考核与评查", "案卷目录", "casefiles:index", ("casefile:list",)),
    Entry("实地考核与评查", "评查", "casefiles:assigned", ("casefile:review",)),
    Entry("结果", "考核结果", "results:index", ("results:compute",)),
    Entry("结果", "反馈与复核", "reviews:office", ("feedback:release",)),
    Entry("结果", "反馈与复核", "reviews:unit", ("review:request",), unless=("feedback:release",)),
    Entry("结果", "征求意见", "results:consult", ("results:consult",)),
    Entry("结果", "结果审定与公布", "results:release", ("results:publish",)),
    Entry("结果", "公布的结果", "results:published", ("results:receive",)),
    Entry("结果", "分析", "analysis:index", ("analysis:view",)),
    Entry("结果", "结果运用", "results:uses", ("results:publish",)),
    Entry("结果", "典型经验", "practices:index", ("plan:view",)),
    Entry("结果", "整改", "reviews:rectification_office", ("rectification:decide",), ANY),
    Entry("结果", "整改", "reviews:rectification_unit", ("rectification:report",), unless=("rectification:decide",)),
)


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    active: bool


def plan_navigation(user: Any, plan: Plan, tab: str = "") -> list[tuple[str, list[Link]]]:
    """[(group, links)] of the pages ``user`` may open in ``plan``, in the order of the annual cycle."""
    groups: dict[str, list[Link]] = {}
    for entry in ENTRIES:
        if (entry.when == DRAFT and not plan.is_draft) or (entry.when == RUNNING and plan.is_draft):
            continue
        if not any(access.can(user, c, plan) for c in entry.capabilities):
            continue
        if any(access.can(user, c, plan) for c in entry.unless):
            continue
        url = reverse(entry.url_name, kwargs={"plan_id": plan.pk})
        groups.setdefault(entry.group, []).append(Link(entry.label, url, bool(tab) and entry.tab == tab))
    return list(groups.items())
