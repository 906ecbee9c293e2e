"""案卷集中评查: units' case-file lists, reproducible sampling, reviewer assignment, checklist scoring."""

from typing import Any, ClassVar

from django.apps import AppConfig


class CasefilesConfig(AppConfig):
    name = "kaohe.inspections.casefiles"
    label = "casefiles"
    verbose_name = "案卷集中评查"
    # Chinese labels of this app's audit actions (merged into the audit log browser's table).
    audit_labels: ClassVar[dict[str, str]] = {
        "casefile.list_add": "登记案卷",
        "casefile.list_edit": "修改案卷",
        "casefile.list_delete": "删除案卷",
        "casefile.list_import": "导入案卷目录",
        "casefile.extend": "延长案卷目录报送期限",
        "casefile.checklist_add": "增加评查项目",
        "casefile.checklist_edit": "修改评查项目",
        "casefile.checklist_delete": "删除评查项目",
        "casefile.checklist_import": "导入评查表",
        "casefile.checklist_default": "使用默认评查表",
        "casefile.setting": "修改评查设置",
        "casefile.sample": "抽取案卷",
        "casefile.sample_cancel": "撤销案卷抽取",
        "casefile.sample_replay": "复核案卷抽取",
        "casefile.reviewer_add": "增加评查员",
        "casefile.reviewer_remove": "移出评查员",
        "casefile.assign": "分配评查案卷",
        "casefile.assign_auto": "自动分配评查案卷",
        "casefile.review_save": "保存案卷评查",
        "casefile.review_submit": "提交案卷评查结果",
        "casefile.review_return": "退回案卷评查结果",
        "casefile.derive": "案卷评查计入考核得分",
        "casefile.demo": "载入案卷评查演示数据",
    }

    def ready(self) -> None:
        # 评查员 hold their role only in the plans whose panels name them.
        from kaohe.access import register_plan_role
        from kaohe.organisations.roles import Role

        from .models import CaseReviewer

        def plan_ids(user: Any) -> set[int]:
            return set(CaseReviewer.objects.filter(user=user).values_list("plan_id", flat=True))

        register_plan_role(Role.CASE_REVIEWER, plan_ids)
        from kaohe.inspections.casefiles import todos
        from kaohe.organisations.roles import Role
        from kaohe.plans.todos import register_todos

        register_todos(Role.CASE_REVIEWER, 10, todos.case_reviewer_todos)
