from typing import ClassVar

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "kaohe.api"
    label = "api"
    verbose_name = "数据交换接口"
    # Chinese labels of this app's audit actions (merged into the audit log browser's table).
    audit_labels: ClassVar[dict[str, str]] = {
        "api.token_create": "创建接口令牌",
        "api.token_revoke": "吊销接口令牌",
        "api.token_use": "使用接口令牌读取数据",
        "api.token_refused": "拒绝已吊销或已过期的接口令牌",
        "api.key_trust": "登记受信任的公钥",
        "api.results_export": "导出考核结果签名文件",
        "api.results_import": "导入考核结果签名文件",
        "api.import_confirm": "确认导入结果的新版本",
    }

    def ready(self) -> None:
        from kaohe.api import home
        from kaohe.core.home import register_home_section

        register_home_section(home.home_section)
