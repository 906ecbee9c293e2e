from typing import ClassVar

from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "kaohe.plans"
    label = "plans"
    verbose_name = "考核方案"
    # Chinese labels of this app's audit actions added since views_security.ACTION_LABELS (merged there).
    audit_labels: ClassVar[dict[str, str]] = {
        "plan.copy": "复制方案至下一年度",
        "plan.export": "导出指标体系",
        "plan.policy_own_department": "修改回避设置",
        "plan.policy_update": "修改评分规则",
        "plan.settings": "修改方案设置",
        "plan.import_options": "修改指标表的读法",
        "indicator.create": "新增指标",
        "indicator.update": "修改指标",
        "indicator.move": "移动指标",
        "indicator.delete": "删除指标",
        "indicator.assign_desk": "批量指定责任主体",
        "problem_kind.add": "新增问题类型",
        "problem_kind.retire": "移除问题类型",
        "template.publish": "下发指标模板",
        "template.adopt": "采用上级下发的指标模板",
        "unit.collective_feedback_request": "提出集中反馈要求",
        "unit.collective_feedback_withdraw": "撤回集中反馈要求",
    }

    def ready(self) -> None:
        from kaohe.access.plans import is_office_of_plan
        from kaohe.core.backup import register_plan_scope
        from kaohe.core.home import register_home_section
        from kaohe.core.jobs import register_plan_office
        from kaohe.plans import home
        from kaohe.plans.backup_scope import plan_scope

        register_plan_scope(plan_scope)
        register_plan_office(is_office_of_plan)
        register_home_section(home.home_section)
