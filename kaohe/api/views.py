"""The office's 数据交换 page: API tokens, this installation's public key, trusted keys, signed export and import."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from kaohe.access.exchange import (
    get_export_plan_for_user,
    get_import_for_office,
    get_token_for_office,
    office_of,
)
from kaohe.accounts.http import AuthenticatedHttpRequest
from kaohe.api import selectors, services, signing
from kaohe.api.forms import ImportForm, TokenForm, TrustedKeyForm
from kaohe.api.models import ImportStatus
from kaohe.core.downloads import as_download
from kaohe.core.flash import flash_form_errors
from kaohe.core.uploads import limit_uploads, upload_refusal


def _flash(request: AuthenticatedHttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _page(request: AuthenticatedHttpRequest, *, new_secret: str = "", token_form: TokenForm | None = None) -> HttpResponse:
    office = office_of(request.user)
    return render(
        request,
        "api/exchange.html",
        {
            "office": office,
            "tokens": selectors.tokens_of(office),
            "public_key": signing.own_public_key(),
            "plans": selectors.office_plans_with_results(office),
            "keys": selectors.trusted_keys_of(office),
            "imports": selectors.imports_of(office),
            "token_form": token_form or TokenForm(),
            "key_form": TrustedKeyForm(),
            "import_form": ImportForm(),
            "new_secret": new_secret,
        },
    )


@login_required
@require_GET
def exchange(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The office's exchange page."""
    return _page(request)


@login_required
@require_GET
def public_key(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    """This installation's public key as a .pem file, for the higher installation to register."""
    office_of(request.user)
    response = HttpResponse(signing.own_public_key().pem, content_type="application/x-pem-file")
    return as_download(response, "考核平台签名公钥.pem")


@login_required
@require_POST
def token_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Make a token; the page shows its secret this once (it is not stored)."""
    office = office_of(request.user)
    form = TokenForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect("api:exchange")
    try:
        made = services.token_create(
            actor=request.user,
            organisation=office,
            name=form.cleaned_data["name"],
            scopes=form.cleaned_data["scopes"],
            expires_on=form.cleaned_data["expires_on"],
        )
    except ValidationError as exc:
        _flash(request, exc)
        return redirect("api:exchange")
    messages.success(request, f"已创建接口令牌“{made.token.name}”")
    response = _page(request, new_secret=made.secret)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def token_revoke(request: AuthenticatedHttpRequest, token_id: int) -> HttpResponse:
    token = get_token_for_office(request.user, token_id)
    try:
        services.token_revoke(actor=request.user, token=token)
    except ValidationError as exc:
        _flash(request, exc)
    else:
        messages.success(request, f"已吊销接口令牌“{token.name}”，使用它的请求立即被拒绝")
    return redirect("api:exchange")


@login_required
@require_POST
def key_add(request: AuthenticatedHttpRequest) -> HttpResponse:
    office = office_of(request.user)
    form = TrustedKeyForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
    else:
        try:
            key = services.trusted_key_add(
                actor=request.user,
                organisation=office,
                name=form.cleaned_data["name"],
                public_key=form.cleaned_data["public_key"],
            )
        except ValidationError as exc:
            _flash(request, exc)
        else:
            messages.success(request, f"已登记“{key.name}”的公钥（指纹 {key.fingerprint[:16]}…）")
    return redirect("api:exchange")


@login_required
@require_GET
def export(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponseBase:
    """The signed file of the plan's published results (考核办 of the plan)."""
    plan = get_export_plan_for_user(request.user, plan_id)
    try:
        signed = services.results_export(actor=request.user, plan=plan)
    except ValidationError as exc:
        _flash(request, exc)
        return redirect("api:exchange")
    return as_download(HttpResponse(signed.content, content_type="application/zip"), signed.filename)


@limit_uploads
@login_required
@require_POST
def import_upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    office = office_of(request.user)
    form = ImportForm(request.POST, request.FILES)  # parsing the body is what runs the upload limits
    if refusal := upload_refusal(request):
        messages.error(request, f"{refusal}。未导入。")
    elif not form.is_valid():
        flash_form_errors(request, form)
    else:
        try:
            outcome = services.result_import(actor=request.user, organisation=office, data=form.cleaned_data["file"].read())
        except ValidationError as exc:
            _flash(request, exc)
        else:
            found = outcome.result_import
            if not outcome.created:
                messages.info(request, f"该文件已于 {found.imported_at:%Y-%m-%d %H:%M} 导入（第{found.version}版），未作改动")
            elif found.status == ImportStatus.PENDING:
                messages.warning(
                    request, f"“{found.plan_title}”已有导入的结果：本文件作为第{found.version}版保存，待确认后取代现行版本"
                )
            else:
                messages.success(request, f"已导入“{found.organiser_name} {found.plan_title}”的考核结果")
            return redirect("api:import_detail", result_import_id=found.pk)
    return redirect("api:exchange")


@login_required
@require_GET
def import_detail(request: AuthenticatedHttpRequest, result_import_id: int) -> HttpResponse:
    found = get_import_for_office(request.user, result_import_id)
    return render(
        request,
        "api/import_detail.html",
        {"found": found, "rows": selectors.results_of_import(found)},
    )


@login_required
@require_POST
def import_confirm(request: AuthenticatedHttpRequest, result_import_id: int) -> HttpResponse:
    found = get_import_for_office(request.user, result_import_id)
    try:
        services.result_import_confirm(actor=request.user, result_import=found)
    except ValidationError as exc:
        _flash(request, exc)
    else:
        messages.success(request, f"第{found.version}版已确认为现行版本，原版本保留备查")
    return redirect("api:import_detail", result_import_id=found.pk)
