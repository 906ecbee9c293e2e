from typing import ClassVar

from django.apps import AppConfig


class FieldworkConfig(AppConfig):
    name = "kaohe.inspections.fieldwork"
    label = "fieldwork"
    verbose_name = "实地考核"
    # Chinese labels of this app's audit actions (merged into the audit log browser's table).
    audit_labels: ClassVar[dict[str, str]] = {}
