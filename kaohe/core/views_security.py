"""The audit administrator's pages (三员分立): browse, filter, export and verify the hash-chained audit log.

Only ``audit:read`` (the 审计管理员) reaches them; the system and security administrators get 403 like
everyone else. A region's audit administrator reads only their region's events (``capabilities.audit_events_for``,
answered by ``kaohe.access.audit``); the installation's own reads all. Looking at the log, exporting it and verifying it are themselves audit events
(``audit.view``, ``audit.export``, ``audit.verify``), so the audit administrator is audited too.
"""

from __future__ import annotations

import csv
import functools
import json
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from kaohe.core import audit, capabilities, selectors
from kaohe.core.audit_exports import export_response
from kaohe.core.forms import BoundedDateField, StyledFormMixin
from kaohe.core.models import AuditEvent
from kaohe.core.selectors import audit_events

if TYPE_CHECKING:
    from kaohe.accounts.http import AuthenticatedHttpRequest

PAGE_SIZE = 50
CHECKPOINTS_SHOWN = 5
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_MAX_ROWS = 1_048_575  # Excel's sheet limit, less the header row

# The Chinese name of every action the platform records; anything else is shown as recorded.
ACTION_LABELS: dict[str, str] = {
    "evaluation.review_adjust": "复核调整评价",
    "evaluation.derive": "由实地考核、能力测试或案卷评查结果计分",
    "feedback.acknowledge": "确认收到问题反馈",
    "feedback.letter": "下载反馈意见书",
    "feedback.problem_add": "记录发现的问题",
    "feedback.release": "发布问题反馈",
    "results.bulletin": "下载通报",
    "review.attachment_download": "下载复核申请附件",
    "review.decide": "答复复核申请",
    "review.file": "提出复核申请",
    "auth.login": "登录",
    "auth.login_failed": "登录失败",
    "auth.logout": "退出",
    "auth.locked_out": "登录被锁定",
    "auth.password_change": "修改密码",
    "auth.password_reset": "重置密码",
    "auth.session_end": "结束登录会话",
    "auth.sessions_end_others": "结束其他登录会话",
    "auth.totp_setup": "设置两步验证",
    "auth.totp_enable": "启用两步验证",
    "auth.totp_confirm_failed": "两步验证确认失败",
    "auth.totp_disable": "停用两步验证",
    "auth.totp_disable_failed": "停用两步验证失败",
    "auth.totp_failed": "两步验证码错误",
    "auth.totp_reset": "重置两步验证",
    "account.create": "新建账号",
    "account.change": "修改账号",
    "account.delete": "删除账号",
    "account.activate": "启用账号",
    "account.deactivate": "停用账号",
    "security.unlock": "解除登录锁定",
    "installation.setup": "安装初始化：建立考核办和第一位系统管理员",
    "membership.grant": "授予角色",
    "membership.change": "变更角色",
    "membership.revoke": "撤销角色",
    "membership.propose": "提出管理员角色授予申请",
    "membership.proposal_confirm": "确认管理员角色授予",
    "membership.proposal_reject": "驳回管理员角色授予",
    "organisation.create": "新增单位",
    "organisation.change": "修改单位",
    "organisation.delete": "删除单位",
    "region.create": "新增行政区划",
    "region.change": "修改行政区划",
    "region.delete": "删除行政区划",
    "plan.create": "新建考核方案",
    "plan.publish": "发布考核方案",
    "plan.import_upload": "上传导入文件",
    "plan.import_apply": "确认导入",
    "plan.import_discard": "放弃导入",
    "organisation.sort_key": "修改排序码",
    "unit.leader": "修改主要负责人",
    "evidence.upload": "上传报送资料",
    "evidence.withdraw": "撤回报送资料",
    "evidence.details": "保存说明和链接",
    "evidence.return": "退回补充",
    "evidence.resubmit": "提交补充材料",
    "evidence.extend": "延期",
    "evidence.remind": "催报",
    "evidence.download": "下载报送资料",
    "evidence.rate_limited": "上传过于频繁被拒绝",
    "evidence.preview": "预览报送资料",
    "evidence.archive": "打包下载报送资料",
    "evaluation.record": "评价",
    "applicability.set": "认定不涉及",
    "applicability.clear": "撤销不涉及",
    "bonus.apply": "申请加分",
    "bonus.withdraw": "撤回加分申请",
    "bonus.decide": "审核加分申请",
    "bonus.evidence_download": "下载加分佐证材料",
    "deduction.record": "记录减分",
    "deduction.withdraw": "撤销减分",
    "deduction.link": "关联同一事项减分",
    "veto.set": "记录否决情形",
    "veto.clear": "撤销否决情形",
    "results.compute": "计算考核结果",
    "results.export": "导出考核结果",
    "calendar.year_create": "新增节假日年度",
    "calendar.year_copy_builtin": "采用内置节假日安排",
    "calendar.import": "导入节假日安排",
    "calendar.date_add": "新增节假日日期",
    "calendar.date_delete": "删除节假日日期",
    "demo.load": "载入演示数据",
    "demo.extend_all": "演示环境统一延期",
    "audit.view": "查阅审计日志",
    "audit.export": "导出审计日志",
    "audit.verify": "校验审计链",
    "audit.checkpoint": "生成审计链检查点",
    "backup.create": "备份数据",
    "backup.restore": "恢复数据",
}

# Groups of actions by their prefix, offered as "all of …" in the filter.
ACTION_GROUPS: dict[str, str] = {
    "auth": "登录与退出",
    "account": "账号",
    "security": "安全管理",
    "membership": "成员角色",
    "plan": "考核方案",
    "organisation": "单位",
    "evidence": "报送资料",
    "evaluation": "评价",
    "applicability": "不涉及",
    "bonus": "加分",
    "deduction": "减分",
    "veto": "否决情形",
    "results": "考核结果",
    "feedback": "问题反馈",
    "review": "复核",
    "rectification": "整改",
    "fieldwork": "实地考核",
    "abilitytest": "依法行政能力测试",
    "casefile": "案卷集中评查",
    "calendar": "节假日",
    "demo": "演示数据",
    "audit": "审计",
    "analysis": "考核分析",
    "backup": "备份与恢复",
}

_ACTION_PATTERN = re.compile(r"[a-z0-9_]+(\.[a-z0-9_]+)*(\.\*)?")


@functools.cache
def action_labels() -> dict[str, str]:
    """ACTION_LABELS plus the ``audit_labels`` each app declares on its AppConfig (newer apps keep theirs there)."""
    labels = dict(ACTION_LABELS)
    for config in apps.get_app_configs():
        labels.update(getattr(config, "audit_labels", {}))
    return labels


def action_label(action: str) -> str:
    """登录 for ``auth.login``; an action the table does not know is shown as recorded."""
    return action_labels().get(action, action)


def _object_types() -> list[tuple[str, str]]:
    """Every model of the platform's apps as (``app.Model`` label, Chinese name): no query."""
    types: list[tuple[str, str]] = []
    for config in apps.get_app_configs():
        if not config.name.startswith("kaohe."):
            continue
        for model in config.get_models():
            types.append((model._meta.label, str(model._meta.verbose_name)))
    return sorted(types, key=lambda t: (t[1], t[0]))


def object_type_label(label: str) -> str:
    if not label:
        return ""
    try:
        return str(apps.get_model(label)._meta.verbose_name)
    except (LookupError, ValueError):
        return label


def _action_choices() -> list[tuple[str, Any]]:
    choices: list[tuple[str, Any]] = [("", "全部操作")]
    for prefix, group in ACTION_GROUPS.items():
        options = [(f"{prefix}.*", f"全部{group}操作")]
        options += [(action, label) for action, label in action_labels().items() if action.startswith(f"{prefix}.")]
        choices.append((group, options))
    return choices


class AuditFilterForm(StyledFormMixin, forms.Form):
    """GET filters of the audit log. Dates are whole days in Beijing time, both ends included."""

    start = BoundedDateField(label="起始日期", required=False, window=None)
    end = BoundedDateField(label="截止日期", required=False, window=None)
    action = forms.CharField(label="操作", required=False, max_length=64, widget=forms.Select())
    actor = forms.CharField(label="操作人账号", required=False, max_length=150)
    organisation = forms.CharField(label="单位（名称包含）", required=False, max_length=200)
    plan = forms.IntegerField(label="考核方案ID", required=False, min_value=1)
    object_type = forms.ChoiceField(label="对象类型", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        action_choices = _action_choices()
        asked = (self.data.get("action") or "").strip() if self.is_bound else ""
        known = {value for _, group in action_choices[1:] for value, _ in group}
        if asked and asked not in known:  # an action the table does not know yet stays selectable
            action_choices.append(("其他", [(asked, asked)]))
        cast(forms.Select, self.fields["action"].widget).choices = action_choices
        object_field = cast(forms.ChoiceField, self.fields["object_type"])
        object_field.choices = [("", "全部对象类型"), *_object_types()]

    def clean_action(self) -> str:
        value = str(self.cleaned_data.get("action") or "").strip()
        if value and not _ACTION_PATTERN.fullmatch(value):
            raise forms.ValidationError("操作代码格式不正确")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise forms.ValidationError("起始日期晚于截止日期")
        return data

    def summary(self) -> dict[str, Any]:
        """The filters in force, as recorded in the audit.view / audit.export event."""
        if not self.is_bound or not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


def compact_json(value: Any) -> str:
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)  # the same on SQLite and jsonb


# Keys of before/after that no model field names (or whose model is not the event's object type).
FIELD_LABELS = {
    "signature": "落款",
    "imprint": "印发机关",
    "imprint_date": "印发日期",
    "analysis": "分析",
    "problem_lines": "问题类型统计",
    "problem_kind": "问题类型",
    "reason": "理由",
    "name": "名称",
    "unit": "考核对象",
    "units": "考核对象",
    "kind": "类型",
    "files": "文件",
    "file": "文件",
    "plan": "考核方案",
    "plan_id": "考核方案ID",
    "score": "得分",
    "scores": "得分",
    "rows": "行数",
    "code": "编号",
    "username": "账号",
    "task": "工作任务",
    "tasks": "工作任务",
    "status": "状态",
    "organisation": "单位",
    "text": "内容",
    "version": "版本",
    "points": "分值",
    "note": "说明",
    "matter": "事项",
    "category": "类别",
    "categories": "类别",
    "due_date": "期限",
    "due": "期限",
    "date": "日期",
    "title": "标题",
    "parent": "上级指标",
    "level": "层级",
    "role": "角色",
    "roles": "角色",
    "group": "组",
    "decision": "决定",
    "grade": "等次",
    "year": "年度",
    "order": "顺序",
    "number": "编号",
    "missing_policy": "未评价处理",
    "user": "用户",
    "deductions": "减分",
    "bonuses": "加分",
    "deadline": "截止日期",
    "new_deadline": "新截止日期",
    "warnings": "警告",
    "accepted_warnings": "已接受的警告",
    "own_department": "评价本单位",
    "full_score": "满分",
    "size": "大小（字节）",
    "method": "考核方式",
    "flag": "标记",
    "display_name": "姓名",
    "description": "说明",
    "comment": "意见",
    "comments": "意见",
    "filters": "筛选条件",
    "page": "页码",
    "matched": "符合条数",
    "format": "格式",
    "ok": "结果",
    "seq": "序号",
    "digest": "摘要",
    "seed": "随机种子",
    "sha256": "SHA-256",
    "address": "地址",
    "phone": "电话",
    "contact": "联系人",
    "email": "电子邮箱",
    "is_active": "启用",
    "ip": "IP地址",
    "action": "操作",
    "start": "起始日期",
    "end": "截止日期",
    "actor": "操作人账号",
    "object_type": "对象类型",
    "problems": "问题",
    "items": "事项",
    "result": "结果",
    "report": "报告",
    "answer": "答复",
    "leader": "组长",
    "members": "成员",
    "reviewer": "评查员",
    "testee": "测试人员",
    "snapshot": "计算结果",
    "release": "发布",
    "publication": "公布",
    "approved_on": "审定日期",
    "consult_until": "征求意见截止",
    "decided_on": "决定日期",
    "visit_date": "考察日期",
    "doc_number": "文号",
    "sort_key": "排序码",
    "leader_name": "主要负责人",
    "leader_post": "主要负责人职务",
    "held_on": "约谈日期",
    "subject_name": "约谈对象",
    "subject_post": "约谈对象职务",
    "held_by": "约谈人",
    "minutes_name": "约谈记录",
    "minutes_sha256": "约谈记录 SHA-256",
    "focus": "重点单位",
    "links": "链接",
    "evidence": "报送材料",
    "weights": "权重",
    "vetoes": "否决情形",
    "bands": "等次档",
    "bonus_cap": "加分上限",
    "total": "合计",
    "type": "类型",
    "value": "值",
    "key_id": "密钥标识",
    "filename": "文件名",
    "sessions_ended": "结束的会话数",
    "must_change_password": "须修改密码",
    "min": "最少",
    "max": "最多",
    "single": "单选题",
    "multiple": "多选题",
    "judge": "判断题",
    "short": "简答题",
    "difficulty": "难度",
    "addressees": "主送",
    "opening": "开头",
    "available": "可评定",
    "previous": "上一年度",
    "plan_status": "方案状态",
    "copies": "抄送",
    "requirements": "要求",
    "doc_date": "成文日期",
    "signer_name": "主要负责人姓名",
    "signer_post": "主要负责人职务",
    "leader_reviewed": "经主要负责人审阅",
    "late": "逾期报送",
    "superseded": "被替代的报告数",
}
# Keys named after a field of another model than the event's object: (model label, field name).
KEY_FIELDS = {"plan_status": ("plans.Plan", "status")}
VALUE_WORDS = {True: "是", False: "否"}
# Codes stored inside lists and mappings, where no model field gives their choices.
CODE_WORDS = {
    "leader": "领导小组负责同志",
    "member": "领导小组成员",
    "staff": "工作人员",
    "holiday": "放假",
    "workday": "调休上班",
}
EMPTY = "（空）"


@dataclass(frozen=True)
class FieldChange:
    """One field of an event's before → after, in words: its label and both values as text ("" = absent)."""

    label: str
    named: bool  # False: the key as recorded (no Chinese name known), shown as a code
    before: str
    after: str


def _model(label: str) -> Any:
    try:
        return apps.get_model(label) if label else None
    except (LookupError, ValueError):
        return None


def _field(model: Any, key: str) -> Any:
    if key in KEY_FIELDS:
        model, key = _model(KEY_FIELDS[key][0]), KEY_FIELDS[key][1]
    if model is None:
        return None
    try:
        return model._meta.get_field(key)
    except FieldDoesNotExist:
        return None


def _field_label(model: Any, key: str) -> tuple[str, bool]:
    field = _field(model, key)
    if (
        field is not None
        and isinstance(getattr(field, "verbose_name", None), str)
        and field.verbose_name != key.replace("_", " ")
    ):
        return str(field.verbose_name), True
    if key in FIELD_LABELS:
        return FIELD_LABELS[key], True
    return key, False


def value_text(value: Any, field: Any = None, model: Any = None) -> str:
    """A recorded value as words: 是/否, a choice's label, lists joined with 、, mappings as 名称：值."""
    if value is None or value == "" or value == [] or value == {}:
        return EMPTY
    if isinstance(value, bool):
        return VALUE_WORDS[value]
    if isinstance(value, list):
        return "、".join(value_text(v, field, model) for v in value)
    if isinstance(value, dict):  # nested keys are looked up on the event's model too
        return "；".join(
            f"{_field_label(model, str(k))[0]}：{value_text(v, _field(model, str(k)), model)}" for k, v in value.items()
        )
    choices = dict(getattr(field, "flatchoices", None) or [])
    if value in choices:
        return str(choices[value])
    return CODE_WORDS.get(value, str(value)) if isinstance(value, str) else str(value)


def field_changes(event: AuditEvent) -> list[FieldChange]:
    """The event's before → after field by field (unchanged fields left out); a value that is not a mapping is
    shown whole under 内容."""
    before, after = event.before, event.after
    model = _model(event.object_type)
    if not isinstance(before, dict) or not isinstance(after, dict):
        if before is None and after is None:
            return []
        if isinstance(before, dict) and after is None:
            after = {}
        elif isinstance(after, dict) and before is None:
            before = {}
        else:
            return [
                FieldChange(
                    "内容", True, "" if before is None else value_text(before), "" if after is None else value_text(after)
                )
            ]
    changes = []
    for key in [*before, *(k for k in after if k not in before)]:
        old, new = before.get(key), after.get(key)
        if key in before and key in after and old == new:
            continue
        label, named = _field_label(model, str(key))
        field = _field(model, str(key))
        changes.append(
            FieldChange(
                label,
                named,
                value_text(old, field, model) if key in before else "",
                value_text(new, field, model) if key in after else "",
            )
        )
    return changes


@dataclass(frozen=True)
class AuditRow:
    event: AuditEvent
    action_label: str
    action_known: bool
    object_type_label: str
    changes: list[FieldChange]

    @classmethod
    def of(cls, event: AuditEvent) -> AuditRow:
        label = action_label(event.action)
        return cls(
            event=event,
            action_label=label,
            action_known=label != event.action,
            object_type_label=object_type_label(event.object_type),
            changes=field_changes(event),
        )


def _require_auditor(request: AuthenticatedHttpRequest) -> None:
    capabilities.require(request.user, "audit:read")


def _filters(request: HttpRequest) -> tuple[AuditFilterForm, dict[str, Any] | None]:
    """The form, and its cleaned filters (None when the filters are invalid)."""
    form = AuditFilterForm(request.GET or None)
    if not form.is_bound:
        return form, {}
    return form, (form.cleaned_data if form.is_valid() else None)


def _query_without(request: HttpRequest, *names: str) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


@login_required
@require_GET
def audit_log(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The audit log, newest first, filtered and paginated on the server."""
    _require_auditor(request)
    form, filters = _filters(request)
    events = capabilities.audit_events_for(request.user, audit_events(filters))
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [AuditRow.of(event) for event in page.object_list]
    audit.record(
        actor=request.user,
        action="audit.view",
        after={"filters": form.summary(), "page": page.number, "matched": page.paginator.count},
    )
    return render(
        request,
        "core/security_audit_log.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": _query_without(request, "page"),
            "export_query": _query_without(request, "page", "format"),
            "checkpoints": selectors.recent_checkpoints(CHECKPOINTS_SHOWN),
        },
        status=400 if filters is None else 200,
    )


def _export_value(value: Any) -> Any:
    """A cell value. Text that a spreadsheet would run as a formula is neutralised (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


EXPORT_HEADERS = [
    "序号",
    "时间（北京时间）",
    "操作人",
    "操作人ID",
    "单位",
    "单位ID",
    "IP地址",
    "操作",
    "操作代码",
    "对象类型",
    "对象ID",
    "对象",
    "考核方案ID",
    "变更前",
    "变更后",
    "哈希",
    "前一哈希",
]


def _export_row(event: AuditEvent) -> list[Any]:
    return [
        event.seq,
        timezone.localtime(event.created_at).strftime("%Y-%m-%d %H:%M:%S"),
        event.actor_name,
        event.actor_id,
        event.organisation_name,
        event.organisation_id,
        event.ip,
        action_label(event.action),
        event.action,
        object_type_label(event.object_type),
        event.object_id,
        event.object_repr,
        event.plan_id,
        compact_json(event.before),
        compact_json(event.after),
        event.hash,
        event.prev_hash,
    ]


class _Echo:
    """A file-like sink for csv.writer that hands each line back (Django's streaming CSV pattern)."""

    def write(self, value: str) -> str:
        return value


def _csv_lines(events: QuerySet[AuditEvent]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(EXPORT_HEADERS)  # the BOM makes WPS and Excel read UTF-8
    for event in events.iterator(chunk_size=2000):
        yield writer.writerow([_export_value(v) for v in _export_row(event)])


def _xlsx_file(events: QuerySet[AuditEvent]) -> Any:
    from kaohe.core import xlsx_write

    workbook = xlsx_write.new_workbook(write_only=True)
    sheet = workbook.create_sheet("审计日志")
    for letter, width in zip("ABCDEFGHIJKLMNOPQ", (8, 20, 14, 9, 28, 9, 16, 16, 22, 14, 10, 32, 11, 40, 40, 20, 20), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    xlsx_write.header(sheet, EXPORT_HEADERS, fill=False)
    for event in events.iterator(chunk_size=2000):
        xlsx_write.append(sheet, _export_row(event))  # text stays text, whatever it starts with
    spool = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115 - handed to FileResponse, which closes it
    xlsx_write.save(workbook, spool)
    spool.seek(0)
    return spool


@login_required
@require_GET
def audit_export(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    """The filtered events as .xlsx (default) or .csv (``?format=csv``, UTF-8 with BOM), oldest first."""
    _require_auditor(request)
    form, filters = _filters(request)
    back = f"{reverse('security:audit_log')}?{_query_without(request, 'page', 'format')}"
    if filters is None:
        messages.error(request, "筛选条件有误，未导出")
        return redirect(back)
    fmt = "csv" if request.GET.get("format") == "csv" else "xlsx"
    events = selectors.oldest_first(capabilities.audit_events_for(request.user, audit_events(filters)))
    count = selectors.event_count(events)
    if fmt == "xlsx" and count > XLSX_MAX_ROWS:
        messages.error(request, f"共 {count} 条，超过 Excel 单表上限，请缩小筛选范围或导出 CSV")
        return redirect(back)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response: HttpResponseBase
    if fmt == "csv":
        response = StreamingHttpResponse(_csv_lines(events), content_type="text/csv; charset=utf-8")
    else:
        response = FileResponse(_xlsx_file(events), content_type=XLSX)
    return export_response(
        request,
        response,
        filename=f"审计日志-{stamp}.{fmt}",
        action="audit.export",
        after={"filters": form.summary(), "format": fmt, "rows": count},
    )


@login_required
@require_POST
def audit_verify(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Recompute every keyed digest of the chain and compare every checkpoint with it; say where it first breaks."""
    _require_auditor(request)
    result = audit.verify_chain(require_anchor_file=False)  # this app server may not hold the anchor file
    audit.record(
        actor=request.user,
        action="audit.verify",
        after={
            "ok": result.ok,
            "checked": result.checked,
            "anchors": result.anchors,
            "first_broken_seq": result.first_broken_seq,
            "reason": result.reason,
            "warnings": result.warnings,
        },
    )
    if result.ok:
        messages.success(
            request, f"审计链完整：已校验 {result.checked} 条事件，哈希与链接均相符，与 {result.anchors} 个检查点相符"
        )
        for warning in result.warnings:
            messages.warning(request, warning)
    else:
        where = f"第 {result.first_broken_seq} 号事件 — " if result.first_broken_seq is not None else ""
        messages.error(request, f"审计链校验失败：{where}{result.reason}（此前 {result.checked} 条完好）")
    return redirect("security:audit_log")
