"""Login (with the optional second step), password change, own sessions, the second factor, and the
security administrator's page (lockouts and the policy in force)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render, resolve_url
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kaohe import access
from kaohe.access import accounts as access_accounts
from kaohe.accounts import policy, selectors, services, totp, twostep
from kaohe.accounts.forms import (
    EmailNotificationsForm,
    LoginForm,
    PolicyPasswordChangeForm,
    TotpCodeForm,
    TotpDisableForm,
    TotpResetForm,
    UnlockForm,
)
from kaohe.accounts.http import AuthenticatedHttpRequest
from kaohe.accounts.models import User
from kaohe.core.redirects import safe_path


def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    """Where to go after logging in or changing the password: a path on this site, else the home page."""
    return safe_path(candidate, default=resolve_url(settings.LOGIN_REDIRECT_URL))


def _policy_context() -> dict[str, Any]:
    cooloff = policy.lockout_cooloff()
    return {
        "lockout_limit": policy.lockout_limit(),
        "lockout_minutes": int(cooloff.total_seconds() // 60) if cooloff is not None else None,
    }


# ------------------------------------------------------------------------------ login, two steps


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        """A right password logs in, unless the user has a second factor: then the code page comes first."""
        user = form.get_user()
        if selectors.totp_enabled(user):
            twostep.start(self.request, user, next_url=self.get_success_url())
            return redirect("accounts:login_totp")
        twostep.clear(self.request)
        return super().form_valid(form)

    def get_redirect_url(self) -> str:
        """``next`` only when it is a path on this site (Django's check would also take this host's full URLs)."""
        candidate = self.request.POST.get(self.redirect_field_name) or self.request.GET.get(self.redirect_field_name)
        return safe_path(candidate, default="")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), **_policy_context()}


@require_http_methods(["GET", "POST"])
def login_totp(request: HttpRequest) -> HttpResponseBase:
    """Step 2: the code from the authenticator app. Too many wrong codes send the user back to step 1."""
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    pending = twostep.get(request)
    user = selectors.active_user(pending.user_id) if pending else None
    if pending is None or user is None:
        twostep.clear(request)
        messages.info(request, "请输入账号和密码登录。")
        return redirect("accounts:login")
    form = TotpCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if services.totp_check(user=user, code=form.cleaned_data["code"]):
            twostep.clear(request)
            auth_login(request, user, backend=pending.backend)
            return redirect(_safe_next(request, pending.next_url))
        attempts = twostep.count_failure(request, pending)
        # A wrong code is a failed login: audited, and counted by django-axes toward the lockout.
        user_login_failed.send(
            sender=__name__, credentials={"username": user.get_username(), "second_factor": True}, request=request
        )
        if getattr(request, "axes_locked_out", False) or attempts >= policy.totp_max_attempts():
            twostep.clear(request)
            messages.error(request, f"验证码连续错误 {attempts} 次，请重新输入账号和密码。")
            return redirect("accounts:login")
        form.add_error("code", f"验证码不正确或已过期（还可尝试 {policy.totp_max_attempts() - attempts} 次）。")
    return render(request, "accounts/login_totp.html", {"form": form, "username": user.get_username()})


class LogoutView(auth_views.LogoutView):
    pass


# ------------------------------------------------------------------------------ password


def _keep_session_row(request: HttpRequest, user: User) -> None:
    """``update_session_auth_hash`` gives the session a new key; carry its tracking row over to it."""
    old = selectors.session_row(request.session.session_key or "")
    update_session_auth_hash(request, user)
    if old is not None and request.session.session_key:
        services.user_session_open(
            user=user, session_key=request.session.session_key, ip=old.ip, user_agent=old.user_agent, created_at=old.created_at
        )


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    reason = policy.password_change_reason(user)
    form = PolicyPasswordChangeForm(user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        ended = services.password_change(
            actor=user, user=user, new_password=form.cleaned_data["new_password1"], keep_session_key=request.session.session_key
        )
        _keep_session_row(request, user)
        messages.success(request, "密码已修改。" + (f"您在其他地方的 {ended} 个登录会话已退出。" if ended else ""))
        return redirect(_safe_next(request, request.POST.get("next") or request.GET.get("next")))
    return render(
        request,
        "accounts/password_change.html",
        {
            "form": form,
            "reason": reason,
            "reason_message": policy.change_reason_message(reason),
            "rules": policy.password_rules(),
            "expires_at": policy.password_expires_at(user),
            "next": request.GET.get("next", ""),
        },
    )


# ------------------------------------------------------------------------------ own sessions


@login_required
@require_GET
def sessions(request: AuthenticatedHttpRequest) -> HttpResponse:
    """我的登录会话: the user's own live sessions, the current one marked."""
    user = request.user
    services.user_sessions_prune(user=user)
    current = request.session.session_key
    rows = [
        {"row": row, "last_activity": selectors.last_activity(row), "current": row.session_id == current}
        for row in selectors.sessions_of(user)
    ]
    return render(
        request,
        "accounts/sessions.html",
        {"rows": rows, "others": sum(1 for r in rows if not r["current"]), "idle_minutes": policy.idle_minutes()},
    )


@login_required
@require_POST
def session_end(request: AuthenticatedHttpRequest, session_id: int) -> HttpResponse:
    user = request.user
    row = selectors.get_own_session(user, session_id)
    if row.session_id == request.session.session_key:
        auth_logout(request)  # this very session: an ordinary logout (audited by the logout signal)
        return redirect(settings.LOGOUT_REDIRECT_URL)
    services.user_session_end(actor=user, user_session=row)
    messages.success(request, "该会话已退出。")
    return redirect("accounts:sessions")


@login_required
@require_POST
def sessions_end_others(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    ended = services.user_sessions_end_others(actor=user, user=user, keep_session_key=request.session.session_key)
    messages.success(request, f"已退出其他 {ended} 个会话。" if ended else "没有其他会话。")
    return redirect("accounts:sessions")


# ------------------------------------------------------------------------------ second factor


def _totp_page(
    request: AuthenticatedHttpRequest, *, code_form: TotpCodeForm | None = None, disable_form: TotpDisableForm | None = None
) -> HttpResponse:
    user = request.user
    device = selectors.totp_device(user)
    context: dict[str, Any] = {
        "device": device,
        "required": services.access_requires_totp(user),
        "code_form": code_form or TotpCodeForm(),
        "disable_form": disable_form or TotpDisableForm(),
    }
    if device is not None and not device.is_confirmed:
        try:
            secret = totp.decrypt(device.encrypted_secret, user_id=user.pk)
        except totp.SecretUnreadable:
            secret = ""
        if secret:
            uri = totp.provisioning_uri(secret, account=user.get_username(), issuer=policy.totp_issuer())
            context.update({"secret": totp.grouped(secret), "qr": totp.qr_data_uri(uri), "issuer": policy.totp_issuer()})
    return render(request, "accounts/totp.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def email_notifications(request: AuthenticatedHttpRequest) -> HttpResponse:
    """邮件通知: the user opts in to (or out of) e-mail copies of their in-app notifications."""
    user = request.user
    if request.method == "POST":
        form = EmailNotificationsForm(request.POST)
        if form.is_valid():
            enabled = form.cleaned_data["email_notifications"]
            if services.user_email_notifications_set(actor=user, email=form.cleaned_data["email"], enabled=enabled):
                messages.success(request, "已开启邮件通知。" if enabled else "邮件通知设置已保存。")
            return redirect("accounts:email_notifications")
        status = 400
    else:
        form = EmailNotificationsForm(initial={"email": user.email, "email_notifications": user.email_notifications})
        status = 200
    return render(request, "accounts/email_notifications.html", {"form": form}, status=status)


@login_required
@require_GET
def totp_status(request: AuthenticatedHttpRequest) -> HttpResponse:
    """双因素认证: enable (secret + QR, then a code), or disable (password + code)."""
    return _totp_page(request)


@login_required
@require_POST
def totp_start(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    try:
        services.totp_device_start(actor=user, user=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("accounts:totp")


@login_required
@require_POST
def totp_confirm(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    device = selectors.totp_device(user)
    if device is None or device.is_confirmed:
        messages.info(request, "没有待确认的设置。")
        return redirect("accounts:totp")
    form = TotpCodeForm(request.POST)
    if form.is_valid():
        try:
            services.totp_device_confirm(actor=user, user=user, code=form.cleaned_data["code"])
        except ValidationError as error:
            form.add_error("code", error)
        else:
            messages.success(request, "双因素认证已启用。以后登录时，输入密码后还需输入手机上的验证码。")
            return redirect("accounts:totp")
    return _totp_page(request, code_form=form)


@login_required
@require_POST
def totp_disable(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    if not selectors.totp_enabled(user):
        messages.info(request, "双因素认证尚未启用。")
        return redirect("accounts:totp")
    form = TotpDisableForm(request.POST)
    if form.is_valid():
        try:
            services.totp_device_disable(
                actor=user, user=user, password=form.cleaned_data["password"], code=form.cleaned_data["code"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "双因素认证已停用。")
            return redirect("accounts:totp")
    return _totp_page(request, disable_form=form)


# ------------------------------------------------------------------------------ security administrator (安全管理员)


@login_required
@require_GET
def security_lockouts(request: AuthenticatedHttpRequest) -> HttpResponse:
    """账号安全: the policy in force, current lockouts with 解锁, and resetting a lost second factor."""
    access.require(request.user, "security:policy")
    usernames = access_accounts.security_usernames(request.user)
    return render(
        request,
        "accounts/security.html",
        {
            "policy_rows": policy.effective_policy(),
            "lockouts": selectors.lockouts(usernames),
            "totp_enabled_count": selectors.totp_enabled_count(
                None if usernames is None else access_accounts.accounts_in_scope(request.user, "security:policy")
            ),
            "reset_form": TotpResetForm(),
        },
    )


@login_required
@require_POST
def security_unlock(request: AuthenticatedHttpRequest) -> HttpResponse:
    access.require(request.user, "security:policy")
    form = UnlockForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择要解锁的账号。")
        return redirect("accounts:security_lockouts")
    username = form.cleaned_data["username"]
    ip = form.cleaned_data["ip_address"] or None
    usernames = access_accounts.security_usernames(request.user)
    if usernames is not None and username.lower() not in usernames:
        # Another region's account (or no account): not this administrator's to release.
        messages.error(request, f"账号 {username} 不在您管理的区划内。")
        return redirect("accounts:security_lockouts")
    removed = services.lockout_release(actor=request.user, username=username, ip_address=ip)
    where = f"（IP {ip}）" if ip else "（所有IP地址）"
    messages.success(request, f"已解锁账号 {username}{where}。" if removed else f"账号 {username}{where}没有失败记录，无需解锁。")
    return redirect("accounts:security_lockouts")


@login_required
@require_POST
def security_totp_reset(request: AuthenticatedHttpRequest) -> HttpResponse:
    access.require(request.user, "security:policy")
    form = TotpResetForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写账号，并确认已核实该用户的身份。")
        return redirect("accounts:security_lockouts")
    target = access_accounts.get_account_for_security(request.user, form.cleaned_data["username"])
    if target is None:
        messages.error(request, "没有这个账号。")
        return redirect("accounts:security_lockouts")
    removed = services.totp_device_reset(actor=request.user, user=target)
    messages.success(
        request,
        f"已重置 {target.username} 的双因素认证。" if removed else f"{target.username} 未设置双因素认证（已记录本次操作）。",
    )
    return redirect("accounts:security_lockouts")
