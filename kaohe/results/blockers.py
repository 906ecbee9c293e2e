"""Publication blockers: what other apps say must be settled before a plan's results are published.

An app registers a function ``(plan) -> list[str]`` (each string one reason, in Chinese, naming what is open)
in its ``AppConfig.ready()``::

    from kaohe.results.blockers import register_publication_blocker
    register_publication_blocker(open_feedback_rounds)

``results.services.publication_problems`` lists every reason of every registered function next to its own
checks (digest, consultation, 审定), so the office sees everything that is open at once. Registration is
idempotent (a function is kept once), so a reloaded app does not list a reason twice.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kaohe.plans.models import Plan

PublicationBlocker = Callable[["Plan"], list[str]]

_BLOCKERS: list[PublicationBlocker] = []


def register_publication_blocker(blocker: PublicationBlocker) -> PublicationBlocker:
    """Add ``blocker`` to the checks run before publication (usable as a decorator); returns it unchanged."""
    if blocker not in _BLOCKERS:
        _BLOCKERS.append(blocker)
    return blocker


def publication_blockers(plan: Plan) -> list[str]:
    """Every reason the registered apps give against publishing ``plan`` now, in registration order."""
    problems: list[str] = []
    for blocker in list(_BLOCKERS):
        problems.extend(blocker(plan))
    return problems


def open_review_requests(plan: Plan) -> list[str]:
    """Unanswered 复核 requests (registered by the results app itself; reviews may take it over)."""
    from kaohe.reviews.models import ReviewRequest

    open_requests = ReviewRequest.objects.filter(unit__plan=plan, status=ReviewRequest.Status.OPEN)
    count = open_requests.count()
    if not count:
        return []
    names = list(open_requests.order_by("filed_at", "pk").values_list("unit__organisation__name", "task__code")[:5])
    listed = "、".join(f"{name}（{code}）" for name, code in names) + ("等" if count > len(names) else "")
    return [f"尚有 {count} 件复核申请未答复：{listed}"]


def pending_bonus_applications(plan: Plan) -> list[str]:
    """Undecided 加分申请: after publication a decision would be refused as frozen and the application lost."""
    from kaohe.results.services import bonus_pending_by_unit

    pending = bonus_pending_by_unit(plan)
    if not pending:
        return []
    total = sum(len(matters) for _name, matters in pending)
    listed = "；".join(f"{name}（{'、'.join(f'“{m}”' for m in matters)}）" for name, matters in pending)
    return [f"尚有 {total} 件加分申请未审核，须认定或不予认定后再公布（公布后不能再审核）：{listed}"]


def open_feedback_rounds(plan: Plan) -> list[str]:
    """Feedback rounds still open (待签收, or 复核期内: window running or a request unanswered), listed by unit.

    Publishing before a round's 复核 window ends would take away the unit's right to ask for a review of it
    ("收到反馈之日起5个工作日内"). What counts as open is ``reviews.selectors.open_feedback_rounds``.
    """
    from django.utils import timezone

    from kaohe.reviews.selectors import open_feedback_rounds as open_rounds

    states = open_rounds(plan)
    if not states:
        return []
    described = []
    for state in states[:10]:
        text = f"{state.feedback.unit.organisation.name}（第{state.feedback.number}轮，{state.status}"
        if state.deadline is not None:
            text += f"，复核期至{timezone.localtime(state.deadline):%Y-%m-%d}"
        described.append(text + "）")
    listed = "；".join(described) + ("等" if len(states) > 10 else "")
    return [f"尚有 {len(states)} 轮问题反馈未结束（未签收、复核期未满或复核申请未答复），期满后再公布：{listed}"]
