"""考核分析 pages (考核办 and 查看): one snapshot's score rates, distribution, heat map, weakest tasks,
deduction reasons and year-over-year change, as charts and tables, and the same tables as .xlsx."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from kaohe import access
from kaohe.access.plans import get_plan_for_user
from kaohe.accounts.http import AuthenticatedHttpRequest
from kaohe.core.audit_exports import export_response
from kaohe.plans.models import Plan
from kaohe.results import analysis, selectors_analysis
from kaohe.results.forms_analysis import SnapshotChoiceForm, snapshot_label
from kaohe.results.models import MissingPolicyChoice, ResultSnapshot

CAPABILITY = "analysis:view"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _chosen(request: HttpRequest, plan: Plan) -> tuple[SnapshotChoiceForm, list[ResultSnapshot], ResultSnapshot | None]:
    """The snapshot asked for with ?snapshot= (404 if it is not one of the plan's), else the latest, else None."""
    snapshots = selectors_analysis.snapshots(plan)
    form = SnapshotChoiceForm(request.GET, snapshots=snapshots)
    if not form.is_valid():
        raise Http404("结果快照不存在")
    wanted = form.cleaned_data["snapshot"]
    chosen = next((s for s in snapshots if s.pk == wanted), None) if wanted is not None else None
    if chosen is None and snapshots:
        chosen = snapshots[0]
    if chosen is not None:
        form = SnapshotChoiceForm(initial={"snapshot": str(chosen.pk)}, snapshots=snapshots)
    return form, snapshots, chosen


@login_required
@require_GET
def index(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    """The analysis of the chosen snapshot (default: the latest), or a note that nothing was computed yet."""
    plan = get_plan_for_user(request.user, plan_id, capability=CAPABILITY)
    form, snapshots, chosen = _chosen(request, plan)
    context: dict[str, object] = {
        "plan": plan,
        "form": form,
        "snapshot": chosen,
        "latest": snapshots[0] if snapshots else None,
        "can_compute": access.can(request.user, "results:compute", plan),
        "zero": MissingPolicyChoice.ZERO,
    }
    if chosen is not None:
        report = selectors_analysis.load_report(request.user, plan, chosen)
        context.update(
            {
                "a": report.analysis,
                "t": {table.key: table for table in report.tables},
                "heat_tables": [table for table in report.tables if table.key.startswith("heat")],
                "charts": analysis.charts(report.analysis),
                "weakest_n": analysis.WEAKEST_N,
                "reasons_n": analysis.REASONS_N,
            }
        )
    return render(request, "results/analysis.html", context)


@login_required
@require_GET
def export(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    """Every table of the page for the chosen snapshot as one workbook, one sheet per table."""
    plan = get_plan_for_user(request.user, plan_id, capability=CAPABILITY)
    _form, _snapshots, chosen = _chosen(request, plan)
    if chosen is None:
        raise Http404("尚无计算结果")
    report = selectors_analysis.load_report(request.user, plan, chosen)
    result = report.analysis
    about = [
        ("考核方案", plan.title),
        ("数据来源", snapshot_label(chosen)),
        ("计算人", str(chosen.computed_by)),
        ("完整性", chosen.completeness),
        ("统计范围", f"已计分的考核对象 {result.scored_count}/{result.unit_count} 个"),
        ("得分率", "得分 ÷ 应得分 × 100，保留两位小数（四舍五入）；不涉及的任务不计入，加减分项不计入"),
        ("扣分理由", "取自快照所用版本的评价记录（评价及其变更记录）"),
        ("上年度", result.previous_label or "无上年度数据"),
        ("导出时间", timezone.localtime().strftime("%Y-%m-%d %H:%M")),
    ]
    if chosen.missing_policy == MissingPolicyChoice.ZERO:
        about.insert(4, ("考核办的决定", f"缺少的评价按0分计：{chosen.decision_note}"))
    body = analysis.workbook(about, report.tables)
    response = HttpResponse(body, content_type=XLSX)
    filename = f"{plan.title}-考核分析-第{chosen.seq}次计算.xlsx"
    return export_response(
        request, response, filename=filename, action="analysis.export", obj=chosen, plan_id=plan.pk, after={"seq": chosen.seq}
    )
