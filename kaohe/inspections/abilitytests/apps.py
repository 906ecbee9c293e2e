from typing import ClassVar

from django.apps import AppConfig


class AbilitytestsConfig(AppConfig):
    name = "kaohe.inspections.abilitytests"
    label = "abilitytests"
    verbose_name = "依法行政能力测试"
    # Chinese labels of this app's audit actions (merged into the audit log browser's table).
    audit_labels: ClassVar[dict[str, str]] = {}
