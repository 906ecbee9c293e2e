"""The read API (django-ninja, OpenAPI 3), mounted at ``/api/v1/``; its schema at ``/api/v1/openapi.json``.

Every call carries ``Authorization: Bearer kh_…`` (an organisation's token, made on the office's 数据交换 page).
Unknown, revoked or expired token → 401; a token without the endpoint's scope → 403; a plan the token's
organisation may not read (another organisation's, or a draft) → 404, as if it did not exist. Results are read
only from the publication in force. No docs page is served (Swagger UI would load from a CDN): the schema is.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError
from ninja.params.functions import Path
from ninja.security import HttpBearer

from kaohe.access.exchange import get_plan_for_token, plans_for_token, require_scope
from kaohe.api import selectors, services
from kaohe.api.models import ApiToken, Scope
from kaohe.plans.constants import Level, Method
from kaohe.plans.models import Plan

PLAN_ID: Any = Path(..., ge=1, le=2_147_483_647, description="考核方案编号")


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        return services.token_authenticate(secret=token, method=request.method or "", path=request.path)


api = NinjaAPI(
    title="依法行政考核督导平台 数据交换接口",
    version="1",
    description="只读接口：考核方案、指标体系、已公布的考核结果和汇总。凭本单位考核办创建的接口令牌访问（Authorization: Bearer …）。",
    docs_url=None,
    urls_namespace="api_v1",
    auth=TokenAuth(),
)


class Error(Schema):
    detail: str


ERRORS: dict[int, Any] = {401: Error, 403: Error, 404: Error}


@api.exception_handler(AuthenticationError)
def _unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = api.create_response(request, {"detail": "接口令牌无效、已吊销或已过期"}, status=401)
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "无权访问"}, status=403)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "不存在"}, status=404)


class PlanOut(Schema):
    id: int
    year: int
    title: str
    doc_number: str
    organiser: str
    region_path: str
    status: str
    results_published: bool


class IndicatorOut(Schema):
    id: int
    category_id: int
    parent_id: int | None
    level: int
    level_label: str
    code: str
    name: str
    points: str | None
    method: str
    assessor: str


class CategoryOut(Schema):
    id: int
    name: str
    full_score: str


class TreeOut(Schema):
    plan: PlanOut
    categories: list[CategoryOut]
    indicators: list[IndicatorOut]


class UnitResultOut(Schema):
    name: str
    region_path: str
    final: str | None
    rank: int | None
    grade: str | None


class CategoryResultsOut(Schema):
    name: str
    full_score: str
    units: list[UnitResultOut]


class ResultsOut(Schema):
    plan: PlanOut
    published_at: dt.datetime
    snapshot_seq: int
    inputs_digest: str
    categories: list[CategoryResultsOut]


class GradeCount(Schema):
    grade: str
    count: int


class RollupOut(Schema):
    plan: PlanOut
    published_at: dt.datetime
    unit_count: int
    scored_count: int
    average: str | None
    grades: list[GradeCount]


def _token(request: HttpRequest, scope: Scope) -> ApiToken:
    token: ApiToken = request.auth  # type: ignore[attr-defined]
    require_scope(token, scope.value)
    return token


def _plans_out(plans: list[Plan]) -> list[PlanOut]:
    paths = selectors.region_paths({p.organiser.region_id for p in plans})
    published = selectors.publications_in_force(plans)
    return [
        PlanOut(
            id=p.pk,
            year=p.year,
            title=p.title,
            doc_number=p.doc_number,
            organiser=p.organiser.name,
            region_path=paths.get(p.organiser.region_id, ""),
            status=p.get_status_display(),
            results_published=p.pk in published,
        )
        for p in plans
    ]


def _money(value: Any) -> str | None:
    return None if value is None else f"{value:.2f}"


@api.get("/plans", response={200: list[PlanOut], **ERRORS}, summary="可读取的考核方案")
def plans(request: HttpRequest) -> list[PlanOut]:
    """本单位组织的考核方案，以及下级区划考核办组织的考核方案（不含草稿）。"""
    token = _token(request, Scope.PLANS_READ)
    return _plans_out(list(plans_for_token(token)))


@api.get("/plans/{plan_id}", response={200: PlanOut, **ERRORS}, summary="一个考核方案")
def plan(request: HttpRequest, plan_id: int = PLAN_ID) -> PlanOut:
    token = _token(request, Scope.PLANS_READ)
    return _plans_out([get_plan_for_token(token, plan_id)])[0]


@api.get("/plans/{plan_id}/indicators", response={200: TreeOut, **ERRORS}, summary="考核方案的指标体系")
def indicators(request: HttpRequest, plan_id: int = PLAN_ID) -> TreeOut:
    """各类别的一级指标、二级指标和工作任务（parent_id 指向上级节点）。"""
    token = _token(request, Scope.PLANS_READ)
    found = get_plan_for_token(token, plan_id)
    return TreeOut(
        plan=_plans_out([found])[0],
        categories=[
            CategoryOut(id=c.pk, name=c.name, full_score=_money(c.full_score) or "") for c in selectors.plan_categories(found)
        ],
        indicators=[
            IndicatorOut(
                id=i.pk,
                category_id=i.category_id,
                parent_id=i.parent_id,
                level=i.level,
                level_label=Level(i.level).label,
                code=i.code,
                name=i.name,
                points=_money(i.points),
                method=Method(i.method).label if i.method else "",
                assessor=i.assessor.organisation.name if i.assessor else "",
            )
            for i in selectors.plan_indicators(found)
        ],
    )


@api.get("/plans/{plan_id}/results", response={200: ResultsOut, **ERRORS}, summary="已公布的考核结果")
def results(request: HttpRequest, plan_id: int = PLAN_ID) -> ResultsOut:
    """公布的考核结果（得分、名次、等次）。结果未公布（或已撤回公布）时为 404：不提供未公布的分数。"""
    token = _token(request, Scope.RESULTS_READ)
    found = get_plan_for_token(token, plan_id)
    published = selectors.published_results(found)
    if published is None:
        raise Http404("考核结果尚未公布")
    return ResultsOut(
        plan=_plans_out([found])[0],
        published_at=published.publication.published_at,
        snapshot_seq=published.snapshot_seq,
        inputs_digest=published.inputs_digest,
        categories=[
            CategoryResultsOut(
                name=c.name,
                full_score=c.full_score,
                units=[
                    UnitResultOut(name=u.name, region_path=u.region_path, final=u.final, rank=u.rank, grade=u.grade)
                    for u in c.units
                ],
            )
            for c in published.categories
        ],
    )


@api.get("/rollup", response={200: list[RollupOut], **ERRORS}, summary="已公布结果的汇总")
def rollup(request: HttpRequest) -> list[RollupOut]:
    """每个可读取且已公布结果的考核方案：考核对象数、已计分数、平均分、各等次人数。"""
    token = _token(request, Scope.RESULTS_READ)
    lines = selectors.rollup(plans_for_token(token))
    plans_out = {p.id: p for p in _plans_out([line.plan for line in lines])}
    return [
        RollupOut(
            plan=plans_out[line.plan.pk],
            published_at=line.published_at,
            unit_count=line.unit_count,
            scored_count=line.scored_count,
            average=line.average,
            grades=[GradeCount(grade=g, count=n) for g, n in line.grades],
        )
        for line in lines
    ]
