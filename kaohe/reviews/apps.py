from typing import ClassVar

from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "kaohe.reviews"
    label = "reviews"
    verbose_name = "问题反馈与复核"
    # Chinese labels of this app's audit actions (merged into the audit log browser's table).
    audit_labels: ClassVar[dict[str, str]] = {
        "feedback.deem_delivered": "问题反馈视为送达",
        "rectification.create": "列出整改事项",
        "rectification.report": "报送整改报告",
        "rectification.accept": "整改报告验收通过",
        "rectification.return": "退回整改报告",
        "rectification.due_change": "调整整改期限",
        "rectification.setting": "设置整改期限及重点单位进展报告间隔",
        "rectification.attachment_download": "下载整改报告附件",
        "unit_report.submit": "提交整改情况报告",
        "unit_report.accept": "整改情况报告验收通过",
        "unit_report.return": "退回整改情况报告",
        "unit_report.file_download": "下载整改情况报告",
        "talk.record": "登记约谈",
        "talk.minutes_download": "下载约谈记录",
        "focus_unit.set": "列为重点单位",
        "focus_unit.clear": "取消重点单位",
    }

    def ready(self) -> None:
        from kaohe.organisations.roles import Role
        from kaohe.plans.copy import register_copy_hook
        from kaohe.plans.todos import register_todos
        from kaohe.reviews import todos
        from kaohe.reviews.plan_copy import copy_rectification

        register_copy_hook(copy_rectification)
        register_todos(Role.OFFICE, 20, todos.office_todos)
        register_todos(Role.DESK, 20, todos.desk_todos)
        register_todos(Role.UNIT, 20, todos.unit_todos)
