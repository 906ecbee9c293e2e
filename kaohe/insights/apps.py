"""What the evidence says: text of every file version, duplicates across units and years, document facts,
annual reports' coverage — shown to desks as explained hints that never change a score."""

from typing import ClassVar

from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "kaohe.insights"
    label = "insights"
    verbose_name = "材料分析提示"
    # Chinese labels of this app's audit actions (merged into the audit log browser's table).
    audit_labels: ClassVar[dict[str, str]] = {
        "insight.hint_dismiss": "排除材料分析提示",
        "annual_report.settings": "设置年度报告期限",
        "annual_report.submit": "报送法治政府建设年度报告",
        "annual_report.file_download": "下载法治政府建设年度报告",
    }

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from kaohe.insights.tasks import on_version_saved
        from kaohe.submissions.models import EvidenceFile

        # submissions sits below insights: a new file version is announced by the model's signal
        post_save.connect(on_version_saved, sender=EvidenceFile, dispatch_uid="insights.analyse_new_version")
