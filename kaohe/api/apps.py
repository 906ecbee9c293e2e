from typing import ClassVar

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "kaohe.api"
    label = "api"
    verbose_name = "数据交换接口"
    # Chinese labels of this app's audit actions (merged into the audit log browser's table).
    audit_labels: ClassVar[dict[str, str]] = {}
