from typing import ClassVar

from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "kaohe.insights"
    label = "insights"
    verbose_name = "材料分析提示"
    # Chinese labels of this app's audit actions (merged into the audit log browser's table).
    audit_labels: ClassVar[dict[str, str]] = {
        "annual_report.settings": "设置年度报告期限",
        "annual_report.submit": "报送法治政府建设年度报告",
        "annual_report.file_download": "下载法治政府建设年度报告",
    }
