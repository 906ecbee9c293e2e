"""依法行政能力测试 pages of the office, the units and the scorers (the testee's pages are in views_testee.py)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kaohe import access
from kaohe.access.abilitytests import (
    ABILITY_MANAGE,
    ABILITY_ROSTER,
    ABILITY_SCORE,
    ability_tests_for_user,
    get_ability_plan_for_user,
    get_ability_test_for_user,
    get_roster_unit_for_user,
)
from kaohe.access.plans import get_plan_for_user, own_units
from kaohe.accounts.http import AuthenticatedHttpRequest
from kaohe.core.downloads import as_download
from kaohe.core.flash import flash_errors, flash_form_errors
from kaohe.inspections.abilitytests import attempts, selectors, selectors_sittings, services, sheets
from kaohe.inspections.abilitytests.draws import GROUP_LABELS, Person, Rule, rules_text
from kaohe.inspections.abilitytests.forms import (
    AbilityTestForm,
    ApplyForm,
    OpenForm,
    PersonForm,
    RemoveForm,
    VersionForm,
    XlsxForm,
    suggest_rules,
)
from kaohe.inspections.abilitytests.models import AbilityTest, Paper, Question, RosterVersion
from kaohe.plans.models import Plan, PlanUnit

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _context(request: AuthenticatedHttpRequest, plan: Plan, tab: str, **extra: Any) -> dict[str, Any]:
    return {
        "plan": plan,
        "tab": tab,
        "can_manage": access.can(request.user, ABILITY_MANAGE, plan),
        "can_score": access.can(request.user, ABILITY_SCORE, plan),
        "can_roster": access.can(request.user, ABILITY_ROSTER, plan),
        **extra,
    }


def _read_xlsx(request: HttpRequest) -> tuple[bytes, str] | None:
    form = XlsxForm(request.POST, request.FILES)
    if not form.is_valid():
        flash_form_errors(request, form)
        return None
    upload = form.cleaned_data["file"]
    if upload.size > sheets.MAX_BYTES:
        messages.error(request, "文件过大，上限 5 MB")
        return None
    return upload.read(), upload.name or "upload.xlsx"


# ------------------------------------------------------------------------------------------------ overview


@login_required
@require_GET
def index(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    """Tests of the plan (office, scorers) or of the user's own unit, with its roster (units)."""
    plan = get_ability_plan_for_user(request.user, plan_id)
    tests = list(ability_tests_for_user(request.user, plan))
    context = _context(request, plan, "tests", tests=tests)
    if context["can_manage"]:
        context["ability_tasks"] = list(selectors.ability_tasks(plan))
        context["sittings"] = selectors_sittings.sittings(plan)
    own = own_units(request.user, plan) if context["can_roster"] else []
    context["own_units"] = [(u, services.latest_roster(u)) for u in own]
    return render(request, "abilitytests/index.html", context)


# ------------------------------------------------------------------------------------------------ rosters


@login_required
@require_GET
def rosters(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, plan_id, capability=ABILITY_MANAGE)
    return render(request, "abilitytests/rosters.html", _context(request, plan, "rosters", rows=selectors.roster_overview(plan)))


@login_required
@require_GET
def roster(request: AuthenticatedHttpRequest, plan_id: int, unit_id: int) -> HttpResponse:
    plan = get_ability_plan_for_user(request.user, plan_id)
    unit = get_roster_unit_for_user(request.user, plan, unit_id)
    versions = selectors.roster_versions(unit)
    form = VersionForm(request.GET)
    wanted = form.cleaned_data.get("version") if form.is_valid() else None
    shown: RosterVersion | None = versions[0] if versions else None
    if wanted:
        shown = next((v for v in versions if v.number == wanted), None)
        if shown is None:
            raise Http404("名册版本不存在")
    people = [(i, Person.from_dict(p)) for i, p in enumerate(shown.people)] if shown else []
    is_current = shown is None or shown.number == (versions[0].number if versions else 0)
    context = _context(
        request,
        plan,
        "rosters",
        unit=unit,
        versions=versions,
        shown=shown,
        people=[(i, p, GROUP_LABELS.get(p.group, p.group)) for i, p in people],
        is_current=is_current,
        current_number=versions[0].number if versions else 0,
        person_form=PersonForm(initial={"version": versions[0].number if versions else 0}),
        import_form=XlsxForm(),
        can_edit=services.may_edit_roster(request.user, plan, unit),
    )
    return render(request, "abilitytests/roster.html", context)


def _roster_target(request: AuthenticatedHttpRequest, plan_id: int, unit_id: int) -> tuple[Plan, PlanUnit]:
    plan = get_ability_plan_for_user(request.user, plan_id)
    unit = get_roster_unit_for_user(request.user, plan, unit_id)
    return plan, unit


@login_required
@require_POST
def roster_add(request: AuthenticatedHttpRequest, plan_id: int, unit_id: int) -> HttpResponse:
    plan, unit = _roster_target(request, plan_id, unit_id)
    form = PersonForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
    else:
        data = form.cleaned_data
        person = Person(
            name=data["name"].strip(), post=data["post"].strip(), group=data["group"], section=data["section"].strip()
        )
        try:
            version = services.roster_add_person(
                actor=request.user, plan=plan, unit=unit, person=person, expected_number=data["version"]
            )
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, f"已添加 {person.name}，名册更新为第 {version.number} 版")
    return redirect("abilitytests:roster", plan_id=plan.pk, unit_id=unit.pk)


@login_required
@require_POST
def roster_remove(request: AuthenticatedHttpRequest, plan_id: int, unit_id: int) -> HttpResponse:
    plan, unit = _roster_target(request, plan_id, unit_id)
    form = RemoveForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
    else:
        try:
            version = services.roster_remove_person(
                actor=request.user,
                plan=plan,
                unit=unit,
                index=form.cleaned_data["index"],
                expected_number=form.cleaned_data["version"],
            )
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, f"已删除，名册更新为第 {version.number} 版")
    return redirect("abilitytests:roster", plan_id=plan.pk, unit_id=unit.pk)


@login_required
@require_POST
def roster_import(request: AuthenticatedHttpRequest, plan_id: int, unit_id: int) -> HttpResponse:
    plan, unit = _roster_target(request, plan_id, unit_id)
    upload = _read_xlsx(request)
    if upload is not None:
        try:
            version = services.roster_import(actor=request.user, plan=plan, unit=unit, data=upload[0], original_name=upload[1])
        except ValidationError as exc:
            messages.error(request, "名册未导入，请修改以下问题后重新上传：")
            flash_errors(request, exc)
        else:
            messages.success(request, f"已导入 {len(version.people)} 人，名册更新为第 {version.number} 版")
    return redirect("abilitytests:roster", plan_id=plan.pk, unit_id=unit.pk)


@login_required
@require_GET
def roster_template(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    plan = get_ability_plan_for_user(request.user, plan_id)
    if not (access.can(request.user, ABILITY_MANAGE, plan) or access.can(request.user, ABILITY_ROSTER, plan)):
        raise PermissionDenied
    return as_download(HttpResponse(sheets.roster_template(), content_type=XLSX), "测试人员名册模板.xlsx")


# ------------------------------------------------------------------------------------------------ question bank


@login_required
@require_GET
def bank(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, plan_id, capability=ABILITY_MANAGE)
    questions = selectors.bank_questions(plan)
    context = _context(
        request,
        plan,
        "bank",
        summary=selectors.bank_summary(plan),
        questions=questions,
        imports=selectors.recent_bank_imports(plan),
        form=XlsxForm(),
    )
    return render(request, "abilitytests/bank.html", context)


@login_required
@require_GET
def bank_template(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    get_plan_for_user(request.user, plan_id, capability=ABILITY_MANAGE)
    return as_download(HttpResponse(sheets.bank_template(), content_type=XLSX), "题库模板.xlsx")


@login_required
@require_POST
def bank_import(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, plan_id, capability=ABILITY_MANAGE)
    upload = _read_xlsx(request)
    if upload is None:
        return redirect("abilitytests:bank", plan_id=plan.pk)
    record = services.bank_import_upload(actor=request.user, plan=plan, data=upload[0], original_name=upload[1])
    return redirect("abilitytests:bank_import_preview", plan_id=plan.pk, bank_import_id=record.pk)


@login_required
@require_GET
def bank_import_preview(request: AuthenticatedHttpRequest, plan_id: int, bank_import_id: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, plan_id, capability=ABILITY_MANAGE)
    record = selectors.get_bank_import(plan, bank_import_id)
    return render(request, "abilitytests/bank_preview.html", _context(request, plan, "bank", record=record))


@login_required
@require_POST
def bank_import_apply(request: AuthenticatedHttpRequest, plan_id: int, bank_import_id: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, plan_id, capability=ABILITY_MANAGE)
    record = selectors.get_bank_import(plan, bank_import_id)
    form = ApplyForm(request.POST)
    form.is_valid()
    try:
        record = services.bank_import_apply(
            actor=request.user, record=record, accept_warnings=bool(form.cleaned_data.get("accept_warnings"))
        )
    except services.ImportRefused as exc:
        messages.error(request, exc.message)
        return redirect("abilitytests:bank_import_preview", plan_id=plan.pk, bank_import_id=record.pk)
    messages.success(request, f"“{record.original_name}”已导入 {record.summary.get('questions', 0)} 道试题")
    return redirect("abilitytests:bank", plan_id=plan.pk)


@login_required
@require_POST
def bank_import_discard(request: AuthenticatedHttpRequest, plan_id: int, bank_import_id: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, plan_id, capability=ABILITY_MANAGE)
    record = selectors.get_bank_import(plan, bank_import_id)
    try:
        services.bank_import_discard(actor=request.user, record=record)
    except services.ImportRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.info(request, "已放弃该导入，题库未作任何改动")
    return redirect("abilitytests:bank", plan_id=plan.pk)


# ------------------------------------------------------------------------------------------------ tests


@login_required
@require_http_methods(["GET", "POST"])
def test_new(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, plan_id, capability=ABILITY_MANAGE)
    initial: dict[str, Any] = {"mode": AbilityTest.Mode.ONLINE, "single": 10, "multiple": 5, "judge": 5}
    task_id = request.GET.get("task", "")
    if task_id.isdigit():
        task = selectors.find_task(plan, int(task_id))
        if task is not None:
            initial.update({"task": task.pk, **suggest_rules(task.name)})
            if "负责同志" in task.name:
                initial["mode"] = AbilityTest.Mode.ORAL
    form = AbilityTestForm(request.POST or None, plan=plan, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            test = services.abilitytest_create(
                actor=request.user,
                plan=plan,
                unit=data["unit"],
                task=data["task"],
                mode=data["mode"],
                rules=data["rules"],
                paper_rules=data["paper_rules"],
                time_limit_minutes=data["time_limit_minutes"],
                oral_max_score=data["oral_max_score"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "已新建能力测试。下一步：抽取测试人员。")
            return redirect("abilitytests:test", plan_id=plan.pk, test_id=test.pk)
    context = _context(request, plan, "tests", form=form)
    return render(request, "abilitytests/test_new.html", context, status=400 if form.errors else 200)


@login_required
@require_GET
def test_detail(request: AuthenticatedHttpRequest, plan_id: int, test_id: int) -> HttpResponse:
    plan = get_ability_plan_for_user(request.user, plan_id)
    test = get_ability_test_for_user(request.user, plan, test_id)
    draw = selectors.draw_of(test)
    paper = selectors.paper_of(test)
    context = _context(
        request,
        plan,
        "tests",
        test=test,
        rules=rules_text([Rule.from_dict(r) for r in test.rules]),
        draw=draw,
        paper=paper,
        latest_roster=services.latest_roster(test.unit),
    )
    if context["can_manage"] or context["can_score"]:
        results = attempts.results_of(test)
        context["results"] = results
        context["all_marked"] = bool(results) and all(r.earned is not None for r in results)
        if paper is not None and context["can_manage"]:
            questions = _ordered_questions(paper)
            context["paper_questions"] = questions
        context["open_form_initial"] = test.time_limit_minutes
    return render(request, "abilitytests/test_detail.html", context)


def _ordered_questions(paper: Paper) -> list[Question]:
    questions = attempts.paper_questions(paper)
    return [questions[i] for i in paper.question_ids]


def _test_for(request: AuthenticatedHttpRequest, plan_id: int, test_id: int, need: str) -> tuple[Plan, AbilityTest]:
    plan = get_ability_plan_for_user(request.user, plan_id)
    return plan, get_ability_test_for_user(request.user, plan, test_id, need=need)


@login_required
@require_POST
def draw(request: AuthenticatedHttpRequest, plan_id: int, test_id: int) -> HttpResponse:
    plan, test = _test_for(request, plan_id, test_id, "manage")
    try:
        made = services.draw_make(actor=request.user, test=test)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, f"已抽取 {len(made.result)} 名测试人员（随机种子与名册第 {made.roster.number} 版已记录）")
    return redirect("abilitytests:test", plan_id=plan.pk, test_id=test.pk)


@login_required
@require_GET
def draw_replay(request: AuthenticatedHttpRequest, plan_id: int, test_id: int) -> HttpResponse:
    """复核抽取: recompute the draw from its seed and roster version, and say whether it matches."""
    plan, test = _test_for(request, plan_id, test_id, "read")
    stored = selectors.draw_of(test)
    if stored is None:
        raise Http404("尚未抽取")
    outcome = services.draw_replay(stored)
    services.replay_record(actor=request.user, test=test, what="draw", outcome=outcome)
    rows = list(zip(outcome.stored, outcome.replayed + [""] * (len(outcome.stored) - len(outcome.replayed)), strict=False))
    context = _context(request, plan, "tests", test=test, what="抽取测试人员", outcome=outcome, rows=rows, draw=stored)
    return render(request, "abilitytests/replay.html", context)


@login_required
@require_POST
def paper_make(request: AuthenticatedHttpRequest, plan_id: int, test_id: int) -> HttpResponse:
    plan, test = _test_for(request, plan_id, test_id, "manage")
    try:
        paper = services.paper_make(actor=request.user, test=test)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, f"已组卷：{len(paper.question_ids)} 道题，总分 {paper.total_points}")
    return redirect("abilitytests:test", plan_id=plan.pk, test_id=test.pk)


@login_required
@require_GET
def paper_replay(request: AuthenticatedHttpRequest, plan_id: int, test_id: int) -> HttpResponse:
    plan, test = _test_for(request, plan_id, test_id, "manage")
    paper = selectors.paper_of(test)
    if paper is None:
        raise Http404("尚未组卷")
    outcome = services.paper_replay(paper)
    services.replay_record(actor=request.user, test=test, what="paper", outcome=outcome)
    rows = list(zip(outcome.stored, outcome.replayed + [""] * (len(outcome.stored) - len(outcome.replayed)), strict=False))
    context = _context(request, plan, "tests", test=test, what="组卷", outcome=outcome, rows=rows, paper=paper)
    return render(request, "abilitytests/replay.html", context)


def _codes_page(request: AuthenticatedHttpRequest, plan: Plan, test: AbilityTest, issued: list[Any]) -> HttpResponse:
    response = render(request, "abilitytests/codes.html", _context(request, plan, "tests", test=test, issued=issued))
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def sitting_open(request: AuthenticatedHttpRequest, plan_id: int, test_id: int) -> HttpResponse:
    plan, test = _test_for(request, plan_id, test_id, "manage")
    form = OpenForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect("abilitytests:test", plan_id=plan.pk, test_id=test.pk)
    try:
        issued = attempts.sitting_open(actor=request.user, test=test, time_limit_minutes=form.cleaned_data["time_limit_minutes"])
    except ValidationError as exc:
        flash_errors(request, exc)
        return redirect("abilitytests:test", plan_id=plan.pk, test_id=test.pk)
    test.refresh_from_db()
    return _codes_page(request, plan, test, [(t, _spaced(code)) for t, code in issued])


def _spaced(code: str) -> str:
    return f"{code[:4]} {code[4:]}"


@login_required
@require_POST
def code_reissue(request: AuthenticatedHttpRequest, plan_id: int, test_id: int, testee_id: int) -> HttpResponse:
    plan, test = _test_for(request, plan_id, test_id, "manage")
    testee = selectors.get_testee(test, testee_id)
    try:
        code = attempts.code_reissue(actor=request.user, test=test, testee=testee)
    except ValidationError as exc:
        flash_errors(request, exc)
        return redirect("abilitytests:test", plan_id=plan.pk, test_id=test.pk)
    return _codes_page(request, plan, test, [(testee, _spaced(code))])


@login_required
@require_POST
def sitting_close(request: AuthenticatedHttpRequest, plan_id: int, test_id: int) -> HttpResponse:
    plan, test = _test_for(request, plan_id, test_id, "manage")
    try:
        attempts.sitting_close(actor=request.user, test=test)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, "测试已结束：未交卷的按已保存的答案收卷，未开始答题的记为缺考")
    return redirect("abilitytests:test", plan_id=plan.pk, test_id=test.pk)


@login_required
@require_GET
def oral(request: AuthenticatedHttpRequest, plan_id: int, test_id: int) -> HttpResponse:
    plan, test = _test_for(request, plan_id, test_id, "score")
    if test.is_online:
        raise Http404("在线测试无现场评分")
    context = _context(
        request,
        plan,
        "tests",
        test=test,
        testees=selectors.testees_of(test),
        conflict=attempts.scorer_conflict(request.user, test),
    )
    return render(request, "abilitytests/oral.html", context)


@login_required
@require_POST
def oral_save(request: AuthenticatedHttpRequest, plan_id: int, test_id: int) -> HttpResponse:
    plan, test = _test_for(request, plan_id, test_id, "score")
    scores = {
        int(k.removeprefix("score-")): str(v) for k, v in request.POST.items() if k.startswith("score-") and k[6:].isdigit()
    }
    try:
        changed = attempts.oral_scores_save(actor=request.user, test=test, scores=scores)
    except (ValidationError, PermissionDenied) as exc:
        flash_errors(request, exc if isinstance(exc, ValidationError) else ValidationError(str(exc) or "不能评分"))
        return redirect("abilitytests:oral", plan_id=plan.pk, test_id=test.pk)
    messages.success(request, f"已保存 {changed} 人的得分")
    return redirect("abilitytests:oral", plan_id=plan.pk, test_id=test.pk)


@login_required
@require_GET
def marking(request: AuthenticatedHttpRequest, plan_id: int, test_id: int) -> HttpResponse:
    plan, test = _test_for(request, plan_id, test_id, "score")
    context = _context(
        request,
        plan,
        "tests",
        test=test,
        answers=selectors.short_answers(test),
        conflict=attempts.scorer_conflict(request.user, test),
    )
    return render(request, "abilitytests/marking.html", context)


@login_required
@require_POST
def marking_save(request: AuthenticatedHttpRequest, plan_id: int, test_id: int) -> HttpResponse:
    plan, test = _test_for(request, plan_id, test_id, "score")
    marks = {int(k.removeprefix("mark-")): str(v) for k, v in request.POST.items() if k.startswith("mark-") and k[5:].isdigit()}
    try:
        changed = attempts.short_marks_save(actor=request.user, test=test, marks=marks)
    except (ValidationError, PermissionDenied) as exc:
        flash_errors(request, exc if isinstance(exc, ValidationError) else ValidationError(str(exc) or "不能阅卷"))
        return redirect("abilitytests:marking", plan_id=plan.pk, test_id=test.pk)
    messages.success(request, f"已保存 {changed} 份简答题评分")
    return redirect("abilitytests:marking", plan_id=plan.pk, test_id=test.pk)


@login_required
@require_POST
def record(request: AuthenticatedHttpRequest, plan_id: int, test_id: int) -> HttpResponse:
    """计入考核得分."""
    plan, test = _test_for(request, plan_id, test_id, "manage")
    try:
        evaluation = attempts.abilitytest_record(actor=request.user, test=test)
    except (ValidationError, PermissionDenied) as exc:
        flash_errors(request, exc if isinstance(exc, ValidationError) else ValidationError(str(exc) or "不能计分"))
    else:
        messages.success(request, f"已计入考核得分：{test.task.code} {evaluation.score} 分（{evaluation.reason}）")
    return redirect("abilitytests:test", plan_id=plan.pk, test_id=test.pk)
