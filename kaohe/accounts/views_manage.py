"""Account pages (三员分立): the system administrator's accounts and roles, and the security administrator's
confirmation of proposed admin-role grants. Memberships change here only, never in the Django admin."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kaohe import access
from kaohe.access.accounts import (
    get_account_for_manager,
    get_grant_proposal_for_decider,
    get_membership_for_manager,
    grant_proposals_in_scope,
    managed_organisations,
)
from kaohe.accounts import selectors, services
from kaohe.accounts.forms_manage import (
    AccountCreateForm,
    AccountSearchForm,
    ActiveForm,
    GrantDecisionForm,
    MembershipAddForm,
    MembershipMoveForm,
)
from kaohe.accounts.http import AuthenticatedHttpRequest
from kaohe.accounts.models import User
from kaohe.core.flash import flash_errors, flash_form_errors
from kaohe.organisations import services as membership_services
from kaohe.organisations.models import RoleGrantProposal
from kaohe.organisations.roles import ADMIN_ROLES, Role

PAGE_SIZE = 50


def _password_page(request: HttpRequest, account: User, password: str, *, created: bool) -> HttpResponse:
    """The initial password, shown this once (never stored in clear, never cached by the browser)."""
    response = render(request, "accounts/manage_password.html", {"account": account, "password": password, "created": created})
    response["Cache-Control"] = "private, no-store"
    return response


# ------------------------------------------------------------------------------ 系统管理员: accounts and roles


@login_required
@require_GET
def users(request: AuthenticatedHttpRequest) -> HttpResponse:
    """账号管理: the accounts of the administrator's regions with their roles, searchable by 账号 or 姓名."""
    access.require(request.user, "accounts:manage")
    form = AccountSearchForm(request.GET)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    page = Paginator(selectors.accounts_list(request.user, query), PAGE_SIZE).get_page(request.GET.get("page"))
    pending = selectors.pending_grant_count(grant_proposals_in_scope(request.user, "accounts:manage"))
    return render(request, "accounts/manage_users.html", {"form": form, "page": page, "query": query, "pending": pending})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def user_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    """新建账号: the account gets a random initial password, shown once; the user changes it at first login."""
    access.require(request.user, "accounts:manage")
    form = AccountCreateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            account, password = services.user_create(
                actor=request.user,
                username=form.cleaned_data["username"],
                display_name=form.cleaned_data["display_name"],
                email=form.cleaned_data["email"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _password_page(request, account, password, created=True)
    return render(request, "accounts/manage_user_create.html", {"form": form})


@login_required
@require_GET
def user_detail(request: AuthenticatedHttpRequest, account_id: int) -> HttpResponse:
    """One account: its roles (撤销), 授予角色, 停用/启用, 重置密码, and its admin-role grant proposals."""
    account = get_account_for_manager(request.user, account_id)
    return render(
        request,
        "accounts/manage_user.html",
        {
            "account": account,
            "is_self": account.pk == request.user.pk,
            "memberships": selectors.memberships_of(account),
            "proposals": selectors.grant_proposals(user=account),
            "form": MembershipAddForm(organisations=managed_organisations(request.user)),
            "move_organisations": list(
                MembershipMoveForm(organisations=managed_organisations(request.user)).fields["organisation"].queryset  # type: ignore[attr-defined]
            ),
            "admin_roles": [r.label for r in Role if r in ADMIN_ROLES],
            "admin_role_values": [r.value for r in Role if r in ADMIN_ROLES],
        },
    )


@login_required
@require_POST
def membership_add(request: AuthenticatedHttpRequest, account_id: int) -> HttpResponse:
    account = get_account_for_manager(request.user, account_id)
    form = MembershipAddForm(request.POST, organisations=managed_organisations(request.user))
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect("accounts:user_detail", account_id=account.pk)
    try:
        result = membership_services.membership_grant(
            actor=request.user, user=account, organisation=form.cleaned_data["organisation"], role=Role(form.cleaned_data["role"])
        )
    except ValidationError as error:
        flash_errors(request, error)
    else:
        if isinstance(result, RoleGrantProposal):
            messages.info(
                request,
                f"已提出授予申请：{account.username} 在{result.organisation.name}担任{result.get_role_display()}。"
                "须经安全管理员确认后生效。",
            )
        else:
            messages.success(request, f"已授予 {account.username} 在{result.organisation.name}担任{result.get_role_display()}。")
    return redirect("accounts:user_detail", account_id=account.pk)


@login_required
@require_POST
def membership_revoke(request: AuthenticatedHttpRequest, account_id: int, membership_id: int) -> HttpResponse:
    membership = get_membership_for_manager(request.user, account_id, membership_id)
    described = f"{membership.organisation.name}的{membership.get_role_display()}"
    try:
        membership_services.membership_revoke(actor=request.user, membership=membership)
    except ValidationError as error:
        flash_errors(request, error)
    else:
        messages.success(request, f"已撤销 {membership.user.username} 在{described}角色。")
    return redirect("accounts:user_detail", account_id=account_id)


@login_required
@require_POST
def membership_move(request: AuthenticatedHttpRequest, account_id: int, membership_id: int) -> HttpResponse:
    """调动: the role moves to another organisation of the administrator's regions, as one audited act."""
    membership = get_membership_for_manager(request.user, account_id, membership_id)
    form = MembershipMoveForm(request.POST, organisations=managed_organisations(request.user))
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect("accounts:user_detail", account_id=account_id)
    source = membership.organisation.name
    try:
        moved = membership_services.membership_move(
            actor=request.user, membership=membership, organisation=form.cleaned_data["organisation"]
        )
    except ValidationError as error:
        flash_errors(request, error)
    else:
        messages.success(
            request, f"已将 {moved.user.username} 的{moved.get_role_display()}角色由{source}调至{moved.organisation.name}。"
        )
    return redirect("accounts:user_detail", account_id=account_id)


@login_required
@require_POST
def user_active(request: AuthenticatedHttpRequest, account_id: int) -> HttpResponse:
    account = get_account_for_manager(request.user, account_id)
    form = ActiveForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect("accounts:user_detail", account_id=account.pk)
    active = bool(form.cleaned_data["active"])
    try:
        ended = services.user_set_active(actor=request.user, user=account, active=active)
    except ValidationError as error:
        flash_errors(request, error)
    else:
        if active:
            messages.success(request, f"账号 {account.username} 已启用。")
        else:
            messages.success(request, f"账号 {account.username} 已停用" + (f"，其 {ended} 个登录会话已退出。" if ended else "。"))
    return redirect("accounts:user_detail", account_id=account.pk)


@never_cache
@login_required
@require_POST
def user_password(request: AuthenticatedHttpRequest, account_id: int) -> HttpResponse:
    """重置密码: a new random initial password for another user, shown once; all their sessions end."""
    account = get_account_for_manager(request.user, account_id)
    try:
        password = services.user_password_issue(actor=request.user, user=account)
    except ValidationError as error:
        flash_errors(request, error)
        return redirect("accounts:user_detail", account_id=account.pk)
    return _password_page(request, account, password, created=False)


# ------------------------------------------------------------------------------ 安全管理员: confirming admin-role grants


@login_required
@require_GET
def grant_proposals(request: AuthenticatedHttpRequest) -> HttpResponse:
    """管理员角色授予确认: pending proposals (确认 / 驳回 with a reason) and the recent decisions."""
    access.require(request.user, "accounts:confirm_admin_grant")
    return render(
        request,
        "accounts/manage_grants.html",
        {
            "pending": selectors.grant_proposals(pending=True, within=grant_proposals_in_scope(request.user)),
            "decided": selectors.grant_proposals(pending=False, within=grant_proposals_in_scope(request.user))[:50],
            "me": request.user.pk,
        },
    )


@login_required
@require_POST
def grant_decide(request: AuthenticatedHttpRequest, proposal_id: int) -> HttpResponse:
    proposal = get_grant_proposal_for_decider(request.user, proposal_id)
    form = GrantDecisionForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect("accounts:grant_proposals")
    what = f"{proposal.user.username} 在{proposal.organisation.name}担任{proposal.get_role_display()}"
    try:
        if form.cleaned_data["decision"] == "confirm":
            membership_services.role_grant_confirm(actor=request.user, proposal=proposal)
            messages.success(request, f"已确认授予：{what}，即时生效。")
        else:
            membership_services.role_grant_reject(actor=request.user, proposal=proposal, reason=form.cleaned_data["reason"])
            messages.success(request, f"已驳回申请：{what}。")
    except ValidationError as error:
        flash_errors(request, error)
    return redirect("accounts:grant_proposals")
