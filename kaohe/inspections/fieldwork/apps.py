from typing import Any, ClassVar

from django.apps import AppConfig


class FieldworkConfig(AppConfig):
    name = "kaohe.inspections.fieldwork"
    label = "fieldwork"
    verbose_name = "实地考核"
    # Chinese labels of this app's audit actions (merged into the audit log browser's table).
    audit_labels: ClassVar[dict[str, str]] = {
        "fieldwork.group_create": "组建实地考察组",
        "fieldwork.group_update": "调整实地考察组成员",
        "fieldwork.group_delete": "解散实地考察组",
        "fieldwork.assign": "分配实地考核对象及日期",
        "fieldwork.reschedule": "调整实地考核日期或地点",
        "fieldwork.unassign": "取消实地考核对象分配",
        "fieldwork.window_set": "设置实地考核时间",
        "fieldwork.photo_add": "上传实地考核照片",
        "fieldwork.photo_delete": "删除实地考核照片",
        "fieldwork.schedule_export": "导出实地考核日程",
    }

    def ready(self) -> None:
        # 实地考察组 members hold their role only in the plans whose groups name them.
        from kaohe.access import register_plan_role
        from kaohe.organisations.roles import Role

        from .models import FieldGroupMember

        def plan_ids(user: Any) -> set[int]:
            return set(FieldGroupMember.objects.filter(user=user).values_list("group__plan_id", flat=True))

        register_plan_role(Role.FIELD_GROUP, plan_ids)
        from kaohe.inspections.fieldwork import todos
        from kaohe.organisations.roles import Role
        from kaohe.plans.todos import register_todos

        register_todos(Role.FIELD_GROUP, 10, todos.member_todos)
