"""表彰建议 (PDS 六): the office downloads the proposal to the city government of the published results' units
graded 优秀 two years running, with their 主要负责人 (results/commendation.py); audited as ``results.commendation``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_GET

from kaohe.access.results import get_release_plan_for_user
from kaohe.accounts.http import AuthenticatedHttpRequest
from kaohe.core.audit_exports import export_response
from kaohe.results import selectors
from kaohe.results.commendation import build_commendation

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@login_required
@require_GET
def commendation(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    """The 表彰建议 .docx of the published results; before publication, or with nobody to commend, a message."""
    plan = get_release_plan_for_user(request.user, plan_id, "results:publish")
    publication = selectors.publication_in_force(plan)
    if publication is None:
        messages.error(request, "考核结果尚未公布：表彰建议依据已公布的连续两年优秀名单生成")
        return redirect("results:release", plan_id=plan.pk)
    two_years = selectors.TwoYears.from_json(publication.excellent_two_years)
    if not two_years.available or not two_years.count:
        messages.error(
            request, two_years.note if not two_years.available else "没有连续两年被评为优秀等次的单位，无须提出表彰建议"
        )
        return redirect("results:release", plan_id=plan.pk)
    day = timezone.localdate()
    response = HttpResponse(build_commendation(plan, two_years, day), content_type=DOCX)
    return export_response(
        request,
        response,
        filename=f"{plan.title}-表彰建议.docx",
        action="results.commendation",
        obj=publication,
        plan_id=plan.pk,
        after={"units": two_years.count, "previous": two_years.previous},
    )
