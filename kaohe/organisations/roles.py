"""Roles and the capabilities they grant: the one table that says who may do what.

Views and services ask ``access.can(user, "plan:import", plan)`` and never compare role strings.
``docs/permissions.md`` mirrors this table; a test keeps them in sync.
"""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    OFFICE = "office", "考核办"
    DESK = "assessor", "考核主体"
    UNIT = "unit", "考核对象"
    FIELD_GROUP = "field_group", "实地考察组"
    CASE_REVIEWER = "case_reviewer", "评查员"
    VIEWER = "viewer", "查看"
    SYSTEM_ADMIN = "system_admin", "系统管理员"
    SECURITY_ADMIN = "security_admin", "安全管理员"
    AUDIT_ADMIN = "audit_admin", "审计管理员"


# Capability → Chinese description (shown in docs/permissions.md and the admin).
CAPABILITIES: dict[str, str] = {
    "plan:create": "新建考核方案",
    "plan:view": "查看考核方案",
    "plan:view_all_categories": "查看全部类别的指标体系",
    "plan:import": "导入指标体系、考核对象、考核主体；编辑指标体系",
    "plan:export": "导出指标体系",
    "plan:publish": "发布考核方案",
    "plan:settings": "设置方案基本信息、时间安排、成员单位和抄送单位",
    "policy:write": "设置评分规则（等次比例、权重、等次划分、加减分、否决情形）",
    "unit:view": "查看考核对象名单",
    "unit:edit": "编辑考核对象（排序码等）",
    "desk:view": "查看考核主体及其任务",
    "evidence:submit": "报送本单位资料（上传、撤回、链接、说明）",
    "evidence:check": "查阅所负责任务的报送资料",
    "evidence:return": "退回补充",
    "evidence:extend": "延期",
    "evidence:overview": "报送进度总览、催报",
    "evaluation:write": "评价所负责的工作任务（等次、得分、扣分理由）",
    "evaluation:overview": "查看全部评价及其变更记录",
    "applicability:decide": "认定不涉及",
    "adjustment:apply": "申请加分",
    "adjustment:decide": "审核加分、记录减分和否决情形",
    "results:compute": "计算并查看考核结果（草稿）",
    "calendar:view": "查看节假日与调休安排（只读）",
    "calendar:manage": "维护节假日与调休安排（工作日计算；仅顶层系统管理员）",
    "feedback:release": "记录发现的问题，分轮次发布问题反馈（第N轮；计算结果后发布含得分、扣分理由的考核情况反馈）",
    "review:decide": "答复复核申请（维持或调整）",
    "review:request": "逐轮确认收到反馈，并在该轮复核期限内申请复核",
    "results:consult": "对考核结果征求意见稿提出意见（成员单位）",
    "results:publish": "记录审定、公布考核结果、撤回公布（须说明理由）",
    "results:receive": "查阅书面送达的考核结果并回执",
    "analysis:view": "查看考核分析（得分率、分布、薄弱环节）",
    "rollup:view": "查看下级考核汇总（下级区划考核办的方案进度；结果公布后的等次、得分率、整改情况）",
    "rectification:report": "报送本单位整改报告",
    "rectification:decide": "验收整改报告（通过或退回）",
    "plan:copy": "复制方案至下一年度",
    "fieldwork:manage": "组建实地考察组、分配考核对象与日程、查看进度",
    "fieldwork:score": "为本组考核对象的实地考核任务评分",
    "abilitytest:manage": "维护测试名册与题库、抽取测试人员、组卷与组织测试",
    "abilitytest:roster": "报送本单位测试人员名册",
    "abilitytest:score": "现场提问评分、简答题阅卷",
    "casefile:list": "报送本单位行政执法与行政复议案卷目录",
    "casefile:manage": "抽取案卷、分配评查员、维护评查表",
    "casefile:review": "评查分配给本人的案卷",
    "accounts:manage": "管理账号：新建、停用、授予或撤销他人的角色（管理员角色须经安全管理员确认）",
    "accounts:confirm_admin_grant": "确认或驳回他人提出的管理员角色授予",
    "security:policy": "设置安全策略",
    "audit:read": "查阅审计日志",
}

# Roles that act within a plan (resolved against the plan's organiser, desks, units, members).
PLAN_ROLES: frozenset[Role] = frozenset({Role.OFFICE, Role.DESK, Role.UNIT, Role.FIELD_GROUP, Role.CASE_REVIEWER, Role.VIEWER})
# The three admin powers (三员分立): over their region and below, never combined with plan capabilities.
ADMIN_ROLES: frozenset[Role] = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})

ROLE_CAPABILITIES: dict[Role, frozenset[str]] = {
    Role.OFFICE: frozenset(
        {
            "plan:create",
            "plan:view",
            "plan:view_all_categories",
            "plan:import",
            "plan:export",
            "plan:publish",
            "plan:settings",
            "policy:write",
            "unit:view",
            "unit:edit",
            "desk:view",
            "evidence:check",
            "evidence:extend",
            "evidence:overview",
            "evaluation:overview",
            "applicability:decide",
            "adjustment:decide",
            "results:compute",
            "calendar:view",
            "feedback:release",
            "review:decide",
            "results:publish",
            "analysis:view",
            "rollup:view",
            "rectification:decide",
            "plan:copy",
            "fieldwork:manage",
            "abilitytest:manage",
            "abilitytest:score",
            "casefile:manage",
        }
    ),
    Role.DESK: frozenset(
        {
            "plan:view",
            "plan:view_all_categories",
            "desk:view",
            "unit:view",
            "evidence:check",
            "evidence:return",
            "evaluation:write",
            "results:consult",
        }
    ),
    Role.UNIT: frozenset(
        {
            "plan:view",
            "evidence:submit",
            "adjustment:apply",
            "review:request",
            "results:receive",
            "rectification:report",
            "abilitytest:roster",
            "casefile:list",
        }
    ),
    Role.FIELD_GROUP: frozenset({"plan:view", "plan:view_all_categories", "unit:view", "fieldwork:score", "abilitytest:score"}),
    Role.CASE_REVIEWER: frozenset({"plan:view", "plan:view_all_categories", "casefile:review"}),
    Role.VIEWER: frozenset(
        {
            "plan:view",
            "plan:view_all_categories",
            "plan:export",
            "unit:view",
            "desk:view",
            "results:consult",
            "results:receive",
            "analysis:view",
        }
    ),
    Role.SYSTEM_ADMIN: frozenset({"accounts:manage", "calendar:view", "calendar:manage"}),
    Role.SECURITY_ADMIN: frozenset({"security:policy", "accounts:confirm_admin_grant"}),
    Role.AUDIT_ADMIN: frozenset({"audit:read"}),
}

# Capabilities that make sense without a plan (checked against all of a user's memberships).
GLOBAL_CAPABILITIES = frozenset(
    {
        "plan:create",
        "accounts:manage",
        "accounts:confirm_admin_grant",
        "security:policy",
        "audit:read",
        "calendar:view",
        "calendar:manage",
        "rollup:view",
    }
)

# Capabilities held only through a membership in an organisation of a top region (``regions.top_region_ids``):
# the installation-wide holiday calendar is kept by the top level's system administrators; a city's see it only.
TOP_LEVEL_CAPABILITIES = frozenset({"calendar:manage"})

# Capabilities that act on a region and everything below it (``access.base.admin_region_ids``): a city's
# administrators act on the city's accounts, lockouts, grants and audit events; the top region's on all.
REGIONAL_CAPABILITIES = frozenset({"accounts:manage", "accounts:confirm_admin_grant", "security:policy", "audit:read"})

# Plan roles that may see a plan while it is still a draft.
DRAFT_ROLES: frozenset[Role] = frozenset({Role.OFFICE})


def capabilities_of(roles: set[Role] | frozenset[Role]) -> frozenset[str]:
    result: set[str] = set()
    for role in roles:
        result |= ROLE_CAPABILITIES[role]
    return frozenset(result)


def role_conflict(held: set[Role] | frozenset[Role], new: Role) -> str | None:
    """Why a person holding ``held`` may not also hold ``new`` (三员分立), or None when they may.

    An administrator role is exclusive: whoever holds one of the three admin powers holds no second admin
    power and no plan role (考核办, 考核主体, …), and whoever holds a plan role holds no admin power.
    Holding the same role in several organisations is fine.
    """
    others = set(held) - {new}
    # An admin power conflicts with everything else; a plan role only with admin powers.
    conflicting = others if new in ADMIN_ROLES else others & ADMIN_ROLES
    if not conflicting:
        return None
    names = "、".join(r.label for r in Role if r in conflicting)
    return (
        f"三员分立：该用户已担任{names}，不能再担任{new.label}。"
        "系统管理员、安全管理员、审计管理员须由不同人员担任，且不兼任考核业务角色。"
    )
