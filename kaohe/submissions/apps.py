from typing import ClassVar

from django.apps import AppConfig


class SubmissionsConfig(AppConfig):
    name = "kaohe.submissions"
    label = "submissions"
    verbose_name = "报送资料"
    audit_labels: ClassVar[dict[str, str]] = {
        "task_event.record": "登记报送事件",
        "task_event.update": "修改报送事件",
        "task_event.delete": "删除报送事件",
    }

    def ready(self) -> None:
        from kaohe.organisations.roles import Role
        from kaohe.plans import hooks
        from kaohe.plans.todos import register_todos
        from kaohe.submissions import plan_hooks, services_archive_jobs, todos

        register_todos(Role.OFFICE, 30, todos.office_todos)
        register_todos(Role.DESK, 10, todos.desk_todos)
        register_todos(Role.UNIT, 10, todos.unit_todos)
        hooks.register_task_records(plan_hooks.task_records)
        hooks.register_overview_section(plan_hooks.overview_section)
        services_archive_jobs.register()
