"""Accounts in bulk: the people list import (账号管理 · 批量导入) and the initial-password sheet (初始密码单).

The import is previewed with every problem at once and written only when confirmed; the parsed list waits in
the administrator's session meanwhile (no file is kept). The password sheet of any bulk creation (this import,
or a plan's 考核主体联系表) is shown once as a printable page and once as .xlsx (``password_sheet``).
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kaohe import access
from kaohe.accounts import bulk, password_sheet
from kaohe.accounts.forms_manage import PeopleImportForm
from kaohe.accounts.http import AuthenticatedHttpRequest
from kaohe.accounts.people_sheet import PeopleTable, PersonRow, parse_people, password_sheet_workbook, people_template
from kaohe.core import audit
from kaohe.core.audit_exports import export_response
from kaohe.core.sheets import Problem

PENDING_KEY = "kaohe_people_import"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _store_table(request: AuthenticatedHttpRequest, table: PeopleTable, *, name: str, sha256: str) -> None:
    request.session[PENDING_KEY] = {
        "owner": request.user.pk,
        "name": name,
        "sha256": sha256,
        "sheet": table.sheet,
        "people": [asdict(p) for p in table.people],
        "problems": [asdict(p) for p in table.problems],
    }


def _pending(request: AuthenticatedHttpRequest) -> tuple[PeopleTable, dict[str, Any]] | None:
    data = request.session.get(PENDING_KEY)
    if not data or data.get("owner") != request.user.pk:
        return None
    table = PeopleTable(
        sheet=data["sheet"],
        people=[PersonRow(**p) for p in data["people"]],
        problems=[Problem(**p) for p in data["problems"]],
    )
    return table, data


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def user_import(request: AuthenticatedHttpRequest) -> HttpResponse:
    """批量导入: upload a people list (.xlsx); it is checked, nothing is written until the preview is confirmed."""
    access.require(request.user, "accounts:manage")
    form = PeopleImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        table = parse_people(data, max_bytes=settings.KAOHE_IMPORT_MAX_BYTES)
        _store_table(request, table, name=(upload.name or "人员名单.xlsx")[:200], sha256=hashlib.sha256(data).hexdigest())
        return redirect("accounts:user_import_preview")
    status = 400 if form.errors else 200
    return render(request, "accounts/manage_import.html", {"form": form}, status=status)


@never_cache
@login_required
@require_GET
def user_import_preview(request: AuthenticatedHttpRequest) -> HttpResponse:
    """导入检查: every problem of the list at once, the accounts to create and those already there."""
    access.require(request.user, "accounts:manage")
    pending = _pending(request)
    if pending is None:
        messages.info(request, "没有待确认的导入，请先上传人员名单。")
        return redirect("accounts:user_import")
    table, data = pending
    check = bulk.people_import_check(actor=request.user, table=table)
    context = {"check": check, "name": data["name"], "sha256": data["sha256"], "errors": check.errors}
    return render(request, "accounts/manage_import_preview.html", context)


@never_cache
@login_required
@require_POST
def user_import_apply(request: AuthenticatedHttpRequest) -> HttpResponse:
    """确认导入: create the new accounts all at once (checked again), then show their password sheet once."""
    access.require(request.user, "accounts:manage")
    pending = _pending(request)
    if pending is None:
        messages.error(request, "没有待确认的导入，请先上传人员名单。")
        return redirect("accounts:user_import")
    if request.POST.get("discard"):
        request.session.pop(PENDING_KEY, None)
        messages.info(request, "已放弃该导入，未新建任何账号。")
        return redirect("accounts:user_import")
    table, _data = pending
    try:
        check, issued = bulk.people_import_apply(actor=request.user, table=table)
    except bulk.BulkRejected as exc:
        messages.error(request, exc.message)
        return redirect("accounts:user_import_preview")
    request.session.pop(PENDING_KEY, None)
    password_sheet.store(request.session, owner_id=request.user.pk, entries=issued, source=bulk.SOURCE_PEOPLE)
    kept = f"；{len(check.kept)} 个账号已存在且角色相同，未作改动" if check.kept else ""
    messages.success(request, f"已新建 {len(issued)} 个账号{kept}。请打印或下载初始密码单，它只显示这一次。")
    return redirect("accounts:password_sheet")


@login_required
@require_GET
def user_import_template(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The blank people list (姓名 / 登录账号 / 所属单位 / 角色 / 手机)."""
    access.require(request.user, "accounts:manage")
    response = HttpResponse(people_template(), content_type=XLSX)
    return export_response(request, response, filename="人员名单导入模板.xlsx", action="account.import_template")


@never_cache
@login_required
@require_GET
def password_sheet_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """初始密码单: the accounts just created with their initial passwords, shown this once (printable)."""
    user = request.user
    state = password_sheet.state(request.session, owner_id=user.pk)
    entries = password_sheet.take(request.session, owner_id=user.pk, part=password_sheet.PAGE)
    if entries is not None:
        audit.record(
            actor=user,
            action="account.password_sheet_show",
            object_repr=f"{len(entries)} 个账号",
            after={"accounts": [e.username for e in entries], "source": state.source if state else ""},
        )
    after = password_sheet.state(request.session, owner_id=user.pk)
    context = {
        "entries": entries,
        "state": state,
        "xlsx_available": bool(after and password_sheet.XLSX in after.available),
        "manages": access.can(user, "accounts:manage"),
    }
    response = render(request, "accounts/password_sheet.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


@never_cache
@login_required
@require_GET
def password_sheet_xlsx(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The same sheet as .xlsx, downloadable once."""
    user = request.user
    state = password_sheet.state(request.session, owner_id=user.pk)
    entries = password_sheet.take(request.session, owner_id=user.pk, part=password_sheet.XLSX)
    if entries is None:
        messages.error(request, "初始密码单已发放（或已超过30分钟），不能再次下载。如有遗失，请在账号页为该账号重置密码。")
        return redirect("accounts:password_sheet")
    response = HttpResponse(password_sheet_workbook(e.as_row() for e in entries), content_type=XLSX)
    return export_response(
        request,
        response,
        filename="初始密码单.xlsx",
        action="account.password_sheet_download",
        after={"accounts": [e.username for e in entries], "source": state.source if state else ""},
    )
