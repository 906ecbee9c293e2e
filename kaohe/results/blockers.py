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
