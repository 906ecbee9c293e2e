"""The testee's pages under /test/: enter a one-time code, answer the paper, hand it in. No account needed.

The session remembers which testee the browser is answering for (set when a valid code is entered). See
``attempts.py`` for the rules: one attempt per code, a second browser continues the same attempt, nothing
is accepted after the deadline plus a short grace, and a used code is refused.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from kaohe.access.abilitytests import testee_of_session
from kaohe.core.clientip import client_ip
from kaohe.inspections.abilitytests import attempts, selectors
from kaohe.inspections.abilitytests.draws import LETTERS
from kaohe.inspections.abilitytests.forms import CodeForm
from kaohe.inspections.abilitytests.models import Question, Testee

SESSION_KEY = "abilitytests.testee"


AUTOSAVE_HEADER = "X-Kaohe-Autosave"  # sent by paper.js when it saves the answers in the background


def _session_testee(request: HttpRequest) -> Testee | None:
    return testee_of_session(request.session.get(SESSION_KEY))


@never_cache
@require_http_methods(["GET", "POST"])
def enter(request: HttpRequest) -> HttpResponse:
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            testee = attempts.testee_enter(code=form.cleaned_data["code"], ip=client_ip(request))
        except attempts.CodeRefused as exc:
            form.add_error("code", exc.message)
            status = 429 if exc.message == attempts.CODE_TOO_MANY else 400
        else:
            request.session.cycle_key()
            request.session[SESSION_KEY] = testee.pk
            return redirect("testee:paper")
    elif request.method == "POST":
        status = 400
    return render(request, "abilitytests/testee/enter.html", {"form": form}, status=status)


def _finished(request: HttpRequest, testee: Testee, message: str = "") -> HttpResponse:
    request.session.pop(SESSION_KEY, None)
    return render(request, "abilitytests/testee/done.html", {"testee": testee, "message": message})


@never_cache
@require_http_methods(["GET"])
def paper(request: HttpRequest) -> HttpResponse:
    testee = _session_testee(request)
    if testee is None:
        messages.info(request, "请输入测试码")
        return redirect("testee:enter")
    if testee.finished_at is not None:
        return _finished(request, testee)
    now = timezone.now()
    assert testee.deadline_at is not None  # noqa: S101 - a testee in the session has started
    if now > testee.deadline_at + attempts.GRACE:
        try:
            attempts.testee_save(testee=testee, responses={}, submit=False)
        except attempts.AttemptOver as exc:
            return _finished(request, testee, exc.message)
    exam = selectors.testee_paper(testee)
    questions = attempts.paper_questions(exam)
    saved = selectors.testee_responses(testee)
    items = []
    for number, (question, order) in enumerate(attempts.testee_layout(testee, exam, questions), start=1):
        response = saved.get(question.pk, "")
        options = [
            {
                "label": LETTERS[shown],
                "value": LETTERS[original],
                "text": question.options[original],
                "checked": LETTERS[original] in response,
            }
            for shown, original in enumerate(order)
        ]
        items.append({"number": number, "question": question, "options": options, "response": response})
    remaining = max(int((testee.deadline_at - now).total_seconds()), 0)
    context = {
        "testee": testee,
        "items": items,
        "kinds": Question.Kind,
        "deadline": testee.deadline_at,
        "clock": {"remaining": remaining, "deadline": testee.deadline_at.isoformat()},
    }
    return render(request, "abilitytests/testee/paper.html", context)


@never_cache
@require_POST
def submit(request: HttpRequest) -> HttpResponse:
    testee = _session_testee(request)
    if testee is None:
        messages.error(request, "请先输入测试码")
        return redirect("testee:enter")
    exam = selectors.testee_paper_or_none(testee)
    ids = exam.question_ids if exam else []
    responses = {qid: request.POST.getlist(f"q{qid}") for qid in ids}
    final = request.POST.get("action") == "submit"
    autosave = request.headers.get(AUTOSAVE_HEADER) == "1" and not final
    try:
        attempts.testee_save(testee=testee, responses=responses, submit=final)
    except attempts.AttemptOver as exc:
        if autosave:  # the page then reloads and shows why the attempt is over
            return JsonResponse({"saved": False, "message": exc.message}, status=409)
        return _finished(request, testee, exc.message)
    if autosave:  # the page's periodic save (paper.js): no message, no reload
        return JsonResponse({"saved": True, "at": timezone.localtime().strftime("%H:%M:%S")})
    if final:
        testee.refresh_from_db()
        return _finished(request, testee, "交卷成功")
    messages.success(request, f"答案已保存（{timezone.localtime().strftime('%H:%M:%S')}）")
    return redirect("testee:paper")
