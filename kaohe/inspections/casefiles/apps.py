from typing import ClassVar

from django.apps import AppConfig


class CasefilesConfig(AppConfig):
    name = "kaohe.inspections.casefiles"
    label = "casefiles"
    verbose_name = "案卷集中评查"
    # Chinese labels of this app's audit actions (merged into the audit log browser's table).
    audit_labels: ClassVar[dict[str, str]] = {}
