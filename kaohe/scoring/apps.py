from typing import ClassVar

from django.apps import AppConfig


class ScoringConfig(AppConfig):
    name = "kaohe.scoring"
    label = "scoring"
    verbose_name = "评价与计分"
    # Labels of audit actions added after core.views_security.ACTION_LABELS.
    audit_labels: ClassVar[dict[str, str]] = {"bonus.office_record": "考核办认定加分"}

    def ready(self) -> None:
        from kaohe.organisations.roles import Role
        from kaohe.plans import hooks
        from kaohe.plans.todos import register_todos
        from kaohe.scoring import plan_hooks, todos

        register_todos(Role.OFFICE, 10, todos.office_todos)
        hooks.register_task_records(plan_hooks.task_records)
        hooks.register_evaluated_units(plan_hooks.evaluated_units)
        hooks.register_recorded_facts(plan_hooks.recorded_facts)
